/**
 * The doors' AWS calls through the AWS SDK's clients (lib/secrets/secretsManager.ts over Powertools Parameters,
 * lib/queue/sqs.ts): the request as AWS expects it (SigV4 checked here by an independent computation), the endpoint
 * the SDK chooses from the environment, retries, and what the secrets port and the queue make of the services'
 * errors. A recording HTTP server in this process stands in for the service. Each client is made once per module
 * (one per container); the tests that change the environment a client is made from load the module anew.
 */
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigurationError, RefusedEvent } from '../../lib/outcome';
import { sqsQueue } from '../../lib/queue/sqs';
import { isTransient, secretsManager } from '../../lib/secrets/secretsManager';
import { setEnv } from '../../local/lambda';

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}
type Reply = { status: number; body: unknown; headers?: Record<string, string> };

let server: Server;
let url = '';
const received: Received[] = [];
let replies: Reply[] = [];
let restoreEnv: () => void;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const reply = replies.shift() ?? { status: 200, body: {} };
      res.writeHead(reply.status, { 'content-type': 'application/x-amz-json-1.1', ...reply.headers });
      res.end(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  restoreEnv = setEnv({
    AWS_ENDPOINT_URL_SECRETS_MANAGER: url,
    AWS_ENDPOINT_URL_SQS: url,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
    AWS_SESSION_TOKEN: 'session-token',
  });
});
afterAll(async () => {
  restoreEnv();
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  received.length = 0;
  replies = [];
});

const sha256 = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();
const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

/** SigV4 as AWS documents it, computed here from what the server received: the signature must match. */
function expectedSignature(r: Received, region: string, service: string, secretKey: string): string {
  const auth = String(r.headers.authorization);
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(auth)?.[1] ?? '';
  const amzDate = String(r.headers['x-amz-date']);
  const canonicalHeaders = signedHeaders
    .split(';')
    .map((h) => `${h}:${String(r.headers[h]).trim()}\n`)
    .join('');
  const canonicalRequest = [r.method, r.url, '', canonicalHeaders, signedHeaders, sha256(r.body)].join('\n');
  const scope = `${amzDate.slice(0, 8)}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secretKey}`, amzDate.slice(0, 8)), region), service), 'aws4_request');
  return createHmac('sha256', key).update(toSign, 'utf8').digest('hex');
}

const ids = (name: string) => ({
  apiKeySecretId: `${name}/key`,
  webhookSecretId: `${name}/hooks`,
  senderApiSecretId: `${name}/api`,
  secretsTtlSeconds: 300,
});

