/**
 * BambooHR webhooks (documentation.bamboohr.com/docs/webhooks): X-BambooHR-Signature is the hex HMAC-SHA256 of the
 * raw body followed by X-BambooHR-Timestamp (Unix seconds, refused outside 5 minutes). Two payload generations:
 * event-based (`employee.created|updated|deleted` with changedFields aliases, no values: the employee is read from
 * GET /v1/employees/{id}) and field-based (`employees[]`, values plain or nested as {"value": …}, field names as
 * display names or aliases), each posted as JSON or as a form (parsed by its Content-Type). No handshake.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { parseJsonBody, problemsOf } from '../json';
import { RefusedEvent } from '../outcome';
import type { RosterPerson, SenderAdapter, SenderContext, SenderPerson, Translation } from './kit/adapter';
import { apiAuth, basicAuth } from './kit/api';
import { bodyOf } from './kit/body';
import { requireAnswered } from './kit/fields';
import { hmac, refuse, requireFreshTimestamp, safeEqual } from './kit/signature';
import { eventsFor, mergeTranslations, type ChangeKind } from './kit/translate';

/** Display names as BambooHR posts them → API aliases (what the mapping and the employees API use). */
const ALIASES: Record<string, string> = {
  firstname: 'firstName',
  lastname: 'lastName',
  preferredname: 'preferredName',
  workemail: 'workEmail',
  homeemail: 'homeEmail',
  mobilephone: 'mobilePhone',
  workphone: 'workPhone',
  workext: 'workPhoneExtension',
  homephone: 'homePhone',
  jobtitle: 'jobTitle',
  department: 'department',
  division: 'division',
  location: 'location',
  reportingto: 'supervisor',
  status: 'status',
  employee: 'employeeNumber',
};

const aliasOf = (name: string): string => ALIASES[name.toLowerCase().replace(/[^a-z]/g, '')] ?? name;
const ROLE_FIELDS = new Set(['jobTitle', 'department', 'division']);
const NAME_FIELDS = new Set(['firstName', 'lastName', 'preferredName']);
/** Fields read from the employees API when a payload carries ids only: who, their status, and what the mapping needs. */
const BASE_FIELDS = ['firstName', 'lastName', 'workEmail', 'status'];

/** The fields a read asks for: the person's, and those the mapping names (role, contacts). */
const mappedFields = (context: SenderContext): string[] => [
  ...new Set([...BASE_FIELDS, context.mapping.roleField, ...Object.keys(context.mapping.contacts)]),
];

/** Why a field asked for can be missing from an answer, and what to do. */
const HIDDEN_FIELDS =
  "BambooHR leaves out, without an error, the fields the API key's user may not view: give that user access to them (or correct SENDER_MAPPING).";

const scalar = z.union([z.string(), z.number(), z.null()]).transform((v) => (v === null ? '' : String(v)));
/** Permissioned webhooks nest values as {"value": …}. */
const fieldValue = z.union([scalar, z.object({ value: scalar })]).transform((v) => (typeof v === 'object' ? v.value : v));

const fieldBasedSchema = z.object({
  employees: z.array(
    z.object({
      id: z.union([z.string(), z.number()]).transform(String),
      action: z.enum(['Created', 'Updated', 'Deleted']).optional(),
      changedFields: z.array(z.string()).optional().default([]),
      fields: z.record(z.string(), fieldValue.optional()).optional().default({}),
      timestamp: z.string().optional(),
    }),
  ),
});

const eventBasedSchema = z.object({
  type: z.string(),
  // The documented form-encoded sample carries no timestamp: X-BambooHR-Timestamp stands in.
  timestamp: z.string().optional(),
  data: z.object({
    employeeId: z.union([z.string(), z.number()]).transform(String),
    changedFields: z.array(z.string()).optional().default([]),
  }),
});

const employeeSchema = z.record(z.string(), scalar.optional());

/** "2026-01-31T18:42:00+0000" → ISO 8601 with a colon in the offset. */
function isoTime(value: string | undefined, fallbackSeconds: string | undefined): string {
  const fixed = value?.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = fixed ? Date.parse(fixed) : Number.NaN;
  return new Date(Number.isNaN(ms) ? Number(fallbackSeconds ?? Date.now() / 1000) * 1000 : ms).toISOString();
}

function personFrom(id: string, fields: Record<string, string | undefined>): SenderPerson {
  const byAlias = Object.fromEntries(Object.entries(fields).map(([k, v]) => [aliasOf(k), v]));
  return { senderId: id, email: byAlias.workEmail, firstName: byAlias.firstName, lastName: byAlias.lastName, fields: byAlias };
}

/**
 * Reads the employee (JSON: the client sends Accept: application/json, without which the API answers XML). A field
 * the API user may not view is omitted (documentation.bamboohr.com/reference/get-employee) or, per the older docs,
 * empty: an omitted one is a configuration fault, an empty one is just empty.
 */
