/**
 * Secrets from AWS Secrets Manager through Powertools Parameters' secrets provider, over the AWS SDK's Secrets
 * Manager client (credentials, region, endpoint — AWS_ENDPOINT_URL_SECRETS_MANAGER reaches a local one —, signing,
 * retries as the SDK does them). Both are loaded on first use, not with the bundle. The provider caches each secret
 * for SECRETS_TTL_SECONDS per warm container (an expiry timestamp, no timer, so `invoke local` exits as soon as the
 * handler returns) and reads it again on demand after a 401 (`forceFetch`). Values are handed down as plain strings
 * and never logged.
 */
import type { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import * as z from 'zod';
import { ConfigurationError, DEFAULT_RETRY_AFTER_SECONDS, RefusedEvent } from '../outcome';
import type { Secrets } from './secrets';

/** A secret that cannot be read or does not hold what it should: the operator must act. */
class SecretError extends ConfigurationError {}

/** A request to Secrets Manager that has not answered in this long has failed (the SDK sets no limit). */
const REQUEST_TIMEOUT_MS = 10_000;

/** One provider (one client, one cache) per container, made on the first read. */
let provider: Promise<SecretsProvider> | undefined;
const secretsProvider = () =>
  (provider ??= import('@aws-lambda-powertools/parameters/secrets').then(
    ({ SecretsProvider: Provider }) =>
      new Provider({ clientConfig: { requestHandler: { requestTimeout: REQUEST_TIMEOUT_MS, connectionTimeout: REQUEST_TIMEOUT_MS } } }),
  ));

/** What the SDK attaches to the errors it throws (a modeled service error, or a request that got no answer). */
interface SdkError extends Error {
  $fault?: 'client' | 'server';
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
  code?: string;
}

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestThrottled',
  'RequestThrottledException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'SlowDown',
]);
const NO_ANSWER = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** Passes with time: throttling, a 5xx, a timeout or no answer at all (what the SDK retried, three times in all). */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const e = error as SdkError;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined)
    return status === 429 || status >= 500 || e.$fault === 'server' || e.$retryable !== undefined || THROTTLING.has(e.name);
  return e.$retryable !== undefined || e.name === 'TimeoutError' || (e.code !== undefined && NO_ANSWER.has(e.code));
}

/** The SDK's error, `Name: message`; Parameters wraps it in a GetParameterError whose cause it is. */
const reasonOf = (error: unknown): { cause: unknown; reason: string } => {
  const cause = error instanceof Error && error.name === 'GetParameterError' && error.cause !== undefined ? error.cause : error;
  const reason =
    cause instanceof Error
      ? cause.name && cause.name !== 'Error' && !cause.message.startsWith(cause.name)
        ? `${cause.name}: ${cause.message}`
        : cause.message
      : String(cause);
  return { cause, reason };
};

/** Reads in flight by secret id: the callers that want the same secret at once share one request. */
const reading = new Map<string, Promise<string | undefined>>();

async function fetchSecretString(secretId: string, ttlSeconds: number, refresh: boolean): Promise<string | undefined> {
  try {
    const value = await (await secretsProvider()).get(secretId, { maxAge: ttlSeconds, forceFetch: refresh });
    return typeof value === 'string' ? value : undefined;
  } catch (error) {
    // The service's message names the secret and the reason, never its value.
    const { cause, reason } = reasonOf(error);
    if (isTransient(cause)) {
      throw new RefusedEvent('unavailable', `cannot read secret "${secretId}" now: ${reason}`, undefined, DEFAULT_RETRY_AFTER_SECONDS);
    }
    throw new SecretError(`cannot read secret "${secretId}": ${reason}`, { cause });
  }
}

async function readSecretString(secretId: string, ttlSeconds: number, refresh: boolean): Promise<string> {
  // The provider keeps what it read until the TTL and keeps no failure: the next call after one asks again.
  let read = refresh ? undefined : reading.get(secretId);
  if (!read) {
    const started = fetchSecretString(secretId, ttlSeconds, refresh).finally(() => {
      if (reading.get(secretId) === started) reading.delete(secretId);
    });
    reading.set(secretId, started);
    read = started;
  }
  const value = await read;
  if (typeof value !== 'string' || value.trim() === '') {
    throw new SecretError(`secret "${secretId}" has no SecretString`);
  }
  return value.trim();
}

