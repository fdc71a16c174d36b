/** Invoking a handler in-process exactly as Lambda would: a real context, a direct payload or an HTTP API v2 event. */
import { setImmediate as yieldToIo } from 'node:timers/promises';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { CanonicalEventType } from '../lib/events';
import { canonicalDoor } from '../lib/http/canonicalDoor';
import { senderDoor } from '../lib/http/senderDoor';
import { signStandardWebhook } from '../lib/http/standardWebhooks';
import { workerDoor } from '../lib/queue/worker';
import type { Queue } from '../lib/queue/queue';
import { reconcileDoor } from '../lib/reconcile/door';
import { followUpDoor } from '../lib/schedule/followUp';
import { scimDoor } from '../lib/scim/door';
import type { Sender } from '../lib/senders/registry';
import { compose, type Services } from '../lib/services';
import { parseSettings } from '../lib/settings';
import type { Clock } from '../lib/store/ports';
import { LOCAL } from './stack';

export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

/**
 * Time that passes only when something waits: `sleep` moves it on at once (after letting pending I/O run), so a
 * downgrade poll every 500 ms or a Retry-After of 30 s costs a test nothing. Starts at the real time.
 */
export function virtualClock(): Clock {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    sleep: async (ms) => {
      offset += ms;
      await yieldToIo();
    },
  };
}

/**
 * The functions composed as the handlers compose them, with the given clock, from the environment at their first
 * invocation (tests set it in beforeAll): the handlers of `handlers/` with time a test controls.
 */
export function composedHandlers(clock: Clock, queue?: Queue) {
  let services: Services | undefined;
  const lazy = () => (services ??= compose(parseSettings(process.env), clock, queue));
  return {
    canonical: (...types: [CanonicalEventType, ...CanonicalEventType[]]): LambdaHandler => canonicalDoor(types, lazy),
    sender: (sender: Sender): LambdaHandler => senderDoor(sender, lazy),
    followUp: () => followUpDoor(lazy),
    scim: (): LambdaHandler => scimDoor(lazy),
    worker: (): LambdaHandler => workerDoor(lazy) as LambdaHandler,
    reconcile: (): LambdaHandler => reconcileDoor(lazy),
  };
}

/** Sets environment variables for a test file; the function it returns puts back what was there. */
export function setEnv(values: Record<string, string>): () => void {
  const before = Object.fromEntries(Object.keys(values).map((k) => [k, process.env[k]]));
  Object.assign(process.env, values);
  return () => {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

/** A Lambda context whose deadline is `timeoutMs` from now, by the given clock (the real one by default). */
export function lambdaContext(functionName = 'test', timeoutMs = 30_000, clock: Pick<Clock, 'now'> = Date): Context {
  const deadline = clock.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: crypto.randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - clock.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export function httpEvent(path: string, body: string, headers: Record<string, string> = {}, base64 = false): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: `POST ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...headers },
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method: 'POST', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: crypto.randomUUID(),
      routeKey: `POST ${path}`,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    body: base64 ? Buffer.from(body).toString('base64') : body,
    isBase64Encoded: base64,
  };
}

/** A canonical event as a sender would post it: minified JSON, signed with the local Standard Webhooks secret. */
export function signedHttpEvent(
  path: string,
  event: unknown,
  options: { secret?: string; at?: Date; base64?: boolean } = {},
): APIGatewayProxyEventV2 {
  const body = JSON.stringify(event);
  const id = `msg_${crypto.randomUUID()}`;
  const headers = signStandardWebhook(body, options.secret ?? LOCAL.signingSecret, id, options.at);
  return httpEvent(path, body, headers, options.base64);
}

export interface HttpAnswer {
  statusCode: number;
  headers: Record<string, string>;
  body: { outcome: string; userId?: string; message?: string; errors?: string[] };
}

export async function invokeHttp(handler: LambdaHandler, event: APIGatewayProxyEventV2, context = lambdaContext()): Promise<HttpAnswer> {
  const result = (await handler(event, context)) as APIGatewayProxyStructuredResultV2;
  return {
    statusCode: result.statusCode ?? 0,
    headers: (result.headers ?? {}) as Record<string, string>,
    body: JSON.parse(String(result.body)) as HttpAnswer['body'],
  };
}

/**
 * A SCIM request as API Gateway (HTTP API, payload 2.0) hands it to the function: `target` is the path under
 * /scim/v2 with its query (`/Users?filter=…`), the local token unless another (or none: null) is given.
 */
export function scimEvent(
  method: string,
  target: string,
  body?: unknown,
  options: { token?: string | null; headers?: Record<string, string>; raw?: string } = {},
): APIGatewayProxyEventV2 {
  const [pathPart = '', query = ''] = target.split(/\?(.*)/s);
  const path = `/scim/v2${pathPart}`;
  const text = options.raw ?? (body === undefined ? undefined : JSON.stringify(body));
  const token = options.token === undefined ? LOCAL.scimToken : options.token;
  return {
    version: '2.0',
    routeKey: `ANY /scim/v2/{proxy+}`,
    rawPath: path,
    rawQueryString: query,
    headers: {
      host: 'localhost:3000',
      ...(text === undefined ? {} : { 'content-type': 'application/scim+json' }),
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...options.headers,
    },
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: crypto.randomUUID(),
      routeKey: 'ANY /scim/v2/{proxy+}',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    ...(text === undefined ? {} : { body: text }),
    isBase64Encoded: false,
  };
}

export interface ScimAnswer {
  status: number;
  headers: Record<string, string>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a SCIM resource, list or error, as JSON
  body: any;
}

export async function invokeScim(handler: LambdaHandler, event: APIGatewayProxyEventV2, context = lambdaContext()): Promise<ScimAnswer> {
  const result = (await handler(event, context)) as APIGatewayProxyStructuredResultV2;
  const text = String(result.body ?? '');
  return {
    status: result.statusCode ?? 0,
    headers: (result.headers ?? {}) as Record<string, string>,
    body: text ? (JSON.parse(text) as unknown) : undefined,
  };
}
