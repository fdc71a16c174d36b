/**
 * The doors' two AWS calls, signed without the SDK's clients (lib/aws/awsJson.ts), against the local Secrets Manager
 * emulator and the local SQS (local-aws-sqs), both reached through AWS_ENDPOINT_URL_*; and with a developer's
 * profile instead of the variables Lambda sets (the SDK's credential chain, loaded on first use).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { awsJson, SECRETS_MANAGER } from '../../lib/aws/awsJson';
import { ConfigurationError } from '../../lib/outcome';
import { sqsQueue } from '../../lib/queue/sqs';
import { secretsManager } from '../../lib/secrets/secretsManager';
import { setEnv } from '../../local/lambda';
import { useLocalStack } from '../support/localStack';

const local = useLocalStack();

describe('Secrets Manager, signed calls to the local emulator', () => {
  it('reads a secret once per TTL and again after a forced refresh; a missing one is a configuration error naming it', async () => {
    const { secretsManager: emulator } = local.stack;
    emulator.setSecret('it/api-key', '{"apiKey":"sk-first"}');
    emulator.resetCalls();
    const secrets = secretsManager({ apiKeySecretId: 'it/api-key', webhookSecretId: 'it/missing', senderApiSecretId: 'it/api', secretsTtlSeconds: 300 });
    expect(await secrets.docspaceApiKey()).toBe('sk-first');
    emulator.setSecret('it/api-key', 'sk-rotated');
    expect(await secrets.docspaceApiKey()).toBe('sk-first');
    expect(emulator.callCount('GetSecretValue')).toBe(1);
    expect(await secrets.docspaceApiKey(true)).toBe('sk-rotated');
    expect(emulator.callCount('GetSecretValue')).toBe(2);

    const missing = await secrets.signingSecret('okta').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ConfigurationError);
    expect((missing as Error).message).toMatch(/^cannot read secret "it\/missing": ResourceNotFoundException/);
  });

  it('signs with a developer profile when the Lambda variables are not set', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aws-profile-'));
    writeFileSync(join(dir, 'credentials'), '[dev]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = profile-secret\n');
    writeFileSync(join(dir, 'config'), '[profile dev]\nregion = us-east-1\n');
    const restore = setEnv({ AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_SESSION_TOKEN: '', AWS_PROFILE: 'dev', AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'), AWS_CONFIG_FILE: join(dir, 'config') });
    try {
      local.stack.secretsManager.setSecret('it/profile', 'from-profile');
      expect(await awsJson(SECRETS_MANAGER, 'GetSecretValue', { SecretId: 'it/profile' })).toMatchObject({ SecretString: 'from-profile' });
    } finally {
      restore();
    }
  });
});

describe('SQS, signed SendMessage to the local SQS', () => {
  it('puts the messages on the FIFO queue in order, with their group and deduplication ids', async () => {
    const { sqs } = local.stack;
    const queue = sqsQueue({ queueUrl: sqs.queueUrl });
    const run = `r${Date.now()}`;
    await queue.send([
      { body: `{"n":1,"run":"${run}"}`, groupId: `g-${run}`, deduplicationId: `${run}-1` },
      { body: `{"n":2,"run":"${run}"}`, groupId: `g-${run}`, deduplicationId: `${run}-2` },
      // A duplicate within the deduplication window: SQS takes it and drops it.
      { body: `{"n":1,"run":"${run}"}`, groupId: `g-${run}`, deduplicationId: `${run}-1` },
    ]);
    const { Messages = [] } = await sqs.client().send(new ReceiveMessageCommand({ QueueUrl: sqs.queueUrl, MaxNumberOfMessages: 10, AttributeNames: ['All'] as never, MessageSystemAttributeNames: ['All'] }));
    const mine = Messages.filter((m) => m.Body?.includes(run));
    expect(mine.map((m) => m.Body)).toEqual([`{"n":1,"run":"${run}"}`, `{"n":2,"run":"${run}"}`]);
    expect(mine.map((m) => m.Attributes?.MessageGroupId)).toEqual([`g-${run}`, `g-${run}`]);
    expect(mine.map((m) => m.Attributes?.MessageDeduplicationId)).toEqual([`${run}-1`, `${run}-2`]);
  });

  it('a queue that does not exist is an error the door turns into “unavailable”', async () => {
    const queue = sqsQueue({ queueUrl: `${local.stack.sqs.url}/000000000000/nope.fifo` });
    await expect(queue.send([{ body: '{}', groupId: 'g', deduplicationId: 'd' }])).rejects.toThrow(/NonExistentQueue|QueueDoesNotExist/);
  });
});
