/**
 * `npm run preflight [-- --stage <stage>]`: does this setup work? The checks, in order, each on what the earlier ones
 * proved, one line each (`ok   …`, `skip …: why`, `FAIL …: what is wrong and how to fix it`), stopping at the first
 * failure:
 *  1. the functions' settings parse (parseSettings, the functions' own check);
 *  2. for a stage, each function's role may read the secrets that function reads (the packaged IAM statements);
 *     then each secret is readable and holds what the code reads from it (the Secrets port's own readers);
 *  3. DocSpace answers with the key (`GET api/2.0/people/@self`), and the key's member may manage members;
 *  4. each configured sender's API answers its credentials (the adapter's `probe`, one read);
 *  5. the events table answers (a GetItem of a key that is never written) and, in queue mode, the queue exists.
 * Everything is read, nothing is written; no secret value is printed.
 *
 * Locally the target is the running `npm start` stack (its environment, under the shell's); for a stage, the
 * configuration `serverless deploy --stage <stage>` would deploy from this shell (stage.ts), read with the caller's
 * AWS credentials.
 */
import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import { DocSpaceError } from '../docspace/errors';
import { userTypeName, userTypeOf, type Profile } from '../docspace/types';
import { systemClock } from '../net/retry';
import { resolveQueueUrl } from '../queue/address';
import { sqs } from '../queue/sqsClient';
import { SENDER_NAMES, senderEntry, type Sender } from '../senders/registry';
import { compose, type Services } from '../services';
import { parseSettings, type Settings } from '../settings';
import { allows, secretArn, shownArn, type Place } from './iam';
import { printStage, stageConfig, type StageConfig } from './stage';

export type Target =
  /** The running `npm start` stack: `env` is its environment under the shell's (process.env must match it). */
  | { kind: 'local'; env: NodeJS.ProcessEnv }
  /** A deployed stage, configured as a deploy from this shell (run in `cwd`, the repository). */
  | { kind: 'stage'; stage: string; cwd: string };

/** A check's failure as the reader should read it: what is wrong (the message) and how to fix it. */
class Problem extends Error {}

/** Ends the run after the first FAIL line. */
class Stop extends Error {}

interface Passed<T> {
  value: T;
  detail?: string;
}

type Advice = (error: unknown) => string | undefined;

function messageOf(error: unknown): string {
  if (error instanceof DocSpaceError) {
    const said = error.message === `HTTP ${error.status}` ? '' : `: ${error.message}`;
    return `DocSpace answered ${error.status || 'nothing'} to ${error.method} ${error.path}${said}`;
  }
  if (!(error instanceof Error)) return String(error);
  // The AWS SDK's errors say their type in the name only (`ResourceNotFoundException`).
  return error.name.endsWith('Exception') && !error.message.startsWith(error.name) ? `${error.name}: ${error.message}` : error.message;
}

function reporter(line: (text: string) => void) {
  return {
    async check<T>(name: string, run: () => Promise<Passed<T>>, advice: Advice = () => undefined): Promise<T> {
      let passed: Passed<T>;
      try {
        passed = await run();
      } catch (error) {
        const fix = error instanceof Problem ? undefined : advice(error);
        const said = messageOf(error).replace(/[.\s]+$/, '');
        line(`FAIL ${name}: ${said}${fix ? ` — ${fix}` : ''}`);
        throw new Stop();
      }
      line(`ok   ${name}${passed.detail ? ` (${passed.detail})` : ''}`);
      return passed.value;
    },
    skip(name: string, why: string): void {
      line(`skip ${name}: ${why}`);
    },
  };
}
type Reporter = ReturnType<typeof reporter>;

/** Time for one check's requests (the clients retry a passing failure while there is time). */
function within(ms: number): () => number {
  const end = Date.now() + ms;
  return () => end - Date.now();
}