async function readEmployee(context: SenderContext, id: string): Promise<SenderPerson | null> {
  const fields = mappedFields(context);
  const record = await (
    await context.api()
  ).json('GET', `/v1/employees/${encodeURIComponent(id)}?fields=${fields.map(encodeURIComponent).join(',')}`, employeeSchema);
  if (!record) return null;
  requireAnswered('BambooHR', `employee ${id}`, fields, record, HIDDEN_FIELDS);
  return personFrom(id, record);
}

const reportSchema = z.object({
  employees: z.array(z.object({ id: z.union([z.string(), z.number()]).transform(String) }).catchall(scalar.optional())),
});

/**
 * The roster: a custom report (`POST /v1/reports/custom?format=JSON&onlyCurrent=false`, body `{title, fields}`),
 * answered `{title, fields, employees: [{id, <field>: value}]}`. Not the employee directory: it lists active employees
 * only, with a fixed set of fields (no `status`, no `homeEmail`); the report names exactly the mapped fields and,
 * with `onlyCurrent=false`, the inactive people too, so a leaver is told from someone never employed.
 */
async function readRoster(context: SenderContext, remainingMs: () => number): Promise<RosterPerson[]> {
  const fields = mappedFields(context);
  const api = await context.api();
  const { data } = await api.page('POST', '/v1/reports/custom?format=JSON&onlyCurrent=false', reportSchema, {
    body: { title: 'docspace-idp-sync roster', fields },
    remainingMs,
  });
  return data.employees.map((employee) => {
    requireAnswered('BambooHR', `the custom report (employee ${employee.id})`, fields, employee, HIDDEN_FIELDS);
    const person = personFrom(employee.id, employee);
    return { ...person, active: (person.fields.status ?? '').toLowerCase() !== 'inactive' };
  });
}

/** What an update to these fields means for DocSpace. */
function changesOf(context: SenderContext, changedFields: string[], person: SenderPerson): { kinds: ChangeKind[]; notes: string[] } {
  const aliases = changedFields.map(aliasOf);
  const contactFields = new Set(Object.keys(context.mapping.contacts));
  const kinds: ChangeKind[] = [];
  const notes: string[] = [];
  if (aliases.some((a) => ROLE_FIELDS.has(a) || a === context.mapping.roleField)) kinds.push('role');
  if (aliases.some((a) => contactFields.has(a))) kinds.push('contacts');
  if (aliases.includes('status')) kinds.push(person.fields.status?.toLowerCase() === 'inactive' ? 'deactivated' : 'reactivated');
  if (aliases.some((a) => NAME_FIELDS.has(a)))
    notes.push(`bamboohr ${person.senderId}: name changes are not synced (DocSpace lets only members rename themselves)`);
  return { kinds, notes };
}

async function translateItem(
  context: SenderContext,
  item: {
    id: string;
    action: 'Created' | 'Updated' | 'Deleted';
    changedFields: string[];
    fields: Record<string, string | undefined>;
    occurredAt: string;
  },
): Promise<Translation> {
  // Items carry no id of their own: this hash is stable across BambooHR's retries of the same delivery.
  const digest = createHash('sha256')
    .update(JSON.stringify([item.action, item.id, item.occurredAt, item.changedFields]))
    .digest('hex')
    .slice(0, 24);
  const at = { id: `bamboohr:${item.id}:${digest}`, occurredAt: item.occurredAt };
  let person = personFrom(item.id, item.fields);
  const needs = item.action === 'Created' ? ['workEmail', 'firstName', 'lastName'] : ['workEmail'];
  if (needs.some((f) => !person.fields[f])) {
    const read = await readEmployee(context, item.id);
    if (!read) return { events: [], ignored: [`bamboohr ${item.id}: the employee cannot be read (deleted?)`] };
    person = { ...read, fields: { ...read.fields, ...person.fields } };
    person.email ??= read.email;
    person.firstName ??= read.firstName;
    person.lastName ??= read.lastName;
  }
  if (item.action === 'Created') return eventsFor(context, ['created'], person, at);
  if (item.action === 'Deleted') return eventsFor(context, ['deactivated'], person, at);
  const { kinds, notes } = changesOf(context, item.changedFields, person);
  const translation = kinds.length > 0 ? eventsFor(context, kinds, person, at) : { events: [], ignored: [] };
  translation.ignored.push(...notes);
  if (kinds.length === 0 && notes.length === 0)
    translation.ignored.push(`bamboohr ${item.id}: no synced field changed (${item.changedFields.join(', ') || 'none named'})`);
  return translation;
}

/**
 * Form-encoded deliveries (Content-Type application/x-www-form-urlencoded), both generations: event-based
 * (type=…, timestamp=…, data[employeeId]=…, data[changedFields][0]=…) and field-based (employees[<id>][changedFields][0]=…,
 * employees[<id>][<field>]=…). A form with neither shape is not a BambooHR delivery.
 */
