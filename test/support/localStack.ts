/** The local stack for one test file: started before its tests with the functions' environment set, stopped after. */
import { afterAll, beforeAll } from 'vitest';
import { setEnv } from '../../local/lambda';
import { LOCAL, startLocalStack, type LocalStack } from '../../local/stack';

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

/** A clean slate for a SCIM test: a `current` DocSpace, an empty events table, and the local SCIM token in place. */
export async function freshScimState(stack: LocalStack): Promise<void> {
  stack.docspace.reset({ profile: 'current' });
  await stack.dynamoDb.clearEventsTable(LOCAL.eventsTable);
  stack.secretsManager.setSecret(
    LOCAL.webhookSecretId,
    JSON.stringify({ standardWebhooks: LOCAL.signingSecret, ...LOCAL.senderSecrets, scim: LOCAL.scimToken }),
  );
}
