/**
 * Settings, all from environment variables (serverless.yml passes them through as `${env:NAME, default}`), checked
 * once per container by the composition root. A wrong setting that every request uses stops every invocation with a
 * message that names it, never a silent default; the queue's settings are checked only where an event is enqueued
 * (lib/queue/address.ts), so a direct invocation or sync mode never fails on them. The senders' own settings (API URL, options) are named by their registry entries.
 */
import * as z from 'zod';
import type { UserType } from './docspace/types';
import { ConfigurationError } from './outcome';
import { buildRoleMap, roleMapOverridesSchema, type RoleMap } from './roles';
import { buildSenderMapping, senderMappingSchema, type SenderMappings } from './senders/mapping';
import { SENDER_NAMES, senderEntry, type Sender } from './senders/registry';

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

const blankIsUnset = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const httpUrl = z.url({ protocol: /^https?$/ });
const jsonSetting = <T extends z.ZodType>(schema: T) =>
  z
    .string()
    .optional()
    .transform((s) => (s?.trim() ? s : '{}'))
    .pipe(jsonObject)
    .pipe(schema);

const envSchema = z.object({
  DOCSPACE_URL: httpUrl,
  DOCSPACE_API_KEY_SECRET_ID: z.string().min(1),
  WEBHOOK_SECRET_ID: z.string().min(1),
  ROLE_MAP: jsonSetting(roleMapOverridesSchema),
  DOCSPACE_REASSIGN_USER_ID: z.preprocess(blankIsUnset, z.guid().optional()),
  /** DynamoDB table for processed event ids, member marks and the member directory; empty turns them off. */
  IDEMPOTENCY_TABLE: z
    .string()
    .trim()
    .optional()
    .transform((s) => (s ? s : undefined)),
  IDEMPOTENCY_TTL_SECONDS: z.coerce.number().int().min(60).default(DEFAULT_IDEMPOTENCY_TTL_SECONDS),
  /** Keep-alive connections a container keeps to DocSpace: one, as a container runs one invocation at a time. */
  DOCSPACE_CONNECTIONS: z.coerce.number().int().min(1).max(128).default(1),
  /** The secret with each sender's API credentials, read when a webhook carries ids but no values. */
  SENDER_API_SECRET_ID: z.string().trim().default('docspace-idp-sync/source-api'),
  /** Which sender fields become DocSpace contacts and roles, per sender (JSON; see lib/senders/mapping.ts). */
  SENDER_MAPPING: jsonSetting(senderMappingSchema),
  /** What a SCIM DELETE does to the DocSpace member: disable them (default), or disable then delete them. */
  /** SCIM groups whose members get a DocSpace type (JSON: group display name → type), e.g. {"DocSpace Admins": "DocSpaceAdmin"}. */
  SCIM_GROUP_TYPES: jsonSetting(roleMapOverridesSchema),
  SCIM_DELETE: z.preprocess(blankIsUnset, z.enum(['disable', 'delete']).default('disable')),
  /** queue: the webhook doors verify, translate, enqueue and answer at once, and the worker applies; sync: the doors apply. */
  DELIVERY_MODE: z.preprocess(blankIsUnset, z.enum(['queue', 'sync']).default('sync')),
  /**
   * The SQS FIFO queue the doors send to in queue mode: its name (serverless.yml: the stack's queue), or its URL,
   * which wins when set (npm start's local queue). Checked where an event is enqueued (lib/queue/address.ts), not
   * here: a direct invocation and sync mode need no queue.
   */
  QUEUE_NAME: z.preprocess(blankIsUnset, z.string().trim().optional()),
  QUEUE_URL: z.preprocess(blankIsUnset, z.string().trim().optional()),
  /** One idempotency key prefix for every function, so doors, worker, SCIM and follow-ups share one key space. */
  IDEMPOTENCY_KEY_PREFIX: z.preprocess(blankIsUnset, z.string().trim().min(1).default('docspace-idp-sync')),
  /**
   * Comma-separated key prefixes earlier versions wrote (Powertools' default: each function's name): an event found
   * completed under one of them is answered from there, not applied again. Empty once IDEMPOTENCY_TTL_SECONDS passed.
   */
  IDEMPOTENCY_LEGACY_PREFIXES: z
    .string()
    .optional()
    .transform((s) =>
      (s ?? '')
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean),
    ),
  /**
   * Plan mode for the whole stage: every door but SCIM answers with the writes it would make and applies nothing
   * (a trial hookup of a sender to a staging URL). Only `true` and `false`: a typo must not apply for real.
   */
  DRY_RUN: z.preprocess(blankIsUnset, z.enum(['true', 'false']).default('false')).transform((v) => v === 'true'),
  /** Reconciliation's safety threshold: a run that would disable or downgrade more members than this applies neither… */
  RECONCILE_MAX_DISABLE: z.coerce.number().int().min(0).default(25),
  /** …nor one that would disable or downgrade more than this percentage of the sender's managed members (from 3 on). */
  RECONCILE_MAX_DISABLE_PERCENT: z.coerce.number().min(0).max(100).default(10),
  /** Seconds a fetched secret is reused by a warm container before it is read again. */
  SECRETS_TTL_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),
});

