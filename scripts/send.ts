/**
 * Signs a sample as its sender would and sends it to the local API:
 *   npm run send -- events/user-created.json                              (canonical, Standard Webhooks)
 *   npm run send -- --sender bamboohr events/bamboohr/employee-hired.fields.json
 *   npm run send -- --sender okta events/okta/verification.request.json   (Okta's verification GET)
 *   npm run send -- --sender scim events/scim/entra-create-user.json      (POST /scim/v2/Users, bearer token)
 *   npm run send -- --sender scim events/scim/okta-patch-deactivate.json --id <user id>   (PATCH /scim/v2/Users/<id>)
 *   npm run send -- --sender scim events/scim/entra-create-group.json                     (POST /scim/v2/Groups)
 *   npm run send -- --sender scim events/scim/okta-patch-group-members.json --id <group id> --member <user id>
 *     (a file named *group* goes to /Groups; MEMBER_ID and GROUP_ID in a sample become --member and --id)
 *   --id and --member also take `user:<userName>` or `group:<displayName>`, looked up first with a SCIM filter
 *   against the same API, so the samples can be sent one after another without copying ids:
 *   npm run send -- --sender scim events/scim/okta-patch-group-members.json --id 'group:Room Admins' --member user:test.user@okta.local
 * Options: --url (default http://localhost:3000), --secret (default: the local one for that sender),
 * --docspace (default http://127.0.0.1:8090, the emulator `npm start` runs; --docspace '' skips the watch).
 * Prints the answer, then the members DocSpace changed (when the answer says queued, up to 10 s later: the worker's).
 * Exits 1 when the answer is not 2xx.
 */
import { readFileSync } from 'node:fs';
import { EVENT_TYPES, type CanonicalEventType } from '../lib/events';
import { ROUTE_BY_TYPE } from '../lib/http/routes';
import { LOCAL } from '../local/stack';
import { deliveryFor, SENDER_ROUTES, SENDERS, standardDelivery, type SenderName, type SignedDelivery } from '../local/deliveries';
import { parseCommandLine, usageError } from './cli';

const USAGE = `usage: npm run send -- [--sender ${[...SENDERS, 'scim'].join('|')}] <file> [--id ID] [--member ID] [--url URL] [--secret S] [--docspace URL]
  signs a sample as its sender would and sends it to the local API (default --url http://localhost:${LOCAL.httpPort})
  --id, --member  SCIM: the resource (and member) to PATCH or PUT: an id, user:<userName> or group:<displayName>
  --docspace      the DocSpace emulator to watch for the change ('' to skip)`;

async function main(): Promise<void> {
  const { values, positionals } = parseCommandLine(
    USAGE,
    {
      url: { type: 'string', default: process.env.SEND_URL ?? `http://localhost:${LOCAL.httpPort}` },
      sender: { type: 'string', default: 'standardWebhooks' },
      secret: { type: 'string' },
      id: { type: 'string' },
      member: { type: 'string' },
      docspace: { type: 'string', default: process.env.DOCSPACE_URL ?? `http://127.0.0.1:${LOCAL.docspacePort}` },
    },
    { allowPositionals: true },
  );
  const file = positionals[0];
  if (file && values.sender === 'scim') return sendScim(file, values.url, values.secret ?? LOCAL.scimToken, values.id, values.member);
  const sender = values.sender as SenderName;
  if (!file) usageError('no sample file given', USAGE);
  if (!SENDERS.includes(sender)) usageError(`--sender must be one of ${[...SENDERS, 'scim'].join(', ')}`, USAGE);
  const text = readFileSync(file, 'utf8');

  let route: string;
  let delivery: SignedDelivery;
  if (sender === 'standardWebhooks') {
    const type = (JSON.parse(text) as { type?: string }).type;
    if (!(EVENT_TYPES as readonly string[]).includes(String(type)))
      throw new Error(`${file}: "type" must be one of ${EVENT_TYPES.join(', ')}`);
    route = ROUTE_BY_TYPE[type as CanonicalEventType];
    delivery = standardDelivery(text, values.secret ?? LOCAL.signingSecret);
  } else {
    route = SENDER_ROUTES[sender];
    delivery = deliveryFor(sender, text, values.secret ? { secret: values.secret } : {});
  }
  const url = new URL(route, values.url);
  const before = values.docspace ? await members(values.docspace) : undefined;
  const res = await fetch(url, {
    method: delivery.method,
    headers: delivery.headers,
    ...(delivery.method === 'POST' ? { body: delivery.body } : {}),
  });
  const retryAfter = res.headers.get('retry-after');
  console.log(`${delivery.method} ${url.pathname} → ${res.status}${retryAfter ? ` (retry after ${retryAfter} s)` : ''}`);
  const answer = await res.text();
  console.log(answer);
  if (!res.ok) process.exitCode = 1;
  // Queued (a canonical 202, a sender's `accepted`): the worker applies a moment later. Any other answer is final:
  // applied, planned or nothing to do.
  else if (values.docspace && before)
    await showChanges(values.docspace, before, res.status === 202 || outcomeOf(answer) === 'accepted' ? 10_000 : 0);
}