function parseForm(text: string): unknown {
  const params = [...new URLSearchParams(text)];
  const eventBased = params.some(([key]) => key === 'type' || key.startsWith('data['));
  if (eventBased) {
    const data: { changedFields: string[]; [field: string]: unknown } = { changedFields: [] };
    const event: Record<string, unknown> = { data };
    for (const [key, value] of params) {
      const match = /^data\[([^\]]+)\](?:\[(\d+)\])?$/.exec(key);
      if (key === 'type' || key === 'timestamp') event[key] = value;
      else if (match?.[1] === 'changedFields' && match[2] !== undefined) data.changedFields.push(value);
      else if (match && match[2] === undefined) data[match[1] as string] = value;
    }
    return event;
  }
  const employees = new Map<string, { id: string; changedFields: string[]; fields: Record<string, string> }>();
  for (const [key, value] of params) {
    const match = /^employees\[([^\]]+)\]\[([^\]]+)\](?:\[(\d+)\])?$/.exec(key);
    if (!match) continue;
    const [, id, field, index] = match as unknown as [string, string, string, string | undefined];
    const employee = employees.get(id) ?? { id, changedFields: [], fields: {} };
    if (field === 'changedFields' && index !== undefined) employee.changedFields.push(value);
    else if (field === 'action' || field === 'timestamp') (employee as Record<string, unknown>)[field] = value;
    else employee.fields[field] = value;
    employees.set(id, employee);
  }
  if (employees.size === 0)
    throw new RefusedEvent(
      'invalid',
      'a form that is neither event-based (type, data[…]) nor field-based (employees[…]): not a BambooHR webhook payload',
    );
  return { employees: [...employees.values()] };
}

export const bamboohr: SenderAdapter = {
  api: apiAuth({
    credentials: z.object({ apiKey: z.string().min(1) }),
    // BambooHR takes the API key as the Basic user name, with any password.
    authorization: (c: { apiKey: string }) => basicAuth(c.apiKey, 'x'),
  }),

  signatureHeaders: () => ['x-bamboohr-signature', 'x-bamboohr-timestamp'],

  verify(request, secret) {
    const timestamp = requireFreshTimestamp(request.headers['x-bamboohr-timestamp'], 'X-BambooHR-Timestamp');
    const signature = request.headers['x-bamboohr-signature'];
    if (!signature) refuse('missing X-BambooHR-Signature header');
    const expected = hmac('sha256', secret, request.rawBody, timestamp).toString('hex');
    if (!safeEqual((signature as string).trim().toLowerCase(), expected)) refuse('X-BambooHR-Signature does not match');
  },

  async translate(request, context) {
    // JSON or a form, as the Content-Type says: a body is a form only when it says so.
    const { format, text } = bodyOf(request, ['json', 'form'], 'BambooHR');
    const body = format === 'form' ? parseForm(text) : parseJsonBody(text);
    const fallbackSeconds = request.headers['x-bamboohr-timestamp'];

    const eventBased = eventBasedSchema.safeParse(body);
    if (eventBased.success) {
      const { type, timestamp, data } = eventBased.data;
      const action = ({ 'employee.created': 'Created', 'employee.updated': 'Updated', 'employee.deleted': 'Deleted' } as const)[type];
      if (!action) return { events: [], ignored: [`bamboohr: ${type} is not synced`] };
      return translateItem(context, {
        id: data.employeeId,
        action,
        changedFields: data.changedFields,
        fields: {},
        occurredAt: isoTime(timestamp, fallbackSeconds),
      });
    }
    const fieldBased = fieldBasedSchema.safeParse(body);
    if (!fieldBased.success) {
      throw new RefusedEvent(
        'invalid',
        'not a BambooHR webhook payload (neither event-based nor field-based)',
        problemsOf(fieldBased.error),
      );
    }
    const parts: Translation[] = [];
    for (const e of fieldBased.data.employees) {
      parts.push(
        await translateItem(context, {
          id: e.id,
          action: e.action ?? 'Updated',
          changedFields: e.changedFields,
          fields: e.fields,
          occurredAt: isoTime(e.timestamp, fallbackSeconds),
        }),
      );
    }
    return mergeTranslations(parts);
  },

  roster: readRoster,

  // The roster's one request (the custom report): the key answers, and every mapped field is visible to its user.
  async probe(context, remainingMs) {
    const people = await readRoster(context, remainingMs);
    return `the custom report answered ${people.length} employee(s), each with every mapped field`;
  },

  sign(body, secret, at) {
    const timestamp = String(Math.floor(at.getTime() / 1000));
    return {
      'content-type': 'application/json',
      'x-bamboohr-timestamp': timestamp,
      'x-bamboohr-signature': hmac('sha256', secret, body, timestamp).toString('hex'),
    };
  },
};
