/**
 * Secrets from AWS Secrets Manager (GetSecretValue as one signed call, lib/aws/awsJson.ts): cached per warm container
 * for a TTL (an expiry timestamp, no timer, so `invoke local` exits as soon as the handler returns) and re-read on
 * demand after a 401. Values are handed down as plain strings and never logged.
 */
import * as z from 'zod';
import { AwsError, awsJson, SECRETS_MANAGER } from '../aws/awsJson';
import { ConfigurationError, DEFAULT_RETRY_AFTER_SECONDS, RefusedEvent } from '../outcome';
import type { Secrets } from './secrets';

/** A secret that cannot be read or does not hold what it should: the operator must act. */
class SecretError extends ConfigurationError {}

/** Secret strings by id, until their expiry; a read in flight is shared by the callers that wait for it. */
const cache = new Map<string, { value: Promise<string | undefined>; expires: number }>();

async function fetchSecretString(secretId: string): Promise<string | undefined> {
  try {
    const answer = await awsJson(SECRETS_MANAGER, 'GetSecretValue', { SecretId: secretId });
    return typeof answer.SecretString === 'string' ? answer.SecretString : undefined;
  } catch (error) {
    // The service's message names the secret and the reason, never its value.
    const reason = error instanceof Error ? error.message : String(error);
    if (error instanceof AwsError && error.transient) {
      throw new RefusedEvent('unavailable', `cannot read secret "${secretId}" now: ${reason}`, undefined, DEFAULT_RETRY_AFTER_SECONDS);
    }
    throw new SecretError(`cannot read secret "${secretId}": ${reason}`, { cause: error });
  }
}

async function readSecretString(secretId: string, ttlSeconds: number, refresh: boolean): Promise<string> {
  const now = Date.now();
  let entry = cache.get(secretId);
  if (refresh || !entry || entry.expires <= now) {
    entry = { value: fetchSecretString(secretId), expires: now + ttlSeconds * 1000 };
    cache.set(secretId, entry);
    // A failed read is not kept: the next call tries again.
    const failed = entry;
    failed.value.catch(() => {
      if (cache.get(secretId) === failed) cache.delete(secretId);
    });
  }
  const value = await entry.value;
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
const tokensSchema = z.union([z.string().min(1).transform((t) => [t]), z.array(z.string().min(1)).min(1)]);

async function bearerTokens(secretId: string, ttlSeconds: number, field: string, refresh: boolean): Promise<string[]> {
  const parsed = await readSecretJson(secretId, ttlSeconds, refresh, `JSON with a "${field}" field`);
  const tokens = tokensSchema.safeParse(typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>)[field] : undefined);
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