type Members = Map<string, string>;

function outcomeOf(answer: string): string | undefined {
  try {
    return (JSON.parse(answer) as { outcome?: string }).outcome;
  } catch {
    return undefined;
  }
}

/** The DocSpace emulator's members, each as its JSON (undefined when no emulator answers there). */
async function members(docspace: string): Promise<Members | undefined> {
  try {
    const res = await fetch(new URL('/__emulator/state', docspace));
    const state = (await res.json()) as { members: { id: string }[] };
    return new Map(state.members.map((m) => [m.id, JSON.stringify(m)]));
  } catch {
    return undefined;
  }
}

/** Waits up to `waitMs` for the worker (queue mode) to change DocSpace (0: looks once), and prints what changed. */
async function showChanges(docspace: string, before: Members, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const now = await members(docspace);
    const changed = [...(now ?? new Map<string, string>()).entries()].filter(([id, json]) => before.get(id) !== json);
    if (changed.length > 0) {
      // Let the rest of the delivery's events land before printing.
      if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, 500));
      const settled = waitMs > 0 ? ((await members(docspace)) ?? new Map<string, string>()) : (now ?? new Map<string, string>());
      console.log(waitMs > 0 ? 'DocSpace, a moment later:' : 'DocSpace:');
      for (const [id, json] of settled) if (before.get(id) !== json) console.log(`  ${before.has(id) ? 'changed' : 'created'} ${json}`);
      return;
    }
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  console.log(
    waitMs > 0
      ? `DocSpace: no member changed within ${waitMs / 1000} s (nothing to change, or the worker is still retrying: see the npm start log)`
      : 'DocSpace: no member changed',
  );
}

/** A SCIM request as Entra or Okta sends it: POST a create, PATCH a PatchOp, PUT a full resource (the last two need --id). */
async function sendScim(file: string, base: string, token: string, id: string | undefined, member: string | undefined): Promise<void> {
  const raw = readFileSync(file, 'utf8');
  if (raw.includes('MEMBER_ID') && !member) throw new Error(`${file}: names a member: --member <user id>`);
  id = id === undefined ? undefined : await resolveId(id, base, token);
  member = member === undefined ? undefined : await resolveId(member, base, token);
  const body = raw.replaceAll('MEMBER_ID', member ?? '').replaceAll('GROUP_ID', id ?? '');
  const resource = /group/i.test(file) ? 'Groups' : 'Users';
  const parsed = JSON.parse(body) as { schemas?: string[] };
  const patch = parsed.schemas?.includes('urn:ietf:params:scim:api:messages:2.0:PatchOp') ?? false;
  const method = patch ? 'PATCH' : /put/i.test(file) ? 'PUT' : 'POST';
  if (method !== 'POST' && !id)
    throw new Error(`${file}: a ${method} needs the ${resource === 'Groups' ? 'group' : 'user'}'s id: --id <id>`);
  const url = new URL(`/scim/v2/${resource}${method === 'POST' ? '' : `/${id}`}`, base);
  const res = await fetch(url, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' }, body });
  console.log(`${method} ${url.pathname} → ${res.status}`);
  console.log(await res.text());
  if (!res.ok) process.exitCode = 1;
}

/** `user:<userName>` or `group:<displayName>` → the id the SCIM API gives it (a filtered GET); anything else as it is. */
async function resolveId(value: string, base: string, token: string): Promise<string> {
  const ref = /^(user|group):(.+)$/s.exec(value);
  if (!ref) return value;
  const [, kind, name] = ref as unknown as [string, 'user' | 'group', string];
  const [resource, attribute] = kind === 'user' ? ['Users', 'userName'] : ['Groups', 'displayName'];
  const url = new URL(`/scim/v2/${resource}`, base);
  url.searchParams.set('filter', `${attribute} eq ${JSON.stringify(name)}`);
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'application/scim+json' } });
  if (!res.ok)
    throw new Error(`${value}: GET ${url.pathname}?filter=${url.searchParams.get('filter')} → ${res.status}: ${await res.text()}`);
  const found = ((await res.json()) as { Resources?: { id?: string }[] }).Resources ?? [];
  if (found.length === 0 || !found[0]?.id)
    throw new Error(`${value}: no ${kind} with ${attribute} "${name}" at ${url.origin} (send its create first)`);
  if (found.length > 1) throw new Error(`${value}: ${found.length} ${kind}s have ${attribute} "${name}"; pass the id itself`);
  return found[0].id;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