/** The secrets a function reads, by its handler module (handlers/*.ts); one not listed is taken to read all three. */
type SecretKind = 'apiKey' | 'webhook' | 'senderApi';
const SECRETS_READ_BY: Record<string, readonly SecretKind[]> = {
  // The doors verify with the webhook secret; in sync mode (and a DRY_RUN stage's plan) they read DocSpace.
  userCreated: ['webhook', 'apiKey'],
  userRoleChanged: ['webhook', 'apiKey'],
  userContactUpdated: ['webhook', 'apiKey'],
  userStatusChanged: ['webhook', 'apiKey'],
  // The sender doors also read the sender's API when a delivery carries ids only.
  oktaHook: ['webhook', 'senderApi', 'apiKey'],
  bamboohrHook: ['webhook', 'senderApi', 'apiKey'],
  hibobHook: ['webhook', 'senderApi', 'apiKey'],
  scim: ['webhook', 'apiKey'],
  worker: ['apiKey'],
  followUp: ['apiKey'],
  reconcile: ['apiKey', 'senderApi'],
};
const ALL_SECRETS: readonly SecretKind[] = ['apiKey', 'webhook', 'senderApi'];

const secretIdOf = (settings: Settings, kind: SecretKind) =>
  kind === 'apiKey' ? settings.apiKeySecretId : kind === 'webhook' ? settings.webhookSecretId : settings.senderApiSecretId;

/** How a setting is changed, for the advice of a failed check. */
function howToSet(target: Target): string {
  return target.kind === 'local'
    ? 'set it in the shell you run npm start and npm run preflight from (docs/configuration.md lists every setting)'
    : `export it in this shell as for serverless deploy --stage ${target.stage}, which reads every setting from the environment, then deploy (docs/configuration.md lists every setting)`;
}

interface Loaded {
  settings: Settings;
  env: Record<string, string | undefined>;
  stage?: StageConfig;
}

async function loadSettings(target: Target): Promise<Passed<Loaded>> {
  if (target.kind === 'local') {
    const settings = parseSettings(target.env);
    return {
      value: { settings, env: target.env },
      detail: `the local stack: ${settings.deliveryMode} mode, DocSpace at ${settings.docspaceUrl}`,
    };
  }
  const stage = stageConfig(target.stage, await printStage(target.stage, target.cwd));
  const first = stage.functions[0];
  if (!first) throw new Problem(`serverless print --stage ${target.stage} shows no functions`);
  for (const fn of stage.functions) {
    try {
      parseSettings(fn.env);
    } catch (error) {
      const deployTime = stage.deployTime.filter((name) => messageOf(error).includes(name));
      const note = deployTime.length ? ` (${deployTime.join(', ')}: filled in by CloudFormation at deploy time, so unknown here)` : '';
      throw new Problem(`function ${fn.name}: ${messageOf(error)}${note} — ${howToSet(target)}`);
    }
  }
  // The reads below go to the stage's region, with the caller's credentials.
  process.env.AWS_REGION = stage.region;
  const settings = parseSettings(first.env);
  const later = stage.deployTime.length ? `; filled in at deploy, not checked: ${stage.deployTime.join(', ')}` : '';
  return {
    value: { settings, env: first.env, stage },
    detail: `stage ${stage.stage} in ${stage.region}: ${stage.functions.length} functions, ${settings.deliveryMode} mode, DocSpace at ${settings.docspaceUrl}${later}`,
  };
}

