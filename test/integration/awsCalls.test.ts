/**
 * The doors' two AWS calls, through the AWS SDK's clients (Powertools Parameters' secrets provider for Secrets
 * Manager), against the local Secrets Manager emulator and the local SQS (local-aws-sqs), both reached through
 * AWS_ENDPOINT_URL_*; and with a developer's profile instead of the variables Lambda sets (the SDK's credential chain).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it, vi } from 'vitest';
import { ConfigurationError } from '../../lib/outcome';
import { sqsQueue } from '../../lib/queue/sqs';
import { secretsManager } from '../../lib/secrets/secretsManager';
import { ROUTE_BY_TYPE } from '../../lib/http/routes';
import { composedHandlers, invokeHttp, setEnv, signedHttpEvent } from '../../local/lambda';
import { useLocalStack } from '../support/localStack';

const local = useLocalStack();

describe('Secrets Manager, through the SDK, against the local emulator', () => {
  it('reads a secret once per TTL and again after a forced refresh; a missing one is a configuration error naming it', async () => {
    const { secretsManager: emulator } = local.stack;
    emulator.setSecret('it/api-key', '{"apiKey":"sk-first"}');
    emulator.resetCalls();
    const secrets = secretsManager({
      apiKeySecretId: 'it/api-key',
      webhookSecretId: 'it/missing',
      senderApiSecretId: 'it/api',
      secretsTtlSeconds: 300,
    });
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
    const restore = setEnv({
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_SESSION_TOKEN: '',
      AWS_PROFILE: 'dev',
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
      AWS_CONFIG_FILE: join(dir, 'config'),
    });
    try {
      local.stack.secretsManager.setSecret('it/profile', 'from-profile');
      // The module anew: its client is made, and finds its credentials, from the environment as it is now.
      vi.resetModules();
      const fresh = (await import('../../lib/secrets/secretsManager')).secretsManager;
      expect(
        await fresh({
          apiKeySecretId: 'it/profile',
          webhookSecretId: 'it/profile',
          senderApiSecretId: 'it/profile',
          secretsTtlSeconds: 300,
        }).docspaceApiKey(),
      ).toBe('from-profile');
    } finally {
      restore();
    }
  });
});

describe('SQS, SendMessage through the SDK to the local SQS', () => {
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
    const { Messages = [] } = await sqs.client().send(
      new ReceiveMessageCommand({
        QueueUrl: sqs.queueUrl,
        MaxNumberOfMessages: 10,
        AttributeNames: ['All'] as never,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    const mine = Messages.filter((m) => m.Body?.includes(run));
    expect(mine.map((m) => m.Body)).toEqual([`{"n":1,"run":"${run}"}`, `{"n":2,"run":"${run}"}`]);
    expect(mine.map((m) => m.Attributes?.MessageGroupId)).toEqual([`g-${run}`, `g-${run}`]);
    expect(mine.map((m) => m.Attributes?.MessageDeduplicationId)).toEqual([`${run}-1`, `${run}-2`]);
  });

  it('a queue that does not exist is an error the door turns into “unavailable”', async () => {
    const queue = sqsQueue({ queueUrl: `${local.stack.sqs.url}/000000000000/nope.fifo` });
    await expect(queue.send([{ body: '{}', groupId: 'g', deduplicationId: 'd' }])).rejects.toMatchObject({
      name: expect.stringMatching(/NonExistentQueue|QueueDoesNotExist/) as unknown,
    });
  });
});

describe('what the door answers when Secrets Manager fails', () => {
  const hire = () =>
    signedHttpEvent(ROUTE_BY_TYPE['user.created'], {
      id: `evt_${crypto.randomUUID()}`,
      type: 'user.created',
      occurredAt: new Date().toISOString(),
      source: 'it',
      data: { email: 'sm.fault@example.com', firstName: 'Sm', lastName: 'Fault' },
    });
  const clock = { now: () => Date.now(), sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) };

  it('a missing secret: 500 `misconfigured`, naming the secret', async () => {
    const restore = setEnv({ WEBHOOK_SECRET_ID: 'it/no-such-secret', DELIVERY_MODE: 'sync' });
    try {
      const answer = await invokeHttp(composedHandlers(clock).canonical('user.created'), hire());
      expect(answer.statusCode).toBe(500);
      expect(answer.body).toMatchObject({
        outcome: 'misconfigured',
        message: expect.stringMatching(/^cannot read secret "it\/no-such-secret": ResourceNotFoundException/) as unknown,
      });
    } finally {
      restore();
    }
  });

  it('a throttled one, after the SDK’s three attempts: 503 `unavailable` with Retry-After', async () => {
    let calls = 0;
    const throttling = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        calls += 1;
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }));
      });
    });
    await new Promise<void>((r) => throttling.listen(0, '127.0.0.1', r));
    const restore = setEnv({
      AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${(throttling.address() as AddressInfo).port}`,
      DELIVERY_MODE: 'sync',
    });
    try {
      // The modules anew: their Secrets Manager client is made from the environment as it is now.
      vi.resetModules();
      const fresh = await import('../../local/lambda');
      const answer = await fresh.invokeHttp(fresh.composedHandlers(clock).canonical('user.created'), hire());
      expect(answer.statusCode).toBe(503);
      expect(answer.headers['retry-after']).toBe('30');
      expect(answer.body).toMatchObject({
        outcome: 'unavailable',
        message: expect.stringMatching(/^cannot read secret "[^"]+" now: ThrottlingException: Rate exceeded/) as unknown,
      });
      expect(calls).toBe(3);
    } finally {
      restore();
      await new Promise((r) => throttling.close(r));
    }
  });
});
