/**
 * HiBob (Bob) webhooks v2 (apidocs.hibob.com/reference/getting-started-webhooks): Bob-Signature is the base64
 * HMAC-SHA512 of the raw body; no timestamp, so redeliveries are caught by idempotency. Adding a webhook sends a
 * "Ping test" (a plain string, or {"text":"Ping test"}), answered 200 before anything is parsed. Payloads carry ids
 * only: the employee is read from POST /v1/people/{id} with the fields the mapping needs (people-read-api-contract:
 * answered in slash notation, maybe with nested copies; fields the service user may not view silently left out).
 */
import * as z from 'zod';
import { parseJsonAs } from '../json';
import { ConfigurationError } from '../outcome';
import type { RosterPerson, SenderAdapter, SenderContext, SenderPerson } from './kit/adapter';
import { apiAuth, basicAuth } from './kit/api';
import { bodyOf } from './kit/body';
import { requireAnswered } from './kit/fields';
import { hmac, refuse, safeEqual } from './kit/signature';
import { eventsFor, type ChangeKind } from './kit/translate';

const PING = 'Ping test';

const deliverySchema = z.object({
  type: z.string(),
  triggeredAt: z.string(),
  data: z
    .object({
      employeeId: z.union([z.string(), z.number()]).transform(String),
      // The key of the changed field ids is not settled in HiBob's docs: accept either, items as ids or {id}.
      fieldUpdates: z.array(z.unknown()).optional(),
      fieldUpdatesIds: z.array(z.unknown()).optional(),
      tableId: z.string().optional(),
    })
    .loose(),
});

const personSchema = z.record(z.string(), z.unknown());

const LIFECYCLE: Record<string, ChangeKind[]> = {
  'employee.created': ['created'],
  'employee.joined': ['created'],
  'employee.left': ['deactivated'],
  'employee.inactivated': ['deactivated'],
  'employee.deleted': ['deactivated'],
  'employee.activated': ['reactivated'],
};

const NAME_FIELDS = new Set(['root.firstName', 'root.surname', 'root.displayName']);
const ROLE_FIELDS = new Set(['work.title', 'work.department', 'work.site']);

const text = (v: unknown): string | undefined =>
  v === null ? '' : typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;

/** Nested copies of the fields: top-level values are root fields (`email` → root.email), objects are categories. */
function nestedFields(value: Record<string, unknown>, prefix: string, out: Record<string, string | undefined>): void {
  for (const [key, v] of Object.entries(value)) {
    if (key.startsWith('/') || (!prefix && key === 'humanReadable')) continue;
    const id = prefix ? `${prefix}.${key}` : key;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      // A category object (`work`, and `root` itself), or a field whose value is an object (work.reportsTo).
      if (prefix) out[id] = undefined;
      nestedFields(v as Record<string, unknown>, id, out);
    } else out[prefix ? id : `root.${key}`] = text(v);
  }
}

/**
 * The fields of one employee in Bob's answer, by field id (dot notation). Bob keys them in slash notation
 * (`"/work/title": {"value": …}`) and "may also" send nested copies (`"work": {"title": …}`): slash keys win, nested
 * copies fill in. A top-level `humanReadable` node (humanReadable=APPEND) is not a field.
 */
function fieldsOf(employee: Record<string, unknown>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  nestedFields(employee, '', out);
  for (const [key, v] of Object.entries(employee)) {
    if (!key.startsWith('/')) continue;
    out[key.slice(1).split('/').join('.')] = v !== null && typeof v === 'object' && 'value' in v ? text(v.value) : text(v);
  }
  return out;
}

/** The fields a read asks for: the person's, and those the mapping names (role, contacts). */
const mappedFields = (context: SenderContext): string[] => [
  ...new Set(['root.email', 'root.firstName', 'root.surname', context.mapping.roleField, ...Object.keys(context.mapping.contacts)]),
];

/** Why a field asked for can be missing from an answer, and what to do. */
const HIDDEN_FIELDS =
  "Bob leaves out, without an error, the fields its service user may not view: grant it View on each one's category (Basic info, About, Work, Work contact details, or the category of a field you mapped); and ids that do not exist: check SENDER_MAPPING against Bob's fields metadata.";

const personOf = (id: string, flat: Record<string, string | undefined>): SenderPerson => ({
  senderId: id,
  email: flat['root.email'],
  firstName: flat['root.firstName'],
  lastName: flat['root.surname'],
  fields: flat,
});

/** Reads the employee with exactly the fields the mapping needs, and checks that Bob answered every one. */
async function readPerson(context: SenderContext, id: string): Promise<SenderPerson | null> {
  const fields = mappedFields(context);
  const record = await (
    await context.api()
  ).json('POST', `/v1/people/${encodeURIComponent(id)}`, personSchema, { fields, humanReadable: 'REPLACE' });
  // The older published OpenAPI types this answer as {"employees": [one]}: accept that envelope as well.
  const employee =
    Array.isArray(record?.employees) && !Object.keys(record).some((k) => k.startsWith('/'))
      ? (record.employees[0] as Record<string, unknown> | undefined)
      : record;
  if (!employee || typeof employee !== 'object') return null;
  const flat = fieldsOf(employee);
  requireAnswered('HiBob', `employee ${id}`, fields, flat, HIDDEN_FIELDS);
  return personOf(id, flat);
}

const searchSchema = z.object({ employees: z.array(z.record(z.string(), z.unknown())) });

/**
 * The roster: one `POST /v1/people/search` (Bob does not page it) with the fields the mapping needs,
 * `internal.status`, and `showInactive: true`, since without it Bob answers active employees only. A service user
 * without View on *Internal* gets no `internal.status` (Bob leaves it out without a word): then a second search without
 * `showInactive` (active employees only, ids alone) tells who is active.
 */
