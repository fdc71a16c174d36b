/**
 * The npm scripts read their command line strictly: a misspelt option is an error that names it, before anything
 * is read or moved — `npm run replay -- --dryrun` must not empty the dead-letter queue for real.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { useLocalStack } from '../support/localStack';

const run = promisify(execFile);
const local = useLocalStack();

async function script(
  file: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('npx', ['tsx', file, ...args], { env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('the command lines', () => {
  it('replay refuses --dryrun, naming it, and the dead-letter queue keeps its message', { timeout: 60_000 }, async () => {
    const { stack } = local;
    await stack.sqs.purge();
    const client = stack.sqs.client();
    await client.send(
      new SendMessageCommand({ QueueUrl: stack.sqs.dlqUrl, MessageBody: '{}', MessageGroupId: 'g', MessageDeduplicationId: 'cli-test' }),
    );
    client.destroy();
    const env = { QUEUE_DLQ_URL: stack.sqs.dlqUrl, QUEUE_URL: stack.sqs.queueUrl, AWS_ENDPOINT_URL_SQS: stack.sqs.url };
    const typo = await script('scripts/replay.ts', ['--dryrun'], env);
    expect(typo.code).toBe(64);
    expect(typo.stderr).toMatch(/Unknown option '--dryrun'/);
    expect(typo.stderr).toMatch(/usage: npm run replay/);
    expect(await stack.sqs.depth(stack.sqs.dlqUrl)).toBe(1);
    expect(await stack.sqs.depth(stack.sqs.queueUrl)).toBe(0);
    await stack.sqs.purge();
  });
});
