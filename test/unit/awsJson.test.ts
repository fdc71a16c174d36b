/**
 * The doors' AWS calls without the SDK (lib/aws/awsJson.ts): the request as AWS expects it (SigV4 checked here by an
 * independent computation), the endpoint as the SDK chooses it, the JSON protocol's errors, retries, and what the
 * secrets port and the queue make of them. A recording HTTP server in this process stands in for the service.
 */
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AwsError, awsJson, endpointOf, errorOf, SECRETS_MANAGER, SQS } from '../../lib/aws/awsJson';
import { ConfigurationError, RefusedEvent } from '../../lib/outcome';
import { sqsEndpoint, sqsQueue } from '../../lib/queue/sqs';
import { secretsManager } from '../../lib/secrets/secretsManager';
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
  restoreEnv = setEnv({ AWS_ENDPOINT_URL_SECRETS_MANAGER: url, AWS_ENDPOINT_URL_SQS: url, AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', AWS_SESSION_TOKEN: 'session-token' });
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

/** SigV4 as AWS documents it, computed here from what the server received: the signature must match. */
function expectedSignature(r: Received, region: string, service: string, secretKey: string): string {
  const auth = String(r.headers.authorization);
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(auth)?.[1] ?? '';
  const amzDate = String(r.headers['x-amz-date']);
  const canonicalHeaders = signedHeaders.split(';').map((h) => `${h}:${String(r.headers[h]).trim()}\n`).join('');
  const canonicalRequest = [r.method, r.url, '', canonicalHeaders, signedHeaders, sha256(r.body)].join('\n');
  const scope = `${amzDate.slice(0, 8)}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secretKey}`, amzDate.slice(0, 8)), region), service), 'aws4_request');
  return createHmac('sha256', key).update(toSign, 'utf8').digest('hex');
}