/** Stage only: every function's role allows GetSecretValue on each secret that function reads (by its own settings). */
function checkRoles(report: Reporter, stage: StageConfig): Promise<void> {
  const place: Place = { region: stage.region };
  const external = new Map<string, string[]>();
  const checked = new Map<string, number>();
  /** The functions a role does not let read a secret, by role, secret and verdict. */
  const refused = new Map<string, { label: string; id: string; verdict: string; readers: string[] }>();
  for (const fn of stage.functions) {
    if (fn.role.kind === 'external') {
      external.set(fn.role.label, [...(external.get(fn.role.label) ?? []), fn.name]);
      continue;
    }
    checked.set(fn.role.label, (checked.get(fn.role.label) ?? 0) + 1);
    const settings = parseSettings(fn.env);
    for (const kind of SECRETS_READ_BY[fn.handler] ?? ALL_SECRETS) {
      const id = secretIdOf(settings, kind);
      const verdict = allows(fn.role.statements, 'secretsmanager:GetSecretValue', secretArn(id, place), place);
      if (verdict === 'allowed') continue;
      const key = JSON.stringify([fn.role.label, id, verdict]);
      refused.set(key, { label: fn.role.label, id, verdict, readers: [...(refused.get(key)?.readers ?? []), fn.name] });
    }
  }
  for (const [label, names] of external) {
    report.skip(
      `IAM ${label}`,
      `made outside this stack, so its statements are not in serverless.yml: check that it allows secretsmanager:GetSecretValue on the secrets of ${names.join(', ')}`,
    );
  }
  return report.check("the functions' roles may read their secrets", async () => {
    const [first] = refused.values();
    if (first) {
      const { label, id, verdict, readers } = first;
      const pattern = shownArn(id, place);
      throw new Problem(
        `${readers.join(', ')} read secret ${id}${pattern === id ? '' : ` (${pattern})`} and run with ${label}, which ${verdict === 'denied' ? 'denies' : 'does not allow'} secretsmanager:GetSecretValue on it — ` +
          `give that role an Allow statement for this ARN in serverless.yml${verdict === 'denied' ? ' and remove the Deny' : ''}, then deploy`,
      );
    }
    const described = [...checked].map(([label, count]) => `${label}: ${count} function(s)`).join('; ');
    return { value: undefined, detail: described || 'no role made by this stack' };
  });
}

/** How to fix a secret that cannot be read, or does not hold what it should. */
function secretAdvice(target: Target, id: string, setting: string, example: string): Advice {
  return (error) => {
    const message = messageOf(error);
    if (/ResourceNotFound/.test(message)) {
      return target.kind === 'local'
        ? `npm start creates it: is npm start running (on these ports)? Or ${setting} in this shell names another secret`
        : `create it (aws secretsmanager create-secret --name ${id} --secret-string '${example}'), or set ${setting} to its name`;
    }
    if (/AccessDenied|credentials|security token|signature/i.test(message)) {
      return 'preflight reads with your AWS credentials, as the AWS CLI does (AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY): use credentials that may read it';
    }
    if (/ now: /.test(message)) {
      return target.kind === 'local'
        ? 'is npm start running? (it serves the local Secrets Manager)'
        : `check the network and the region (${process.env.AWS_REGION ?? 'unset'})`;
    }
    return `put ${example} in it`;
  };
}

/** The fields an adapter's credentials have, for the advice (`{"apiToken": "…"}`). */
function credentialsExample(sender: Sender): string {
  const schema = senderEntry(sender).adapter.api.credentials;
  const fields = schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
  return `{"${sender}": {${fields.map((f) => `"${f}": "…"`).join(', ')}}}`;
}

/** A sender in use: why it counts as one, and its API's base URL when set. */
interface SenderUse {
  why: string;
  apiUrl?: string;
}

/** The senders in use: an API URL set that has no default (HiBob's has one), or an entry in either secret. */
function sendersInUse(
  settings: Settings,
  webhookKeys: readonly string[],
  credentials: Partial<Record<Sender, unknown>>,
): Map<Sender, SenderUse> {
  const used = new Map<Sender, SenderUse>();
  for (const sender of SENDER_NAMES) {
    const entry = senderEntry(sender);
    const apiUrl = settings.senders[sender].apiUrl;
    const why =
      entry.apiUrl.default === undefined && apiUrl
        ? `${entry.apiUrl.setting} is set`
        : webhookKeys.includes(sender)
          ? `the webhook secret has a "${sender}" key`
          : credentials[sender] !== undefined
            ? `the sender API secret has "${sender}" credentials`
            : undefined;
    if (why) used.set(sender, { why, ...(apiUrl ? { apiUrl } : {}) });
  }
  return used;
}