/** Built once per field: zod compiles a schema on first use, so schemas are not made per call. */
const fieldSchemas = new Map<string, z.ZodType<Record<string, string>>>();
const schemaFor = (field: string) => {
  let schema = fieldSchemas.get(field);
  if (!schema) {
    schema = z.object({ [field]: z.string().min(1) });
    fieldSchemas.set(field, schema);
  }
  return schema;
};

/** A secret string is either the bare value or a JSON object holding it under `field`. */
function pick(secretId: string, raw: string, field: string): string {
  if (!raw.startsWith('{')) return raw;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new SecretError(`secret "${secretId}" looks like JSON but does not parse`);
  }
  const value = schemaFor(field).safeParse(parsed);
  if (!value.success) throw new SecretError(`secret "${secretId}" has no string field "${field}"`);
  return value.data[field] as string;
}

/** The DocSpace API key: the bare `sk-…` key, or `{"apiKey": "sk-…"}`. */
async function docSpaceApiKey(secretId: string, ttlSeconds: number, refresh = false): Promise<string> {
  return pick(secretId, await readSecretString(secretId, ttlSeconds, refresh), 'apiKey');
}

/**
 * A sender's signing secret. The webhook secret holds one key per sender as JSON
 * (`{"standardWebhooks": "whsec_…", "okta": "…"}`); a bare string is the Standard Webhooks secret.
 */
async function signingSecret(secretId: string, ttlSeconds: number, sender: string): Promise<string> {
  const raw = await readSecretString(secretId, ttlSeconds, false);
  if (!raw.startsWith('{') && sender !== 'standardWebhooks') {
    throw new SecretError(`secret "${secretId}" must be JSON with a "${sender}" field`);
  }
  return pick(secretId, raw, sender);
}

/** A secret whose string must be JSON (`shape` says what is expected, for the error). */
async function readSecretJson(secretId: string, ttlSeconds: number, refresh = false, shape = 'JSON'): Promise<unknown> {
  const raw = await readSecretString(secretId, ttlSeconds, refresh);
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new SecretError(`secret "${secretId}" must be ${shape}`);
  }
}

/** A list of bearer tokens under `field` of the webhook secret: a string or an array of strings, none empty. */
const tokensSchema = z.union([
  z
    .string()
    .min(1)
    .transform((t) => [t]),
  z.array(z.string().min(1)).min(1),
]);

async function bearerTokens(secretId: string, ttlSeconds: number, field: string, refresh: boolean): Promise<string[]> {
  const parsed = await readSecretJson(secretId, ttlSeconds, refresh, `JSON with a "${field}" field`);
  const tokens = tokensSchema.safeParse(
    typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>)[field] : undefined,
  );
  if (!tokens.success) throw new SecretError(`secret "${secretId}" has no "${field}" field holding a token or a list of tokens`);
  return tokens.data;
}

export interface SecretIds {
  apiKeySecretId: string;
  webhookSecretId: string;
  senderApiSecretId: string;
  secretsTtlSeconds: number;
}

/** The Secrets port on AWS Secrets Manager (AWS_ENDPOINT_URL_SECRETS_MANAGER reaches a local one). */
export function secretsManager(ids: SecretIds): Secrets {
  const ttl = ids.secretsTtlSeconds;
  return {
    docspaceApiKey: (refresh = false) => docSpaceApiKey(ids.apiKeySecretId, ttl, refresh),
    signingSecret: (key) => signingSecret(ids.webhookSecretId, ttl, key),
    bearerTokens: (key, refresh = false) => bearerTokens(ids.webhookSecretId, ttl, key, refresh),
    async webhookKeys() {
      const raw = await readSecretString(ids.webhookSecretId, ttl, false);
      if (!raw.startsWith('{')) return ['standardWebhooks'];
      const secret = await readSecretJson(ids.webhookSecretId, ttl, false, 'a bare Standard Webhooks secret or a JSON object of keys');
      return typeof secret === 'object' && secret !== null && !Array.isArray(secret) ? Object.keys(secret) : [];
    },
    async senderCredentials(sender) {
      const secret = await readSecretJson(ids.senderApiSecretId, ttl);
      return typeof secret === 'object' && secret !== null ? (secret as Record<string, unknown>)[sender] : undefined;
    },
  };
}