async function readRoster(context: SenderContext, remainingMs: () => number): Promise<RosterPerson[]> {
  const needed = ['root.id', ...mappedFields(context)];
  const api = await context.api();
  const { data } = await api.page('POST', '/v1/people/search', searchSchema, {
    body: { fields: [...needed, 'internal.status'], showInactive: true, humanReadable: 'REPLACE' },
    remainingMs,
  });
  const people = data.employees.map((employee) => {
    const flat = fieldsOf(employee);
    requireAnswered('HiBob', `people search (employee ${flat['root.id'] ?? '?'})`, needed, flat, HIDDEN_FIELDS);
    return { flat, status: flat['internal.status'] };
  });
  let activeIds: Set<string> | undefined;
  if (people.some((p) => p.status === undefined)) {
    const active = await api.page('POST', '/v1/people/search', searchSchema, {
      body: { fields: ['root.id'], humanReadable: 'REPLACE' },
      remainingMs,
    });
    activeIds = new Set(active.data.employees.map((e) => fieldsOf(e)['root.id'] ?? ''));
  }
  return people.map(({ flat, status }) => ({
    ...personOf(flat['root.id'] ?? '', flat),
    active: activeIds ? activeIds.has(flat['root.id'] ?? '') : (status ?? 'Active').toLowerCase() !== 'inactive',
  }));
}

const fieldIdsOf = (items: unknown[]): string[] =>
  items.map((i) => (typeof i === 'string' ? i : typeof i === 'object' && i !== null && 'id' in i ? String(i.id) : '')).filter(Boolean);

/** "2024-12-26T11:29:14.399997", no zone: Bob's times are UTC. */
function isoTime(triggeredAt: string): string {
  const ms = Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(triggeredAt) ? triggeredAt : `${triggeredAt.slice(0, 23)}Z`);
  return new Date(Number.isNaN(ms) ? Date.now() : ms).toISOString();
}

export const hibob: SenderAdapter = {
  api: apiAuth({
    credentials: z.object({ serviceUserId: z.string().min(1), token: z.string().min(1) }),
    authorization: (c: { serviceUserId: string; token: string }) => basicAuth(c.serviceUserId, c.token),
  }),

  async handshake(request) {
    const text = request.rawBody.toString('utf8').trim();
    let ping = text === PING;
    if (!ping && text.startsWith('{') && text.includes(PING)) {
      try {
        ping = (JSON.parse(text) as { text?: unknown }).text === PING;
      } catch {
        ping = false;
      }
    }
    return ping ? { status: 200, body: { outcome: 'handshake', message: 'pong' } } : undefined;
  },

  signatureHeaders: () => ['bob-signature'],

  verify(request, secret) {
    const signature = request.headers['bob-signature'];
    if (!signature) refuse('missing Bob-Signature header');
    if (!safeEqual((signature as string).trim(), hmac('sha512', secret, request.rawBody).toString('base64')))
      refuse('Bob-Signature does not match');
  },

  async translate(request, context) {
    const { type, triggeredAt, data } = parseJsonAs(bodyOf(request, ['json'], 'HiBob').text, deliverySchema, 'a HiBob webhook payload');
    const notes: string[] = [];
    let kinds = LIFECYCLE[type] ?? [];
    if (type === 'employee.updated') {
      const ids = fieldIdsOf([...(data.fieldUpdates ?? []), ...(data.fieldUpdatesIds ?? [])]);
      const mapping = context.mapping;
      const contactFields = new Set(Object.keys(mapping.contacts));
      kinds = ids.length === 0 ? ['role', 'contacts'] : [];
      if (ids.some((id) => ROLE_FIELDS.has(id) || id === mapping.roleField)) kinds.push('role');
      if (ids.some((id) => contactFields.has(id))) kinds.push('contacts');
      if (ids.some((id) => NAME_FIELDS.has(id)))
        notes.push(`hibob ${data.employeeId}: name changes are not synced (DocSpace lets only members rename themselves)`);
    }
    if ((type === 'table.entry.created' || type === 'table.entry.updated') && data.tableId === 'work') kinds = ['role'];
    if (kinds.length === 0)
      return {
        events: [],
        ignored: notes.length > 0 ? notes : [`hibob: ${type}${data.tableId ? ` (${data.tableId})` : ''} is not synced`],
      };

    const person = await readPerson(context, data.employeeId);
    if (!person) return { events: [], ignored: [`hibob ${data.employeeId}: the employee cannot be read`] };
    const translation = eventsFor(context, kinds, person, {
      id: `hibob:${type}:${data.employeeId}:${triggeredAt}`,
      occurredAt: isoTime(triggeredAt),
    });
    translation.ignored.push(...notes);
    return translation;
  },

  roster: readRoster,

  // The roster's search: the service user answers, and sees every mapped field of the people it may view. A company
  // has at least one employee, so an empty answer means the service user's access rights cover nobody (the access
  // is granted per population: apidocs.hibob.com/reference/people, "Select Everyone …").
  async probe(context, remainingMs) {
    const people = await readRoster(context, remainingMs);
    if (people.length === 0)
      throw new ConfigurationError(
        'the HiBob service user sees nobody: give it access to the employees (People, access: Everyone, or a condition that includes leavers)',
      );
    return `POST /v1/people/search answered ${people.length} employee(s), each with every mapped field`;
  },

  sign(body, secret) {
    const json = /^\s*[[{]/.test(body.toString());
    return { 'content-type': json ? 'application/json' : 'text/plain', 'bob-signature': hmac('sha512', secret, body).toString('base64') };
  },
};