async function checkSecrets(report: Reporter, target: Target, services: Services, settings: Settings): Promise<Map<Sender, SenderUse>> {
  const { secrets } = services;
  await report.check(
    `DocSpace API key secret ${settings.apiKeySecretId}`,
    async () => {
      await secrets.docspaceApiKey();
      return { value: undefined, detail: 'holds a key' };
    },
    secretAdvice(target, settings.apiKeySecretId, 'DOCSPACE_API_KEY_SECRET_ID', '{"apiKey": "sk-…"}'),
  );

  // The sender API secret's entries say which senders are in use; its own line comes after the webhook secret's.
  const credentials: Partial<Record<Sender, unknown>> = {};
  let credentialsError: Error | undefined;
  try {
    for (const sender of SENDER_NAMES) credentials[sender] = await secrets.senderCredentials(sender);
  } catch (error) {
    credentialsError = error instanceof Error ? error : new Error(String(error));
  }

  const used = await report.check(
    `webhook secret ${settings.webhookSecretId}`,
    async () => {
      const keys = await secrets.webhookKeys();
      const used = sendersInUse(settings, keys, credentials);
      for (const [sender, use] of used) {
        if (keys.includes(sender)) continue;
        throw new Problem(
          `no "${sender}" key, which the ${sender} door (POST ${senderEntry(sender).route}) checks every delivery with, and ${sender} is in use (${use.why}): ` +
            `add "${sender}": "<the signing secret ${sender} gives the webhook>" to the secret (docs/senders/${sender}.md)`,
        );
      }
      // Each key there is read as its door reads it: the signing secrets as strings, the SCIM tokens as one or a list.
      const doors: string[] = [];
      for (const key of ['standardWebhooks', ...SENDER_NAMES]) {
        if (!keys.includes(key)) continue;
        await secrets.signingSecret(key);
        doors.push(key);
      }
      if (keys.includes('scim')) {
        await secrets.bearerTokens('scim');
        doors.push('scim');
      }
      const without = [
        ...(keys.includes('standardWebhooks') ? [] : ['no standardWebhooks key, so the /webhooks/user-* doors answer misconfigured']),
        ...(keys.includes('scim') ? [] : ['no scim token, so /scim/v2 answers misconfigured']),
      ];
      return { value: used, detail: `keys for ${doors.join(', ') || 'no door'}${without.length ? `; ${without.join('; ')}` : ''}` };
    },
    secretAdvice(target, settings.webhookSecretId, 'WEBHOOK_SECRET_ID', '{"standardWebhooks": "whsec_…", "okta": "…", "scim": "…"}'),
  );

  const readers = [...used].filter(([, use]) => use.apiUrl !== undefined);
  const name = `sender API secret ${settings.senderApiSecretId}`;
  if (readers.length === 0 && credentialsError) {
    report.skip(name, `no sender in use has an API URL, so nothing reads it (${messageOf(credentialsError)})`);
    return used;
  }
  await report.check(
    name,
    async () => {
      if (credentialsError) throw credentialsError;
      for (const [sender, use] of readers) {
        const own = credentials[sender];
        const { setting } = senderEntry(sender).apiUrl;
        if (own === undefined) {
          throw new Problem(
            `no "${sender}" credentials, which the ${sender} API (${setting}) is read with, and ${sender} is in use (${use.why}): add ${credentialsExample(sender)} to the secret (docs/senders/${sender}.md)`,
          );
        }
        const parsed = senderEntry(sender).adapter.api.credentials.safeParse(own);
        if (!parsed.success) {
          throw new Problem(
            `the "${sender}" credentials are malformed (${parsed.error.issues.map((i) => i.path.join('.') || '(the entry)').join(', ')}): the ${sender} adapter reads ${credentialsExample(sender)}`,
          );
        }
      }
      return {
        value: undefined,
        detail: readers.length ? `credentials for ${readers.map(([s]) => s).join(', ')}` : 'no sender in use has an API URL',
      };
    },
    secretAdvice(target, settings.senderApiSecretId, 'SENDER_API_SECRET_ID', credentialsExample(SENDER_NAMES[0])),
  );
  return used;
}

