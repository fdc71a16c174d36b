/**
 * Settings, all from environment variables (serverless.yml passes them through as `${env:NAME, default}`), checked
 * once per container. A wrong setting stops every invocation with a message that names it, never a silent default.
 */
import * as z from 'zod';
import { buildSourceMapping, sourceMappingSchema, type SourceMapping } from './senders/kit/mapping';
import { buildRoleMap, roleMapOverridesSchema, type RoleMap } from './roles';

const jsonObject = z.string().transform((s, ctx) => {
  try {
    return JSON.parse(s) as unknown;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'is not valid JSON' });
    return z.NEVER;
  }
});

/** Redeliveries come for days (Standard Webhooks retries for about three); a week covers every sender here. */
const DEFAULT_IDEMPOTENCY_TTL_SECONDS = 7 * 24 * 3600;

const optionalUrl = z.preprocess((v) => (v === '' ? undefined : v), z.url({ protocol: /^https?$/ }).optional());

const envSchema = z.object({
  DOCSPACE_URL: z.url({ protocol: /^https?$/ }),
  DOCSPACE_API_KEY_SECRET_ID: z.string().min(1),
  WEBHOOK_SECRET_ID: z.string().min(1),
  ROLE_MAP: z.string().optional().transform((s) => (s?.trim() ? s : '{}')).pipe(jsonObject).pipe(roleMapOverridesSchema),
  DOCSPACE_REASSIGN_USER_ID: z.preprocess((v) => (v === '' ? undefined : v), z.guid().optional()),
  /** DynamoDB table for processed event ids and stale-event watermarks; empty turns durable idempotency off. */
  IDEMPOTENCY_TABLE: z.string().trim().optional().transform((s) => (s ? s : undefined)),
  IDEMPOTENCY_TTL_SECONDS: z.coerce.number().int().min(60).default(DEFAULT_IDEMPOTENCY_TTL_SECONDS),
  /** Keep-alive connections a container keeps to DocSpace: one, as a container runs one invocation at a time. */
  DOCSPACE_CONNECTIONS: z.coerce.number().int().min(1).max(128).default(1),
  /** The senders' own APIs, read when a webhook carries ids but no values. */
  SOURCE_API_SECRET_ID: z.string().trim().default('docspace-idp-sync/source-api'),
  OKTA_ORG_URL: optionalUrl,
  BAMBOOHR_API_URL: optionalUrl,
  HIBOB_API_URL: z.url({ protocol: /^https?$/ }).default('https://api.hibob.com'),
  /** Which source fields become DocSpace contacts and roles, per sender (JSON; see lib/sources/mapping.ts). */
  SOURCE_MAPPING: z.string().optional().transform((s) => (s?.trim() ? s : '{}')).pipe(jsonObject).pipe(sourceMappingSchema),
  /** Header that carries Okta's shared secret (the "Authentication field" of the event hook). */
  OKTA_AUTH_HEADER: z.string().trim().toLowerCase().default('authorization'),
  /** Seconds a fetched secret is reused by a warm container before it is read again. */
  SECRETS_TTL_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),
});

export interface Config {
  docspaceUrl: string;
  apiKeySecretId: string;
  webhookSecretId: string;
  roles: RoleMap;
  reassignUserId?: string;
  secretsTtlSeconds: number;
  eventsTable?: string;
  idempotencyTtlSeconds: number;
  docspaceConnections: number;
  sourceApiSecretId: string;
  sourceUrls: { okta?: string; bamboohr?: string; hibob: string };
  sourceMapping: SourceMapping;
  oktaAuthHeader: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function parseConfig(env: NodeJS.ProcessEnv): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  return {
    docspaceUrl: e.DOCSPACE_URL,
    apiKeySecretId: e.DOCSPACE_API_KEY_SECRET_ID,
    webhookSecretId: e.WEBHOOK_SECRET_ID,
    roles: buildRoleMap(e.ROLE_MAP),
    ...(e.DOCSPACE_REASSIGN_USER_ID ? { reassignUserId: e.DOCSPACE_REASSIGN_USER_ID } : {}),
    secretsTtlSeconds: e.SECRETS_TTL_SECONDS,
    ...(e.IDEMPOTENCY_TABLE ? { eventsTable: e.IDEMPOTENCY_TABLE } : {}),
    idempotencyTtlSeconds: e.IDEMPOTENCY_TTL_SECONDS,
    docspaceConnections: e.DOCSPACE_CONNECTIONS,
    sourceApiSecretId: e.SOURCE_API_SECRET_ID,
    sourceUrls: {
      ...(e.OKTA_ORG_URL ? { okta: e.OKTA_ORG_URL } : {}),
      ...(e.BAMBOOHR_API_URL ? { bamboohr: e.BAMBOOHR_API_URL } : {}),
      hibob: e.HIBOB_API_URL,
    },
    sourceMapping: buildSourceMapping(e.SOURCE_MAPPING),
    oktaAuthHeader: e.OKTA_AUTH_HEADER,
  };
}

let cached: Config | undefined;

/** The configuration of this container, read on first use. */
export function config(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}
