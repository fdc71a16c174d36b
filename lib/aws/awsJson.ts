/**
 * One AWS JSON-protocol call (awsJson1_0 / awsJson1_1: `POST /` with `X-Amz-Target`), signed with SigV4 by `aws4`
 * (node:crypto) and sent with `node:http(s)` on a keep-alive agent (lib/net/request.ts). The doors' two AWS calls (Secrets Manager's
 * GetSecretValue, SQS's SendMessage) go this way instead of through the AWS SDK's clients: on a cold start the SDK's
 * client construction, credential chain and middleware stack cost several times the call itself (README, Benchmark).
 *
 * As the SDK does: credentials from the variables Lambda sets (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
 * `AWS_SESSION_TOKEN`), else the SDK's default chain (a developer's profile, SSO …), loaded on first use only; the
 * region from `AWS_REGION` (or `AWS_DEFAULT_REGION`); the endpoint from `AWS_ENDPOINT_URL_<SERVICE>`, then
 * `AWS_ENDPOINT_URL` (unless `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`), else the regional one; throttling, 5xx and
 * network errors tried three times in all with full-jitter backoff (the SDK's standard retry mode).
 */
import aws4 from 'aws4';
import { createHash } from 'node:crypto';
import { request } from '../net/request';

/** The services this module speaks to, with what their protocol and endpoints need. */
export const SECRETS_MANAGER = { signingName: 'secretsmanager', endpointId: 'SECRETS_MANAGER', targetPrefix: 'secretsmanager', jsonVersion: '1.1' } as const;
export const SQS = { signingName: 'sqs', endpointId: 'SQS', targetPrefix: 'AmazonSQS', jsonVersion: '1.0' } as const;
type Service = typeof SECRETS_MANAGER | typeof SQS;

/** An AWS call that failed: the service's error type (`ResourceNotFoundException`, …) and whether to try again later. */
export class AwsError extends Error {
  constructor(
    message: string,
    /** The error's short type, without the namespace (`ResourceNotFoundException`), or `NetworkError`. */
    readonly type: string,
    /** The HTTP status, 0 when there was no answer. */
    readonly status: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AwsError';
  }

  /** Passes with time: throttling, a 5xx, no answer. */
  get transient(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500 || THROTTLING.has(this.type);
  }
}

const THROTTLING = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'RequestThrottled', 'RequestThrottledException', 'RequestLimitExceeded', 'LimitExceededException', 'SlowDown', 'ServiceUnavailable', 'InternalFailure', 'InternalServiceError']);

type Env = Record<string, string | undefined>;

/** The endpoint configured for `service`, as the SDK reads it: `AWS_ENDPOINT_URL_<SERVICE>`, then `AWS_ENDPOINT_URL`. */
export function configuredEndpoint(service: Service, env: Env = process.env): URL | undefined {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() === 'true') return undefined;
  const configured = env[`AWS_ENDPOINT_URL_${service.endpointId}`] || env.AWS_ENDPOINT_URL;
  return configured ? new URL(configured) : undefined;
}

/** The endpoint the SDK would use for `service`: the configured one, else the regional one. */
export function endpointOf(service: Service, region: string, env: Env = process.env): URL {
  const configured = configuredEndpoint(service, env);
  if (configured) return configured;
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return new URL(`https://${service.signingName}.${region}.${suffix}`);
}

export function regionOf(env: Env = process.env): string {
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (!region) throw new AwsError('no AWS region: set AWS_REGION', 'ConfigurationError', 400);
  return region;
}

/** An AWS JSON protocol error body (`{"__type": "ns#Type", "message": …}`) as an AwsError. */
export function errorOf(status: number, body: string, queryError?: string): AwsError {
  let parsed: Record<string, unknown> = {};
  try {
    const value = JSON.parse(body) as unknown;
    if (typeof value === 'object' && value !== null) parsed = value as Record<string, unknown>;
  } catch {
    // not JSON (a proxy's page): the status alone says what happened
  }
  const rawType = typeof parsed.__type === 'string' ? parsed.__type : typeof parsed.code === 'string' ? parsed.code : '';
  // SQS also names its legacy error code in x-amzn-query-error (`AWS.SimpleQueueService.NonExistentQueue;Sender`).
  const type = (rawType.split('#').pop() || queryError?.split(';')[0] || `Http${status}`).split(':')[0] as string;
  const message = typeof parsed.message === 'string' ? parsed.message : typeof parsed.Message === 'string' ? parsed.Message : `HTTP ${status}`;
  return new AwsError(`${type}: ${message}`, type, status);
}

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

type Provider = () => Promise<Credentials>;
let chain: Promise<Provider> | undefined;

async function credentials(env: Env = process.env): Promise<Credentials> {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = env;
  if (accessKeyId && secretAccessKey) return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
  // Never on Lambda, which always sets the variables above; in the package it sits with the DynamoDB client
  // (esbuild/vendors.cjs), not in the bundle.
  chain ??= import('@aws-sdk/credential-provider-node').then(({ defaultProvider }) => defaultProvider());
  return (await chain)();
}

const TIMEOUT_MS = 10_000;

const ATTEMPTS = 3;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Calls `operation` of `service` with `input` and returns the parsed JSON answer; throws AwsError. */
export async function awsJson(service: Service, operation: string, input: unknown, options: { endpoint?: URL } = {}): Promise<Record<string, unknown>> {
  const region = regionOf();
  const url = options.endpoint ?? endpointOf(service, region);
  const body = JSON.stringify(input);
  for (let attempt = 1; ; attempt += 1) {
    let error: AwsError;
    try {
      const signed = aws4.sign(
        {
          host: url.host,
          path: url.pathname || '/',
          method: 'POST',
          service: service.signingName,
          region,
          body,
          headers: { 'content-type': `application/x-amz-json-${service.jsonVersion}`, 'x-amz-target': `${service.targetPrefix}.${operation}` },
        },
        await credentials(),
      );
      const answer = await request(new URL(signed.path ?? '/', url), { method: 'POST', headers: signed.headers ?? {}, body, timeoutMs: TIMEOUT_MS });
      if (answer.status >= 200 && answer.status < 300) return answer.text ? (JSON.parse(answer.text) as Record<string, unknown>) : {};
      const queryError = answer.headers['x-amzn-query-error'];
      error = errorOf(answer.status, answer.text, typeof queryError === 'string' ? queryError : undefined);
    } catch (cause) {
      if (cause instanceof AwsError) throw cause;
      error = new AwsError(`${service.signingName} ${operation}: ${cause instanceof Error ? cause.message : String(cause)}`, 'NetworkError', 0, { cause });
    }
    if (!error.transient || attempt >= ATTEMPTS) throw error;
    await sleep(Math.random() * Math.min(20_000, 100 * 2 ** attempt));
  }
}

/** SQS answers with the body's MD5; the SDK checks it, and so do we. */
export const md5 = (text: string): string => createHash('md5').update(text, 'utf8').digest('hex');