/** Stands for a member's type in the lines: the owner, a DocSpace admin, or the type's name. */
function memberKind(profile: Profile): string {
  if (profile.isOwner) return 'the portal owner';
  if (profile.isAdmin) return 'a DocSpace admin';
  return `a ${userTypeName(userTypeOf(profile))}`;
}

async function checkDocSpace(report: Reporter, target: Target, services: Services, settings: Settings): Promise<void> {
  const makeKey = `create a key as the portal owner or a DocSpace admin (DocSpace: Settings, Developer Tools, API keys; full access) and put it in secret ${settings.apiKeySecretId}`;
  const profile = await report.check(
    `DocSpace ${settings.docspaceUrl} answers with the key`,
    async () => {
      const profile = await services.docspaceFor(within(20_000)).people.self();
      return { value: profile, detail: `GET api/2.0/people/@self: the key is ${memberKind(profile)}'s` };
    },
    (error) => {
      if (!(error instanceof DocSpaceError)) return undefined;
      if (error.status === 401)
        return `DocSpace does not know the key in secret ${settings.apiKeySecretId} (wrong, expired or revoked), or its member is disabled: ${makeKey}`;
      if (error.status === 403) return `the key may not read profiles (a read-only key or narrower scopes): ${makeKey}`;
      if (error.status === 0)
        return target.kind === 'local'
          ? 'is npm start running? (it serves the local DocSpace)'
          : `check DOCSPACE_URL (${settings.docspaceUrl}) and that this machine reaches it`;
      if (error.status === 404 || error.status === 405) return `DOCSPACE_URL (${settings.docspaceUrl}) is not a DocSpace portal's address`;
      return undefined;
    },
  );
  await report.check('DocSpace key may manage members', async () => {
    if (profile.isOwner) return { value: undefined, detail: 'the portal owner' };
    if (profile.isAdmin)
      return {
        value: undefined,
        detail: 'a DocSpace admin, not the owner: only the owner makes or changes DocSpace admins, so events that would make one fail',
      };
    throw new Problem(
      `the key is ${memberKind(profile)}'s (member ${profile.id}), and DocSpace lets only the owner and DocSpace admins add, re-type and disable members: ${makeKey}`,
    );
  });
}

const statusOf = (error: unknown): number | undefined => {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
};

async function checkSenders(report: Reporter, services: Services, settings: Settings, used: Map<Sender, SenderUse>): Promise<void> {
  for (const sender of SENDER_NAMES) {
    const { setting } = senderEntry(sender).apiUrl;
    const use = used.get(sender);
    if (!use) {
      report.skip(`${sender} API`, `not in use (${setting} unset, no "${sender}" entry in the webhook or sender API secret)`);
      continue;
    }
    if (!use.apiUrl) {
      report.skip(
        `${sender} API`,
        `${setting} is not set, so nothing reads ${sender}'s API (its webhooks then need every value in the payload, and reconcile cannot run)`,
      );
      continue;
    }
    const url = use.apiUrl;
    await report.check(
      `${sender} API ${url} answers with its credentials`,
      async () => ({ value: undefined, detail: await senderEntry(sender).adapter.probe(services.senderContext(sender), within(30_000)) }),
      (error) => {
        const status = statusOf(error);
        if (status === 401 || status === 403)
          return `check the "${sender}" credentials in secret ${settings.senderApiSecretId} and the permissions docs/senders/${sender}.md names`;
        if (status === 0) return `nothing answers at ${url}: check ${setting}`;
        if (status === 404) return `check ${setting}: ${url} is not the base of ${sender}'s API`;
        return undefined;
      },
    );
  }
}

