/** The local stack for one test file: started before its tests with the functions' environment set, stopped after. */
import { afterAll, beforeAll } from 'vitest';
import { setEnv } from '../../local/lambda';
import { startLocalStack, type LocalStack } from '../../local/stack';

export function useLocalStack(env: Record<string, string> = {}): { readonly stack: LocalStack } {
  let stack: LocalStack | undefined;
  let restoreEnv: (() => void) | undefined;
  beforeAll(async () => {
    stack = await startLocalStack();
    restoreEnv = setEnv({ ...stack.env, ...env });
  });
  afterAll(async () => {
    restoreEnv?.();
    await stack?.stop();
  });
  return {
    get stack(): LocalStack {
      if (!stack) throw new Error('the local stack starts in beforeAll');
      return stack;
    },
  };
}