describe('a signed AWS JSON call', () => {
  it('posts to / with the target, the protocol’s content type, the session token, and a valid SigV4 signature', async () => {
    replies = [{ status: 200, body: { SecretString: 's3cret' } }];
    const answer = await awsJson(SECRETS_MANAGER, 'GetSecretValue', { SecretId: 'my/secret' });
    expect(answer).toEqual({ SecretString: 's3cret' });
    const [r] = received;
    if (!r) throw new Error('no request');
    expect(r.method).toBe('POST');
    expect(r.url).toBe('/');
    expect(JSON.parse(r.body)).toEqual({ SecretId: 'my/secret' });
    expect(r.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(r.headers['x-amz-target']).toBe('secretsmanager.GetSecretValue');
    expect(r.headers['x-amz-security-token']).toBe('session-token');
    const auth = String(r.headers.authorization);
    expect(auth).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/secretsmanager\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/);
    for (const h of ['host', 'x-amz-date', 'x-amz-target', 'content-type', 'x-amz-security-token']) expect(auth).toMatch(new RegExp(`SignedHeaders=[^,]*\\b${h}\\b`));
    expect(/Signature=([0-9a-f]{64})/.exec(auth)?.[1]).toBe(expectedSignature(r, 'eu-west-1', 'secretsmanager', 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'));
  });

  it('speaks SQS’s JSON 1.0 with the AmazonSQS target, signed for sqs', async () => {
    replies = [{ status: 200, body: { MessageId: 'm1', MD5OfMessageBody: createHash('md5').update('hello').digest('hex') } }];
    await sqsQueue({ queueUrl: `${url}/000000000000/events.fifo` }).send([{ body: 'hello', groupId: 'g', deduplicationId: 'd' }]);
    const [r] = received;
    expect(r?.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(r?.headers['x-amz-target']).toBe('AmazonSQS.SendMessage');
    expect(JSON.parse(r?.body ?? '')).toEqual({ QueueUrl: `${url}/000000000000/events.fifo`, MessageBody: 'hello', MessageGroupId: 'g', MessageDeduplicationId: 'd' });
    expect(String(r?.headers.authorization)).toContain('/eu-west-1/sqs/aws4_request');
    expect(/Signature=([0-9a-f]{64})/.exec(String(r?.headers.authorization))?.[1]).toBe(expectedSignature(r as Received, 'eu-west-1', 'sqs', 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'));
  });

  it('refuses a send whose MD5 the queue reports differently (the body did not arrive as sent)', async () => {
    replies = [{ status: 200, body: { MessageId: 'm1', MD5OfMessageBody: '0'.repeat(32) } }];
    await expect(sqsQueue({ queueUrl: `${url}/q.fifo` }).send([{ body: 'hello', groupId: 'g', deduplicationId: 'd' }])).rejects.toThrow(/MD5/);
  });

  it('tries throttling and 5xx again (three times in all), a client error never', async () => {
    replies = [{ status: 500, body: { __type: 'InternalServiceError', message: 'boom' } }, { status: 400, body: { __type: 'ThrottlingException', message: 'slow down' } }, { status: 200, body: { ok: true } }];
    await expect(awsJson(SECRETS_MANAGER, 'GetSecretValue', { SecretId: 'x' })).resolves.toEqual({ ok: true });
    expect(received).toHaveLength(3);

    received.length = 0;
    replies = [{ status: 503, body: 'Service Unavailable' }, { status: 503, body: 'Service Unavailable' }, { status: 503, body: 'Service Unavailable' }, { status: 200, body: {} }];
    const unavailable = await awsJson(SECRETS_MANAGER, 'GetSecretValue', { SecretId: 'x' }).catch((e: unknown) => e);
    expect(unavailable).toBeInstanceOf(AwsError);
    expect(unavailable).toMatchObject({ type: 'Http503', status: 503, transient: true });
    expect(received).toHaveLength(3);

    received.length = 0;
    replies = [{ status: 400, body: { __type: 'com.amazonaws.secretsmanager#ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." } }];
    const notFound = await awsJson(SECRETS_MANAGER, 'GetSecretValue', { SecretId: 'x' }).catch((e: unknown) => e);
    expect(notFound).toMatchObject({ type: 'ResourceNotFoundException', status: 400, transient: false, message: "ResourceNotFoundException: Secrets Manager can't find the specified secret." });
    expect(received).toHaveLength(1);
  });
});

describe('the JSON protocol’s errors', () => {
  it('names the type without its namespace, from __type, code or SQS’s query error header', () => {
    expect(errorOf(400, JSON.stringify({ __type: 'com.amazonaws.secretsmanager#AccessDeniedException', Message: 'no' }))).toMatchObject({ type: 'AccessDeniedException', message: 'AccessDeniedException: no', transient: false });
    expect(errorOf(400, JSON.stringify({ __type: 'com.amazon.coral.service#ThrottlingException:http://internal' }))).toMatchObject({ type: 'ThrottlingException', transient: true });
    expect(errorOf(400, '{}', 'AWS.SimpleQueueService.NonExistentQueue;Sender')).toMatchObject({ type: 'AWS.SimpleQueueService.NonExistentQueue', transient: false });
    expect(errorOf(502, '<html>bad gateway</html>')).toMatchObject({ type: 'Http502', message: 'Http502: HTTP 502', transient: true });
  });
});

describe('the endpoint, as the SDK chooses it', () => {
  it('takes the service’s own variable, then AWS_ENDPOINT_URL, unless told to ignore them; else the regional one', () => {
    expect(endpointOf(SECRETS_MANAGER, 'eu-west-1', { AWS_ENDPOINT_URL_SECRETS_MANAGER: 'http://sm:1', AWS_ENDPOINT_URL: 'http://all:2' }).href).toBe('http://sm:1/');
    expect(endpointOf(SECRETS_MANAGER, 'eu-west-1', { AWS_ENDPOINT_URL_SQS: 'http://sqs:1', AWS_ENDPOINT_URL: 'http://all:2' }).href).toBe('http://all:2/');
    expect(endpointOf(SECRETS_MANAGER, 'eu-west-1', { AWS_ENDPOINT_URL: 'http://all:2', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' }).href).toBe('https://secretsmanager.eu-west-1.amazonaws.com/');
    expect(endpointOf(SQS, 'cn-north-1', {}).href).toBe('https://sqs.cn-north-1.amazonaws.com.cn/');
  });

  it('sends to the queue URL’s own host unless an SQS endpoint is configured', () => {
    const queueUrl = 'https://sqs.eu-central-1.amazonaws.com/123456789012/events.fifo';
    expect(sqsEndpoint(queueUrl, { AWS_REGION: 'eu-west-1' }).href).toBe('https://sqs.eu-central-1.amazonaws.com/');
    expect(sqsEndpoint(queueUrl, { AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:9324' }).href).toBe('http://127.0.0.1:9324/');
  });
});

describe('the secrets port on signed calls', () => {
  const ids = (name: string) => ({ apiKeySecretId: `${name}/key`, webhookSecretId: `${name}/hooks`, senderApiSecretId: `${name}/api`, secretsTtlSeconds: 300 });

  it('reads once per TTL, again on a forced refresh (key rotation)', async () => {
    replies = [{ status: 200, body: { SecretString: 'sk-one' } }, { status: 200, body: { SecretString: '{"apiKey":"sk-two"}' } }];
    const secrets = secretsManager(ids('cache'));
    expect(await secrets.docspaceApiKey()).toBe('sk-one');
    expect(await secrets.docspaceApiKey()).toBe('sk-one');
    expect(received).toHaveLength(1);
    expect(await secrets.docspaceApiKey(true)).toBe('sk-two');
    expect(await secrets.docspaceApiKey()).toBe('sk-two');
    expect(received).toHaveLength(2);
  });

  it('a missing or forbidden secret is a configuration error naming it; throttling and 5xx are “unavailable”, and not cached', async () => {
    replies = [{ status: 400, body: { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." } }];
    const missing = await secretsManager(ids('missing')).signingSecret('okta').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ConfigurationError);
    expect((missing as Error).message).toBe('cannot read secret "missing/hooks": ResourceNotFoundException: Secrets Manager can\'t find the specified secret.');

    replies = [{ status: 400, body: { __type: 'AccessDeniedException', message: 'not authorized to perform secretsmanager:GetSecretValue' } }];
    await expect(secretsManager(ids('denied')).docspaceApiKey()).rejects.toThrow(/cannot read secret "denied\/key": AccessDeniedException/);

    const throttled = { status: 400, body: { __type: 'ThrottlingException', message: 'Rate exceeded' } };
    replies = [throttled, throttled, throttled, { status: 200, body: { SecretString: 'sk-later' } }];
    const secrets = secretsManager(ids('throttled'));
    const busy = await secrets.docspaceApiKey().catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(RefusedEvent);
    expect(busy).toMatchObject({ outcome: 'unavailable' });
    expect(await secrets.docspaceApiKey()).toBe('sk-later');
  });
});