/** Every setting the schema reads, by name (the configuration page lists each; the docs test checks it). */
export const SETTING_NAMES: readonly string[] = Object.keys(envSchema.shape);

/** Old names that still work; the new name wins when both are set. */
const DEPRECATED_SETTINGS: Record<string, string> = {
  SOURCE_API_SECRET_ID: 'SENDER_API_SECRET_ID',
  SOURCE_MAPPING: 'SENDER_MAPPING',
};

interface SenderSettings {
  /** Base URL of the sender's API, when set. */
  apiUrl?: string;
  /** The adapter's own options (for Okta, the header that carries the shared secret). */
  options: Record<string, string>;
}

export interface Settings {
  docspaceUrl: string;
  apiKeySecretId: string;
  webhookSecretId: string;
  roles: RoleMap;
  reassignUserId?: string;
  secretsTtlSeconds: number;
  eventsTable?: string;
  idempotencyTtlSeconds: number;
  docspaceConnections: number;
  senderApiSecretId: string;
  senders: Record<Sender, SenderSettings>;
  mappings: SenderMappings;
  scimDelete: 'disable' | 'delete';
  /** SCIM_GROUP_TYPES, by display name in lower case. */
  scimGroupTypes: ReadonlyMap<string, UserType>;
  deliveryMode: 'queue' | 'sync';
  queueUrl?: string;
  queueName?: string;
  idempotencyKeyPrefix: string;
  idempotencyLegacyPrefixes: string[];
  /** DRY_RUN: plan, never apply (SCIM refuses). */
  dryRun: boolean;
  reconcileThreshold: { maxDisable: number; maxDisablePercent: number };
}

function senderSettings(env: NodeJS.ProcessEnv, problems: string[]): Record<Sender, SenderSettings> {
  const out = {} as Record<Sender, SenderSettings>;
  for (const name of SENDER_NAMES) {
    const entry = senderEntry(name);
    const raw = blankIsUnset(env[entry.apiUrl.setting]) ?? entry.apiUrl.default;
    const url = raw === undefined ? undefined : httpUrl.safeParse(raw);
    if (url && !url.success) problems.push(`${entry.apiUrl.setting}: ${url.error.issues[0]?.message ?? 'invalid URL'}`);
    const options = Object.fromEntries(
      Object.entries(entry.options ?? {}).map(([key, option]) => [
        key,
        option.parse((blankIsUnset(env[option.setting]) as string | undefined) ?? option.default),
      ]),
    );
    out[name] = { ...(url?.success ? { apiUrl: url.data } : {}), options };
  }
  return out;
}

export function parseSettings(env: NodeJS.ProcessEnv): Settings {
  const withDeprecated = { ...env };
  for (const [old, current] of Object.entries(DEPRECATED_SETTINGS)) {
    if (blankIsUnset(withDeprecated[current]) === undefined && withDeprecated[old] !== undefined)
      withDeprecated[current] = withDeprecated[old];
  }
  const parsed = envSchema.safeParse(withDeprecated);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  const senders = senderSettings(env, problems);
  if (!parsed.success || problems.length > 0) {
    throw new ConfigurationError(
      `invalid configuration: ${problems.join('; ')} (each is an environment variable: deployed, set it where you run \`serverless deploy\`; locally, in the shell that runs \`npm start\`, \`serverless invoke local\` or \`serverless offline\`; docs/configuration.md describes every setting)`,
    );
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
    senderApiSecretId: e.SENDER_API_SECRET_ID,
    senders,
    mappings: buildSenderMapping(e.SENDER_MAPPING),
    scimDelete: e.SCIM_DELETE,
    scimGroupTypes: new Map(Object.entries(e.SCIM_GROUP_TYPES).map(([name, type]) => [name.trim().toLowerCase(), type])),
    deliveryMode: e.DELIVERY_MODE,
    ...(e.QUEUE_URL ? { queueUrl: e.QUEUE_URL } : {}),
    ...(e.QUEUE_NAME ? { queueName: e.QUEUE_NAME } : {}),
    idempotencyKeyPrefix: e.IDEMPOTENCY_KEY_PREFIX,
    idempotencyLegacyPrefixes: e.IDEMPOTENCY_LEGACY_PREFIXES,
    dryRun: e.DRY_RUN,
    reconcileThreshold: { maxDisable: e.RECONCILE_MAX_DISABLE, maxDisablePercent: e.RECONCILE_MAX_DISABLE_PERCENT },
  };
}