/** How to fix a table or queue that is not there. */
function resourceAdvice(target: Target, what: string, setting: string): Advice {
  return (error) => {
    const message = `${error instanceof Error ? error.name : ''} ${messageOf(error)}`;
    if (/ResourceNotFound|NonExistentQueue|QueueDoesNotExist|non-existent/i.test(message)) {
      return target.kind === 'local'
        ? `npm start creates it: is npm start running? Or ${setting} in this shell names another`
        : `serverless deploy --stage ${target.stage} creates the stage's ${what}; or set ${setting} to the one it should use`;
    }
    if (/AccessDenied|credentials|security token|signature/i.test(message))
      return 'preflight reads with your AWS credentials, as the AWS CLI does: use credentials that may read it';
    if (/ECONNREFUSED|NetworkError|socket|connect/i.test(message))
      return target.kind === 'local' ? 'is npm start running?' : 'check the network and the region';
    return undefined;
  };
}

async function checkEventsTable(report: Reporter, target: Target, settings: Settings): Promise<void> {
  const { eventsTable } = settings;
  if (!eventsTable) {
    report.skip('events table', 'IDEMPOTENCY_TABLE is empty: events are not kept exactly once, and SCIM and reconcile cannot run');
    return;
  }
  await report.check(
    `events table ${eventsTable}`,
    async () => {
      // A read of a key nothing writes, as the functions read: the table exists and these credentials may read it.
      const { openEventsTable } = await import('../store/dynamoDb');
      const table = openEventsTable(
        eventsTable,
        settings.idempotencyTtlSeconds,
        { prefix: settings.idempotencyKeyPrefix, legacyPrefixes: [] },
        systemClock,
      );
      await table.records.get(`preflight#${randomUUID()}`);
      return { value: undefined, detail: 'answers a read' };
    },
    resourceAdvice(target, 'events table', 'IDEMPOTENCY_TABLE'),
  );
}

async function checkQueue(report: Reporter, target: Target, settings: Settings): Promise<void> {
  if (settings.deliveryMode !== 'queue') {
    report.skip('events queue', 'DELIVERY_MODE is sync: the doors apply, nothing is queued');
    return;
  }
  await report.check(
    'events queue',
    async () => {
      // As the functions find it (QUEUE_URL, else QUEUE_NAME looked up by name: here there is no function ARN).
      if (!settings.queueUrl && !settings.queueName)
        throw new Problem(`queue mode, and neither QUEUE_URL nor QUEUE_NAME is set — ${howToSet(target)}`);
      const url = await resolveQueueUrl(settings, undefined);
      const { sdk, client } = await sqs();
      const { Attributes: attributes = {} } = await client.send(
        new sdk.GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['FifoQueue'] }),
      );
      if (attributes.FifoQueue !== 'true')
        throw new Problem(
          `${url} is not a FIFO queue: the events of one member must stay in order; use the stage's queue (serverless.yml's EventsQueue)`,
        );
      return { value: undefined, detail: `${url}, FIFO` };
    },
    resourceAdvice(target, 'events queue', 'QUEUE_URL'),
  );
}

/** Runs the checks against `target`, writing one line each; true when every check passed (or was skipped). */
export async function preflight(target: Target, line: (text: string) => void): Promise<boolean> {
  const report = reporter(line);
  try {
    const { settings, stage } = await report.check(
      'settings',
      async () => {
        try {
          return await loadSettings(target);
        } catch (error) {
          if (error instanceof Problem || target.kind === 'local' || /invalid configuration/.test(messageOf(error))) throw error;
          throw new Problem(`${messageOf(error)} — run npx serverless print --stage ${target.stage} to see why`);
        }
      },
      () => howToSet(target),
    );
    if (stage) await checkRoles(report, stage);
    const services = compose(settings);
    const used = await checkSecrets(report, target, services, settings);
    await checkDocSpace(report, target, services, settings);
    await checkSenders(report, services, settings, used);
    await checkEventsTable(report, target, settings);
    await checkQueue(report, target, settings);
    return true;
  } catch (error) {
    if (error instanceof Stop) return false;
    throw error;
  }
}