describe('the requests, as AWS expects them', () => {
  it('GetSecretValue: posts to / with the target, the protocol’s content type, the session token, and a valid SigV4 signature', async () => {
    replies = [{ status: 200, body: { SecretString: 's3cret' } }];
    expect(await secretsManager(ids('my')).docspaceApiKey()).toBe('s3cret');
    const [r] = received;
    if (!r) throw new Error('no request');
    expect(r.method).toBe('POST');
    expect(r.url).toBe('/');
    expect(JSON.parse(r.body)).toEqual({ SecretId: 'my/key' });
    expect(r.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(r.headers['x-amz-target']).toBe('secretsmanager.GetSecretValue');
    expect(r.headers['x-amz-security-token']).toBe('session-token');
    const auth = String(r.headers.authorization);
    expect(auth).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/secretsmanager\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/,
    );
    for (const h of ['host', 'x-amz-date', 'x-amz-target', 'content-type', 'x-amz-security-token'])
      expect(auth).toMatch(new RegExp(`SignedHeaders=[^,]*\\b${h}\\b`));
    expect(/Signature=([0-9a-f]{64})/.exec(auth)?.[1]).toBe(
      expectedSignature(r, 'eu-west-1', 'secretsmanager', 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'),
    );
  });

  it('SendMessage: SQS’s JSON 1.0 with the AmazonSQS target, signed for sqs, one message at a time in order', async () => {
    replies = [
      { status: 200, body: { MessageId: 'm1', MD5OfMessageBody: md5('hello') } },
      { status: 200, body: { MessageId: 'm2', MD5OfMessageBody: md5('again') } },
    ];
    await sqsQueue({ queueUrl: `${url}/000000000000/events.fifo` }).send([
      { body: 'hello', groupId: 'g', deduplicationId: 'd1' },
      { body: 'again', groupId: 'g', deduplicationId: 'd2' },
    ]);
    const [r, second] = received;
    expect(r?.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(r?.headers['x-amz-target']).toBe('AmazonSQS.SendMessage');
    expect(JSON.parse(r?.body ?? '')).toEqual({
      QueueUrl: `${url}/000000000000/events.fifo`,
      MessageBody: 'hello',
      MessageGroupId: 'g',
      MessageDeduplicationId: 'd1',
    });
    expect(JSON.parse(second?.body ?? '')).toMatchObject({ MessageBody: 'again', MessageDeduplicationId: 'd2' });
    expect(String(r?.headers.authorization)).toContain('/eu-west-1/sqs/aws4_request');
    expect(/Signature=([0-9a-f]{64})/.exec(String(r?.headers.authorization))?.[1]).toBe(
      expectedSignature(r as Received, 'eu-west-1', 'sqs', 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'),
    );
  });

  it('refuses a send whose MD5 the queue reports differently (the body did not arrive as sent), and sends nothing after it', async () => {
    replies = [{ status: 200, body: { MessageId: 'm1', MD5OfMessageBody: '0'.repeat(32) } }];
    const queue = sqsQueue({ queueUrl: `${url}/q.fifo` });
    await expect(
      queue.send([
        { body: 'hello', groupId: 'g', deduplicationId: 'd' },
        { body: 'next', groupId: 'g', deduplicationId: 'e' },
      ]),
    ).rejects.toThrow(/Checksum/);
    expect(received).toHaveLength(1);
  });

  it('asks SQS for the queue’s URL by name (GetQueueUrl) where there is no function ARN, once', async () => {
    replies = [
      { status: 200, body: { QueueUrl: `${url}/000000000000/named.fifo` } },
      { status: 200, body: { MD5OfMessageBody: md5('a') } },
      { status: 200, body: { MD5OfMessageBody: md5('b') } },
    ];
    const queue = sqsQueue({ queueName: 'named.fifo' });
    await queue.send([{ body: 'a', groupId: 'g', deduplicationId: 'a' }], { invokedFunctionArn: 'offline_invokedFunctionArn_for_x' });
    await queue.send([{ body: 'b', groupId: 'g', deduplicationId: 'b' }], { invokedFunctionArn: 'offline_invokedFunctionArn_for_x' });
    expect(received.map((r) => r.headers['x-amz-target'])).toEqual([
      'AmazonSQS.GetQueueUrl',
      'AmazonSQS.SendMessage',
      'AmazonSQS.SendMessage',
    ]);
    expect(JSON.parse(received[0]?.body ?? '')).toEqual({ QueueName: 'named.fifo' });
    expect(JSON.parse(received[2]?.body ?? '')).toMatchObject({ QueueUrl: `${url}/000000000000/named.fifo` });
  });

  it('a name SQS has no queue for is a configuration error naming QUEUE_NAME, not a 503', async () => {
    replies = [
      {
        status: 400,
        body: { __type: 'com.amazonaws.sqs#QueueDoesNotExist', message: 'The specified queue does not exist.' },
        headers: { 'x-amzn-query-error': 'AWS.SimpleQueueService.NonExistentQueue;Sender' },
      },
    ];
    const absent = await sqsQueue({ queueName: 'nope.fifo' })
      .send([{ body: 'a', groupId: 'g', deduplicationId: 'a' }])
      .catch((e: unknown) => e);
    expect(absent).toBeInstanceOf(ConfigurationError);
    expect(String(absent)).toMatch(/QUEUE_NAME: SQS has no queue named "nope.fifo"/);
  });
});

describe('retries and errors', () => {
  it('tries throttling and 5xx again (three times in all), a client error never', async () => {
    replies = [
      { status: 500, body: { __type: 'InternalServiceError', message: 'boom' } },
      { status: 400, body: { __type: 'ThrottlingException', message: 'slow down' } },
      { status: 200, body: { SecretString: 'sk-third' } },
    ];
    expect(await secretsManager(ids('retried')).docspaceApiKey()).toBe('sk-third');
    expect(received).toHaveLength(3);

    received.length = 0;
    replies = [
      { status: 503, body: 'Service Unavailable' },
      { status: 503, body: 'Service Unavailable' },
      { status: 503, body: 'Service Unavailable' },
      { status: 200, body: {} },
    ];
    const unavailable = await secretsManager(ids('down'))
      .docspaceApiKey()
      .catch((e: unknown) => e);
    expect(unavailable).toBeInstanceOf(RefusedEvent);
    expect(unavailable).toMatchObject({ outcome: 'unavailable' });
    expect(String(unavailable)).toMatch(/cannot read secret "down\/key" now/);
    expect(received).toHaveLength(3);

    received.length = 0;
    replies = [
      {
        status: 400,
        body: {
          __type: 'com.amazonaws.secretsmanager#ResourceNotFoundException',
          message: "Secrets Manager can't find the specified secret.",
        },
      },
    ];
    const notFound = await secretsManager(ids('absent'))
      .docspaceApiKey()
      .catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(ConfigurationError);
    expect((notFound as Error).message).toBe(
      'cannot read secret "absent/key": ResourceNotFoundException: Secrets Manager can\'t find the specified secret.',
    );
    expect(received).toHaveLength(1);
  });

  it('names the type without its namespace, however the service writes it', async () => {
    replies = [{ status: 400, body: { __type: 'com.amazonaws.secretsmanager#AccessDeniedException', Message: 'no' } }];
    await expect(secretsManager(ids('denied')).docspaceApiKey()).rejects.toThrow(
      'cannot read secret "denied/key": AccessDeniedException: no',
    );
    const throttled = {
      status: 400,
      body: { __type: 'com.amazon.coral.service#ThrottlingException:http://internal', message: 'Rate exceeded' },
    };
    replies = [throttled, throttled, throttled];
    const busy = await secretsManager(ids('busy'))
      .docspaceApiKey()
      .catch((e: unknown) => e);
    expect(busy).toMatchObject({ outcome: 'unavailable', message: expect.stringMatching(/ThrottlingException: Rate exceeded/) as unknown });
  });

  it('takes for transient what passes with time: throttling, 5xx, no answer; never a client error', () => {
    const sdkError = (name: string, status: number | undefined, extra: Record<string, unknown> = {}) =>
      Object.assign(new Error('x'), { name, $metadata: { httpStatusCode: status }, ...extra });
    expect(isTransient(sdkError('ThrottlingException', 400, { $fault: 'client' }))).toBe(true);
    expect(isTransient(sdkError('InternalServiceError', 500, { $fault: 'server' }))).toBe(true);
    expect(isTransient(sdkError('Unknown', 502))).toBe(true);
    expect(isTransient(sdkError('ResourceNotFoundException', 400, { $fault: 'client' }))).toBe(false);
    expect(isTransient(sdkError('AccessDeniedException', 400, { $fault: 'client' }))).toBe(false);
    expect(isTransient(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isTransient(Object.assign(new Error('timed out'), { name: 'TimeoutError' }))).toBe(true);
    expect(isTransient(new Error('Region is missing'))).toBe(false);
  });
});

describe('the endpoint, as the SDK chooses it from the environment', () => {
  /** The modules anew, so that their clients are made from the environment as it is now. */
  async function fresh() {
    vi.resetModules();
    const [secrets, queue] = await Promise.all([import('../../lib/secrets/secretsManager'), import('../../lib/queue/sqs')]);
    return { secretsManager: secrets.secretsManager, sqsQueue: queue.sqsQueue };
  }

  it('takes AWS_ENDPOINT_URL when the service has no variable of its own', async () => {
    const restore = setEnv({ AWS_ENDPOINT_URL_SECRETS_MANAGER: '', AWS_ENDPOINT_URL: url });
    try {
      replies = [{ status: 200, body: { SecretString: 'from-the-shared-endpoint' } }];
      expect(await (await fresh()).secretsManager(ids('shared')).docspaceApiKey()).toBe('from-the-shared-endpoint');
      expect(received).toHaveLength(1);
    } finally {
      restore();
    }
  });

  it('sends to a configured SQS endpoint whatever host the queue URL names, else to the queue URL’s own host', async () => {
    replies = [{ status: 200, body: { MD5OfMessageBody: md5('x') } }];
    await (
      await fresh()
    )
      .sqsQueue({ queueUrl: 'https://sqs.eu-central-1.amazonaws.com/123456789012/events.fifo' })
      .send([{ body: 'x', groupId: 'g', deduplicationId: 'x' }]);
    expect(JSON.parse(received[0]?.body ?? '')).toMatchObject({
      QueueUrl: 'https://sqs.eu-central-1.amazonaws.com/123456789012/events.fifo',
    });

    const restore = setEnv({ AWS_ENDPOINT_URL_SQS: '' });
    try {
      replies = [{ status: 200, body: { MD5OfMessageBody: md5('y') } }];
      await (
        await fresh()
      )
        .sqsQueue({ queueUrl: `${url}/123456789012/events.fifo` })
        .send([{ body: 'y', groupId: 'g', deduplicationId: 'y' }]);
      expect(received).toHaveLength(2);
    } finally {
      restore();
    }
  });
});

describe('the secrets port', () => {
  it('reads once per TTL, again on a forced refresh (key rotation); callers at the same moment share one read', async () => {
    replies = [
      { status: 200, body: { SecretString: 'sk-one' } },
      { status: 200, body: { SecretString: '{"apiKey":"sk-two"}' } },
    ];
    const secrets = secretsManager(ids('cache'));
    expect(await Promise.all([secrets.docspaceApiKey(), secrets.docspaceApiKey()])).toEqual(['sk-one', 'sk-one']);
    expect(await secrets.docspaceApiKey()).toBe('sk-one');
    expect(received).toHaveLength(1);
    expect(await secrets.docspaceApiKey(true)).toBe('sk-two');
    expect(await secrets.docspaceApiKey()).toBe('sk-two');
    expect(received).toHaveLength(2);
  });

  it('a missing or forbidden secret is a configuration error naming it; throttling and 5xx are “unavailable”, and not cached', async () => {
    replies = [{ status: 400, body: { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." } }];
    const missing = await secretsManager(ids('missing'))
      .signingSecret('okta')
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ConfigurationError);
    expect((missing as Error).message).toBe(
      'cannot read secret "missing/hooks": ResourceNotFoundException: Secrets Manager can\'t find the specified secret.',
    );

    replies = [
      { status: 400, body: { __type: 'AccessDeniedException', message: 'not authorized to perform secretsmanager:GetSecretValue' } },
    ];
    await expect(secretsManager(ids('forbidden')).docspaceApiKey()).rejects.toThrow(
      /cannot read secret "forbidden\/key": AccessDeniedException/,
    );

    const throttled = { status: 400, body: { __type: 'ThrottlingException', message: 'Rate exceeded' } };
    replies = [throttled, throttled, throttled, { status: 200, body: { SecretString: 'sk-later' } }];
    const secrets = secretsManager(ids('throttled'));
    const busy = await secrets.docspaceApiKey().catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(RefusedEvent);
    expect(busy).toMatchObject({ outcome: 'unavailable' });
    expect(await secrets.docspaceApiKey()).toBe('sk-later');
  });
});
