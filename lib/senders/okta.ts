/**
 * Okta Event Hooks (developer.okta.com/docs/concepts/event-hooks): not signed; Okta sends the shared secret in the
 * header the admin configured (Authorization by default). One-time verification is a GET with
 * X-Okta-Verification-Challenge, answered {"verification": …}. A delivery batches System Log events in
 * data.events[]; they name the user (target[].id) but carry no profile values, so the user is read from
 * GET /api/v1/users/{id}.
 */
import * as z from 'zod';
import { parseJsonAs } from '../json';
import { rolePrivilege } from '../roles';
import { ConfigurationError, RefusedEvent } from '../outcome';
import type { IncomingWebhook, RosterPerson, SenderAdapter, SenderContext, SenderPerson, Translation } from './kit/adapter';
import { apiAuth, pagesOf } from './kit/api';
import { bodyOf } from './kit/body';
import { refuse, safeEqual } from './kit/signature';
import { eventsFor, mergeTranslations, type ChangeKind } from './kit/translate';

const logEventSchema = z.object({
  uuid: z.string().min(1),
  published: z.iso.datetime({ offset: true }),
  eventType: z.string(),
  target: z.array(z.object({ id: z.string(), type: z.string(), displayName: z.string().nullish() })).nullish(),
  debugContext: z.object({ debugData: z.record(z.string(), z.unknown()).nullish() }).nullish(),
});

const deliverySchema = z.object({
  eventType: z.string(),
  eventId: z.string().min(1),
  data: z.object({ events: z.array(z.unknown()) }),
});

const userSchema = z.object({
  id: z.string(),
  status: z.string().optional(),
  profile: z.record(z.string(), z.unknown()),
});

const LIFECYCLE: Record<string, ChangeKind[]> = {
  'user.lifecycle.create': ['created'],
  'user.lifecycle.activate': ['created'],
  'user.lifecycle.deactivate': ['deactivated'],
  'user.lifecycle.suspend': ['deactivated'],
  'user.lifecycle.reactivate': ['reactivated'],
  'user.lifecycle.unsuspend': ['reactivated'],
};

const ROLE_ATTRIBUTES = new Set(['title', 'department', 'division', 'userType']);

function personOf(user: z.infer<typeof userSchema>): SenderPerson {
  const text = (v: unknown) => (typeof v === 'string' ? v : v === null ? '' : undefined);
  const fields = Object.fromEntries(Object.entries(user.profile).map(([k, v]) => [k, text(v)]));
  return {
    senderId: user.id,
    email: text(user.profile.email),
    firstName: text(user.profile.firstName),
    lastName: text(user.profile.lastName),
    fields,
  };
}

/** Okta statuses of someone who may sign in (STAGED and PROVISIONED are on their way in; see the Users API). */
const INACTIVE = new Set(['SUSPENDED', 'DEPROVISIONED']);

/**
 * The roster: `GET /api/v1/users?limit=200` (Okta's largest page), then each `Link: <…>; rel="next"` until there is
 * none. The list leaves out DEPROVISIONED users (a deactivated user is therefore gone), SUSPENDED ones are listed
 * with their status; 429s are waited out until `X-Rate-Limit-Reset`.
 */
async function readRoster(context: SenderContext, remainingMs: () => number): Promise<RosterPerson[]> {
  const api = await context.api();
  const people: RosterPerson[] = [];
  for await (const users of pagesOf(api, '/api/v1/users?limit=200', z.array(userSchema), { remainingMs })) {
    for (const user of users) people.push({ ...personOf(user), active: !INACTIVE.has((user.status ?? 'ACTIVE').toUpperCase()) });
  }
  const groupRoles = await mappedGroupRoles(context, api, remainingMs);
  return groupRoles.size === 0 ? people : people.map((p) => (groupRoles.has(p.senderId) ? { ...p, role: groupRoles.get(p.senderId) } : p));
}

const groupSchema = z.object({ id: z.string(), profile: z.object({ name: z.string() }) });

/**
 * Okta groups mapped to roles (`SENDER_MAPPING.okta.groups`), as the webhooks apply them: a member of a mapped group
 * has its role (of several, the most privileged), others the role their profile names. Each group is found by name
 * (`GET /api/v1/groups?q=…`, then the exact name) and its members listed with the same Link paging.
 */
async function mappedGroupRoles(
  context: SenderContext,
  api: Awaited<ReturnType<SenderContext['api']>>,
  remainingMs: () => number,
): Promise<Map<string, string>> {
  const roles = new Map<string, string>();
  for (const [name, role] of Object.entries(context.mapping.groups)) {
    const privilege = rolePrivilege(context.roles, role);
    if (privilege === undefined) continue;
    let group: z.infer<typeof groupSchema> | undefined;
    for await (const found of pagesOf(api, `/api/v1/groups?q=${encodeURIComponent(name)}&limit=200`, z.array(groupSchema), {
      remainingMs,
    })) {
      group = found.find((g) => g.profile.name === name);
      if (group) break;
    }
    // Without the group its members would fall back to their profile's role: a mass downgrade. Stop instead.
    if (!group)
      throw new ConfigurationError(
        `SENDER_MAPPING.okta.groups names "${name}", which Okta does not have (renamed?): fix the mapping before reconciling`,
      );
    for await (const members of pagesOf(
      api,
      `/api/v1/groups/${encodeURIComponent(group.id)}/users?limit=200`,
      z.array(z.object({ id: z.string() })),
      { remainingMs },
    )) {
      for (const { id } of members) {
        const held = roles.get(id);
        const heldPrivilege = held === undefined ? undefined : rolePrivilege(context.roles, held);
        if (heldPrivilege === undefined || privilege > heldPrivilege) roles.set(id, role);
      }
    }
  }
  return roles;
}

/** Which changes an update_profile event implies, from `changedAttributes` when Okta says (else all of them). */
function profileChanges(event: z.infer<typeof logEventSchema>, context: SenderContext): ChangeKind[] {
  const changed = event.debugContext?.debugData?.changedAttributes;
  if (typeof changed !== 'string' || !changed.trim()) return ['role', 'contacts'];
  const attributes = changed.split(',').map((a) => a.trim());
  const contactFields = new Set(Object.keys(context.mapping.contacts));
  const kinds: ChangeKind[] = [];
  if (attributes.some((a) => ROLE_ATTRIBUTES.has(a) || a === context.mapping.roleField)) kinds.push('role');
  if (attributes.some((a) => contactFields.has(a))) kinds.push('contacts');
  return kinds;
}

async function translateEvent(event: z.infer<typeof logEventSchema>, context: SenderContext): Promise<Translation> {
  const user = event.target?.find((t) => t.type === 'User');
  let kinds: ChangeKind[] = LIFECYCLE[event.eventType] ?? [];
  let groupRole: string | undefined;
  if (event.eventType === 'user.account.update_profile') kinds = profileChanges(event, context);
  if (event.eventType === 'group.user_membership.add' || event.eventType === 'group.user_membership.remove') {
    const group = event.target?.find((t) => t.type === 'UserGroup')?.displayName ?? '';
    const groups = context.mapping.groups;
    if (!(group in groups)) return { events: [], ignored: [`${event.uuid}: group "${group}" is not mapped to a role`] };
    kinds = ['role'];
    // Joining a mapped group gives its role; leaving it falls back to the role the profile names.
    if (event.eventType === 'group.user_membership.add') groupRole = groups[group];
  }
  if (kinds.length === 0) return { events: [], ignored: [`${event.uuid}: ${event.eventType} is not synced`] };
  if (!user) return { events: [], ignored: [`${event.uuid}: ${event.eventType} names no user`] };

  const record = await (await context.api()).json('GET', `/api/v1/users/${encodeURIComponent(user.id)}`, userSchema);
  if (!record) return { events: [], ignored: [`${event.uuid}: Okta user ${user.id} no longer exists`] };
  return eventsFor(context, kinds, personOf(record), { id: event.uuid, occurredAt: event.published }, groupRole);
}

/** The header that carries the shared secret: Okta's *Authentication field*, `Authorization` unless one was chosen. */
const authHeaderOf = (context: SenderContext) => context.options.authHeader ?? 'authorization';

export const okta: SenderAdapter = {
  api: apiAuth({
    credentials: z.object({ apiToken: z.string().min(1) }),
    authorization: (c: { apiToken: string }) => `SSWS ${c.apiToken}`,
  }),

  async handshake(request, context, secret) {
    if (request.method !== 'GET') return undefined;
    const challenge = request.headers['x-okta-verification-challenge'];
    if (!challenge)
      throw new RefusedEvent('invalid', 'a GET must carry X-Okta-Verification-Challenge (Okta sends a GET only to verify the hook)');
    okta.verify(request, await secret(), context);
    return { status: 200, body: { verification: challenge } };
  },

  signatureHeaders: (context) => [authHeaderOf(context)],

  verify(request, secret, context) {
    const header = authHeaderOf(context);
    const value = request.headers[header];
    if (!value) refuse(`missing ${header} header`);
    if (!safeEqual(value as string, secret)) refuse(`${header} does not match the shared secret`);
  },

  async translate(request: IncomingWebhook, context) {
    const delivery = parseJsonAs(bodyOf(request, ['json'], 'Okta').text, deliverySchema, 'an Okta event hook delivery');
    const parsed = delivery.data.events.map((e) => logEventSchema.safeParse(e));
    const malformed = parsed.filter((p) => !p.success).length;
    // Okta may deliver events out of order: apply them in the order they happened.
    const events = parsed.flatMap((p) => (p.success ? [p.data] : [])).sort((a, b) => Date.parse(a.published) - Date.parse(b.published));
    const parts: Translation[] = [{ events: [], ignored: malformed ? [`${malformed} event(s) without uuid, published or eventType`] : [] }];
    for (const event of events) parts.push(await translateEvent(event, context));
    return mergeTranslations(parts);
  },

  roster: readRoster,

  // One user of the list the roster walks: the token answers, and may list users (okta.users.read).
  async probe(context, remainingMs) {
    const { data } = await (await context.api()).page('GET', '/api/v1/users?limit=1', z.array(userSchema), { remainingMs });
    return `GET /api/v1/users?limit=1 answered ${data.length} user(s)`;
  },

  sign(body, secret, _at, options) {
    // Okta does not sign: it sends the shared secret itself in the configured header.
    return { [options.authHeader ?? 'authorization']: secret, 'content-type': 'application/json' };
  },
};
