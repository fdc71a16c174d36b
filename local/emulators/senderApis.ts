/**
 * Emulators of the senders' own APIs, as the vendors document them (lib/senders/VENDOR-FACTS.md), not as our
 * adapters happen to read them:
 * - Okta Users (`GET /api/v1/users/{id}`, SSWS token); errors carry Okta's error body (errorCode, errorSummary,
 *   errorLink, errorId, errorCauses) with Okta's codes (E0000007 404, E0000011 401, E0000047 429, …).
 * - BambooHR employees (`GET /api/gateway.php/{company}/v1/employees/{id}?fields=…`, API key as Basic user): XML
 *   unless the request says `Accept: application/json`; `id` always, as a string, and only the fields named; a field
 *   the API user may not view is omitted (current docs) or empty (older docs); an unknown field name is a 406.
 * - HiBob People (`POST /v1/people/{id}` and `POST /v1/people/search` with `{"fields": […]}`, service user as Basic):
 *   fields keyed in slash notation (`"/root/email": {"value": …}`), or as nested objects, or both (`hibobShape`);
 *   only the fields asked for; fields the service user may not view (by category) or that do not exist are left
 *   out without a word.
 * Rosters, as each vendor lists people (reconciliation):
 * - Okta `GET /api/v1/users?limit=…&after=…`: at most 200 a page (the default too), `Link: <…>; rel="self"` and
 *   `rel="next"` while more follow, DEPROVISIONED users left out; `X-Rate-Limit-Limit/-Remaining/-Reset` on every
 *   answer and 429 (E0000047) past the limit.
 * - BambooHR `GET /v1/employees/directory` (active employees only, a fixed set of fields, XML unless JSON is
 *   accepted) and `POST /v1/reports/custom?format=JSON&onlyCurrent=…` with `{title, fields}` (`onlyCurrent=false`:
 *   inactive people too); 503 with Retry-After past the limit (BambooHR's throttling answer).
 * - Bob `POST /v1/people/search`: everybody in one answer (no paging), active only unless `showInactive`; 429 past
 *   the limit.
 * Rate limits are off unless `rateLimit` sets one for a vendor (requests per window).
 * Seeded with realistic records for the ids in the vendors' sample payloads (events/okta, events/bamboohr,
 * events/hibob); the three BambooHR employees are unknown to a fresh DocSpace emulator, so `npm run reconcile --
 * --sender bamboohr` on a fresh `npm start` creates them.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpEmulator, readBody, sendJson } from './http';
import { textOf } from '../../lib/json';

export const SENDER_CREDENTIALS = {
  okta: { apiToken: '00local-okta-api-token-not-a-secret' },
  bamboohr: { apiKey: 'local-bamboohr-api-key-not-a-secret' },
  hibob: { serviceUserId: 'SERVICE-LOCAL', token: 'local-hibob-token-not-a-secret' },
};

const BAMBOOHR_COMPANY = 'acme';

/** The three senders' API base URLs as the functions are configured with them, for these emulators at `url`. */
export const senderApisEnv = (url: string): Record<string, string> => ({
  OKTA_ORG_URL: url,
  BAMBOOHR_API_URL: `${url}/api/gateway.php/${BAMBOOHR_COMPANY}`,
  HIBOB_API_URL: url,
});

type Vendor = 'okta' | 'bamboohr' | 'hibob';

/** What a route answers: a status, a body (JSON, or text with its type) and extra headers. */
interface Reply {
  status: number;
  body?: unknown;
  text?: { type: string; value: string };
  headers?: Record<string, string>;
}

interface Route {
  vendor: Vendor;
  match: RegExp;
  method: string;
  authorization: string;
  answer(id: string, request: { query: URLSearchParams; body: unknown; accept: string }): Reply;
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** Okta's error body (developer.okta.com/docs/reference/error-codes): every error has these five fields. */
const OKTA_ERRORS: Record<number, [code: string, summary: string]> = {
  401: ['E0000011', 'Invalid token provided'],
  403: ['E0000006', 'You do not have permission to perform the requested action'],
  404: ['E0000007', 'Not found: Resource not found'],
  429: ['E0000047', 'API call exceeded rate limit due to too many requests.'],
  500: ['E0000009', 'Internal Server Error'],
};

function vendorError(vendor: Vendor, status: number, detail?: string): Reply {
  if (vendor === 'okta') {
    const [code, summary] = OKTA_ERRORS[status] ?? OKTA_ERRORS[500]!;
    const errorSummary = detail ? `${summary}: ${detail}` : summary;
    return {
      status,
      body: {
        errorCode: code,
        errorSummary,
        errorLink: code,
        errorId: `oae${randomUUID().replaceAll('-', '').slice(0, 22)}`,
        errorCauses: [],
      },
    };
  }
  // BambooHR says why in a header and sends no body (documentation.bamboohr.com/docs/api-details).
  if (vendor === 'bamboohr') return { status, headers: { 'x-bamboohr-error-message': detail ?? `HTTP ${status}` } };
  // HiBob's error body is not documented in what we found; a plain JSON message stands in.
  return { status, body: { error: detail ?? `HTTP ${status}` } };
}

/**
 * BambooHR field names (documentation.bamboohr.com/docs/list-of-field-names) the emulator knows; a request naming
 * another is refused with 406, as the API refuses "references to non-existent fields".
 */
const BAMBOOHR_FIELDS = new Set([
  'firstName',
  'lastName',
  'preferredName',
  'workEmail',
  'homeEmail',
  'mobilePhone',
  'workPhone',
  'workPhoneExtension',
  'homePhone',
  'jobTitle',
  'department',
  'division',
  'location',
  'status',
  'supervisor',
  'employeeNumber',
]);

/**
 * Bob fields the emulator knows, by field id, with the category that grants View on them (the fields metadata:
 * apidocs.hibob.com/docs/fields-metadata). Any other id is an invalid id, which Bob omits silently.
 */
const BOB_FIELDS: Record<string, string> = {
  'root.id': 'basic',
  'root.firstName': 'basic',
  'root.surname': 'basic',
  'root.displayName': 'basic',
  'root.email': 'about',
  'work.title': 'work',
  'work.department': 'work',
  'work.site': 'work',
  'work.workMobile': 'workContact',
  'work.workPhone': 'workContact',
  'home.mobilePhone': 'personalContact',
  'home.privateEmail': 'personalContact',
  'internal.status': 'internal',
  'internal.lifecycleStatus': 'internal',
};
/** The categories Bob answers when a request names no fields ("root, about, employment, and work"). */
const BOB_DEFAULT_CATEGORIES = new Set(['basic', 'about', 'work']);

type BobAnswerShape = 'slash' | 'nested' | 'both';

/** One person of a seeded roster, in vendor-neutral terms (seedRoster turns it into each vendor's record). */
export interface RosterSeed {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  title: string;
  mobile?: string;
  phone?: string;
  active: boolean;
}

/** The fields BambooHR's directory lists (documentation.bamboohr.com/reference/get-employees-directory). */
const BAMBOOHR_DIRECTORY_FIELDS = [
  'displayName',
  'firstName',
  'lastName',
  'preferredName',
  'jobTitle',
  'workPhone',
  'mobilePhone',
  'workEmail',
  'department',
  'location',
  'division',
];

/** One Bob employee as the People API answers it: slash keys, nested objects, or both. */
function bobEmployee(values: Record<string, unknown>, fields: string[], shape: BobAnswerShape): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    if (!(field in values)) continue;
    const value = values[field] ?? null;
    if (shape !== 'nested') out[`/${field.replaceAll('.', '/')}`] = { value };
    if (shape !== 'slash') {
      const [category = '', ...path] = field.split('.');
      // Root fields sit at the top level (`email`), others in their category's object (`work.title`).
      let node = out;
      if (category !== 'root') node = (out[category] ??= {}) as Record<string, unknown>;
      node[path.join('.')] = value;
    }
  }
  return out;
}

/** One server for the three APIs: each sender's routes live under their own path, as on the real hosts. */
export class SenderApisEmulator extends HttpEmulator {
  readonly calls: { method: string; path: string; status: number }[] = [];
  readonly okta = new Map<string, Record<string, unknown>>();
  /** Okta groups by id: name and member user ids. */
  readonly oktaGroups = new Map<string, { name: string; members: string[] }>();
  /** BambooHR employees by id: field name → value ('' for a field with no value). */
  readonly bamboohr = new Map<string, Record<string, string>>();
  /** Bob employees by id: field id (dot notation) → value (null for a field with no value). */
  readonly hibob = new Map<string, Record<string, unknown>>();
  /** When set, every call answers this status, with the vendor's own error body (an API that is down). */
  failWith: number | undefined;
  /** How Bob keys the fields of its answer: slash notation (what the docs promise), nested objects, or both. */
  hibobShape: BobAnswerShape = 'slash';
  /** Bob categories the seeded service user may not view: their fields are left out of every answer. */
  readonly hibobDenied = new Set<string>();
  /** BambooHR fields the API user may not view, and what the API does with them (current docs: omit; older: empty). */
  readonly bamboohrHidden = new Set<string>();
  bamboohrHiding: 'omit' | 'empty' = 'omit';
  /** Requests a vendor takes per window before it throttles (off when unset). */
  readonly rateLimit: Partial<Record<Vendor, { limit: number; windowMs: number }>> = {};
  private readonly windows = new Map<Vendor, { startMs: number; used: number }>();

  private readonly routes: Route[] = [
    {
      vendor: 'okta',
      method: 'GET',
      match: /^\/api\/v1\/groups()$/,
      authorization: `SSWS ${SENDER_CREDENTIALS.okta.apiToken}`,
      // `q` matches the start of a group's name (case-insensitive), as Okta's "find groups" does.
      answer: (_id, { query }) => {
        const q = (query.get('q') ?? '').toLowerCase();
        const groups = [...this.oktaGroups.entries()].filter(([, g]) => g.name.toLowerCase().startsWith(q));
        return { status: 200, body: groups.map(([id, g]) => ({ id, type: 'OKTA_GROUP', profile: { name: g.name, description: null } })) };
      },
    },
    {
      vendor: 'okta',
      method: 'GET',
      match: /^\/api\/v1\/groups\/([^/]+)\/users$/,
      authorization: `SSWS ${SENDER_CREDENTIALS.okta.apiToken}`,
      answer: (id, { query }) => {
        const group = this.oktaGroups.get(id);
        if (!group) return vendorError('okta', 404, `${id} (UserGroup)`);
        const users = group.members.map((m) => this.okta.get(m)).filter((u): u is Record<string, unknown> => u !== undefined);
        return this.oktaPage(users, query, `/api/v1/groups/${id}/users`);
      },
    },
    {
      vendor: 'okta',
      method: 'GET',
      match: /^\/api\/v1\/users()$/,
      authorization: `SSWS ${SENDER_CREDENTIALS.okta.apiToken}`,
      answer: (_id, { query }) => this.oktaList(query),
    },
    {
      vendor: 'bamboohr',
      method: 'GET',
      match: new RegExp(`^/api/gateway\\.php/${BAMBOOHR_COMPANY}/v1/employees/directory()$`),
      authorization: basic(SENDER_CREDENTIALS.bamboohr.apiKey, 'x'),
      answer: (_id, { accept }) => this.bamboohrDirectory(accept),
    },
    {
      vendor: 'bamboohr',
      method: 'POST',
      match: new RegExp(`^/api/gateway\\.php/${BAMBOOHR_COMPANY}/v1/reports/custom()$`),
      authorization: basic(SENDER_CREDENTIALS.bamboohr.apiKey, 'x'),
      answer: (_id, { query, body }) => this.bamboohrReport(query, body),
    },
    {
      vendor: 'okta',
      method: 'GET',
      match: /^\/api\/v1\/users\/([^/]+)$/,
      authorization: `SSWS ${SENDER_CREDENTIALS.okta.apiToken}`,
      answer: (id) => {
        const user = this.okta.get(id);
        return user ? { status: 200, body: user } : vendorError('okta', 404, `${id} (User)`);
      },
    },
    {
      vendor: 'bamboohr',
      method: 'GET',
      match: new RegExp(`^/api/gateway\\.php/${BAMBOOHR_COMPANY}/v1/employees/([^/]+)$`),
      authorization: basic(SENDER_CREDENTIALS.bamboohr.apiKey, 'x'),
      answer: (id, { query, accept }) => this.bamboohrEmployee(id, query, accept),
    },
    {
      vendor: 'hibob',
      method: 'POST',
      match: /^\/v1\/people\/search$/,
      authorization: basic(SENDER_CREDENTIALS.hibob.serviceUserId, SENDER_CREDENTIALS.hibob.token),
      answer: (_id, { body }) => this.bobSearch(body),
    },
    {
      vendor: 'hibob',
      method: 'POST',
      match: /^\/v1\/people\/([^/]+)$/,
      authorization: basic(SENDER_CREDENTIALS.hibob.serviceUserId, SENDER_CREDENTIALS.hibob.token),
      answer: (id, { body }) => {
        // The path names the employee by id or by e-mail.
        const employee = this.hibob.get(id) ?? [...this.hibob.values()].find((e) => e['root.email'] === id);
        return employee ? { status: 200, body: this.bobAnswer(employee, body) } : vendorError('hibob', 404, 'Employee not found');
      },
    },
  ];

  constructor() {
    super();
    this.seed();
  }

  reset(): void {
    this.calls.length = 0;
    for (const vendor of Object.keys(this.rateLimit) as Vendor[]) delete this.rateLimit[vendor];
    this.windows.clear();
    this.failWith = undefined;
    this.hibobShape = 'slash';
    this.hibobDenied.clear();
    this.bamboohrHidden.clear();
    this.bamboohrHiding = 'omit';
    this.seed();
  }

  /** Replaces a vendor's people with this roster (tests, the benchmark). */
  seedRoster(vendor: Vendor, people: readonly RosterSeed[]): void {
    if (vendor === 'okta') {
      this.okta.clear();
      for (const p of people) {
        this.okta.set(p.id, {
          id: p.id,
          status: p.active ? 'ACTIVE' : 'SUSPENDED',
          created: '2024-05-14T09:12:01.000Z',
          profile: {
            login: p.email,
            email: p.email,
            firstName: p.firstName,
            lastName: p.lastName,
            title: p.title,
            mobilePhone: p.mobile ?? null,
            primaryPhone: p.phone ?? null,
            secondEmail: null,
          },
        });
      }
    } else if (vendor === 'bamboohr') {
      this.bamboohr.clear();
      for (const p of people) {
        this.bamboohr.set(p.id, {
          firstName: p.firstName,
          lastName: p.lastName,
          workEmail: p.email,
          homeEmail: '',
          mobilePhone: p.mobile ?? '',
          workPhone: p.phone ?? '',
          homePhone: '',
          jobTitle: p.title,
          department: '',
          division: '',
          status: p.active ? 'Active' : 'Inactive',
        });
      }
    } else {
      this.hibob.clear();
      for (const p of people) {
        this.hibob.set(p.id, {
          'root.id': p.id,
          'root.firstName': p.firstName,
          'root.surname': p.lastName,
          'root.displayName': `${p.firstName} ${p.lastName}`,
          'root.email': p.email,
          'work.title': p.title,
          'work.department': null,
          'work.site': null,
          'work.workMobile': p.mobile ?? null,
          'work.workPhone': p.phone ?? null,
          'home.mobilePhone': null,
          'internal.status': p.active ? 'Active' : 'Inactive',
          'internal.lifecycleStatus': p.active ? 'Employed' : 'Terminated',
        });
      }
    }
  }

  /** The vendor's throttling answer when its window is used up; undefined when the request may pass. */
  private throttled(vendor: Vendor): Reply | undefined {
    const rule = this.rateLimit[vendor];
    if (!rule) return undefined;
    const now = Date.now();
    let window = this.windows.get(vendor);
    if (!window || now - window.startMs >= rule.windowMs) this.windows.set(vendor, (window = { startMs: now, used: 0 }));
    window.used += 1;
    const resetSeconds = Math.ceil((window.startMs + rule.windowMs) / 1000);
    const headers: Record<string, string> =
      vendor === 'okta'
        ? {
            'x-rate-limit-limit': String(rule.limit),
            'x-rate-limit-remaining': String(Math.max(0, rule.limit - window.used)),
            'x-rate-limit-reset': String(resetSeconds),
          }
        : {};
    if (window.used <= rule.limit) return vendor === 'okta' ? { status: 0, headers } : undefined;
    const retryAfter = String(Math.max(1, resetSeconds - Math.floor(now / 1000)));
    if (vendor === 'okta') return { ...vendorError('okta', 429), headers };
    if (vendor === 'bamboohr')
      return { status: 503, headers: { 'retry-after': retryAfter, 'x-bamboohr-error-message': 'Service Unavailable (rate limited)' } };
    return { status: 429, body: { error: 'Too Many Requests' }, headers: { 'retry-after': retryAfter } };
  }

  /** Okta's list users: ordered by id, `after` the last id of the previous page, DEPROVISIONED users left out. */
  private oktaList(query: URLSearchParams): Reply {
    return this.oktaPage(
      [...this.okta.values()].filter((u) => u.status !== 'DEPROVISIONED'),
      query,
      '/api/v1/users',
    );
  }

  /** One page of Okta users, ordered by id, `after` the last id of the previous page, with its Link header. */
  private oktaPage(all: Record<string, unknown>[], query: URLSearchParams, path: string): Reply {
    const limit = Math.min(200, Math.max(1, Number(query.get('limit') ?? 200) || 200));
    const after = query.get('after');
    const users = [...all].sort((a, b) => String(a.id).localeCompare(String(b.id)));
    const start = after ? users.findIndex((u) => String(u.id).localeCompare(after) > 0) : 0;
    const page = start < 0 ? [] : users.slice(start, start + limit);
    const self = `${this.url}${path}?limit=${limit}${after ? `&after=${encodeURIComponent(after)}` : ''}`;
    const links = [`<${self}>; rel="self"`];
    const last = page.at(-1);
    if (last && start + limit < users.length)
      links.push(`<${this.url}${path}?limit=${limit}&after=${encodeURIComponent(String(last.id))}>; rel="next"`);
    return { status: 200, body: page, headers: { link: links.join(', ') } };
  }

  /** BambooHR's directory: active employees, fixed fields, XML unless JSON is accepted. */
  private bamboohrDirectory(accept: string): Reply {
    const employees = [...this.bamboohr.entries()]
      .filter(([, e]) => (e.status ?? 'Active') !== 'Inactive')
      .map(([id, e]) => ({
        id,
        ...Object.fromEntries(
          BAMBOOHR_DIRECTORY_FIELDS.map((f) => [f, f === 'displayName' ? `${e.firstName} ${e.lastName}` : (e[f] ?? null) || null]),
        ),
      }));
    const fields = BAMBOOHR_DIRECTORY_FIELDS.map((id) => ({ id, type: 'text', name: id }));
    if (accept.includes('application/json')) return { status: 200, body: { fields, employees } };
    const escape = (v: unknown) => textOf(v).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    const xml = `<?xml version="1.0"?>\n<directory>\n <employees>\n${employees
      .map(
        (e) =>
          `  <employee id="${e.id}">\n${BAMBOOHR_DIRECTORY_FIELDS.map((f) => `   <field id="${f}">${escape((e as Record<string, unknown>)[f])}</field>\n`).join('')}  </employee>\n`,
      )
      .join('')} </employees>\n</directory>\n`;
    return { status: 200, text: { type: 'text/xml; charset=utf-8', value: xml } };
  }

  /** A custom report: JSON with format=JSON (else XML, which our client never asks for), inactive people with onlyCurrent=false. */
  private bamboohrReport(query: URLSearchParams, body: unknown): Reply {
    const asked = (body as { fields?: unknown } | undefined)?.fields;
    if (!Array.isArray(asked) || asked.some((f) => typeof f !== 'string'))
      return vendorError('bamboohr', 400, 'fields must be a list of field names');
    const fields = asked as string[];
    const unknown = fields.filter((f) => !BAMBOOHR_FIELDS.has(f));
    if (unknown.length > 0) return vendorError('bamboohr', 400, `Unknown field(s): ${unknown.join(', ')}`);
    if ((query.get('format') ?? '').toUpperCase() !== 'JSON')
      return vendorError('bamboohr', 400, 'the emulator answers reports in JSON only (format=JSON)');
    const onlyCurrent = query.get('onlyCurrent') !== 'false';
    const visible = fields.filter((f) => !this.bamboohrHidden.has(f) || this.bamboohrHiding === 'empty');
    const employees = [...this.bamboohr.entries()]
      .filter(([, e]) => !onlyCurrent || (e.status ?? 'Active') !== 'Inactive')
      .map(([id, e]) => ({ id, ...Object.fromEntries(visible.map((f) => [f, this.bamboohrHidden.has(f) ? null : (e[f] ?? '') || null])) }));
    return {
      status: 200,
      body: {
        title: (body as { title?: unknown }).title ?? 'Report',
        fields: visible.map((id) => ({ id, type: 'text', name: id })),
        employees,
      },
    };
  }

  private bamboohrEmployee(id: string, query: URLSearchParams, accept: string): Reply {
    const employee = this.bamboohr.get(id);
    if (!employee) return vendorError('bamboohr', 404, 'Employee not found');
    const fields = (query.get('fields') ?? '').split(',').filter(Boolean);
    const unknown = fields.filter((f) => !BAMBOOHR_FIELDS.has(f));
    if (unknown.length > 0) return vendorError('bamboohr', 406, `Unknown field(s): ${unknown.join(', ')}`);
    const visible = fields.flatMap((f): [string, string][] => {
      if (!this.bamboohrHidden.has(f)) return [[f, employee[f] ?? '']];
      return this.bamboohrHiding === 'empty' ? [[f, '']] : [];
    });
    if (accept.includes('application/json')) {
      return { status: 200, body: { id, ...Object.fromEntries(visible.map(([f, v]) => [f, v === '' ? null : v])) } };
    }
    const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
    const xml = `<?xml version="1.0"?>\n<employee id="${escape(id)}">\n${visible.map(([f, v]) => `  <field id="${f}">${escape(v)}</field>\n`).join('')}</employee>\n`;
    return { status: 200, text: { type: 'text/xml; charset=utf-8', value: xml } };
  }

  /** The fields a Bob request asked for that the service user may see and that exist. */
  private bobFields(body: unknown): string[] {
    const asked = (body as { fields?: unknown } | undefined)?.fields;
    const fields = Array.isArray(asked)
      ? asked.filter((f): f is string => typeof f === 'string')
      : Object.keys(BOB_FIELDS).filter((f) => BOB_DEFAULT_CATEGORIES.has(BOB_FIELDS[f]!));
    return fields.filter((f) => f in BOB_FIELDS && !this.hibobDenied.has(BOB_FIELDS[f]!));
  }

  private bobAnswer(employee: Record<string, unknown>, body: unknown): Record<string, unknown> {
    return bobEmployee(employee, this.bobFields(body), this.hibobShape);
  }

  private bobSearch(body: unknown): Reply {
    const request = (body ?? {}) as { filters?: unknown; showInactive?: unknown };
    let people = [...this.hibob.values()];
    if (request.filters !== undefined) {
      const filters = request.filters as { fieldPath?: unknown; operator?: unknown; values?: unknown }[];
      const filter = Array.isArray(filters) && filters.length === 1 ? filters[0] : undefined;
      if (
        !filter ||
        !['root.id', 'root.email'].includes(String(filter.fieldPath)) ||
        filter.operator !== 'equals' ||
        !Array.isArray(filter.values)
      ) {
        return vendorError('hibob', 400, 'invalid filters');
      }
      people = people.filter((p) => (filter.values as unknown[]).includes(p[String(filter.fieldPath)]));
    }
    if (request.showInactive !== true) people = people.filter((p) => p['internal.status'] !== 'Inactive');
    return { status: 200, body: { employees: people.map((p) => this.bobAnswer(p, body)) } };
  }

  private seed(): void {
    this.okta.clear();
    this.oktaGroups.clear();
    this.bamboohr.clear();
    this.hibob.clear();
    this.okta.set('00u3m90rxKjGQ0G6L1d6', {
      id: '00u3m90rxKjGQ0G6L1d6',
      status: 'ACTIVE',
      created: '2024-05-14T09:12:01.000Z',
      profile: {
        login: 'john.doe@example.com',
        email: 'john.doe@example.com',
        firstName: 'John',
        lastName: 'Doe',
        title: 'Manager',
        department: 'Sales',
        mobilePhone: '+1 555 0142',
        primaryPhone: '+1 555 0100',
        secondEmail: null,
      },
    });
    this.bamboohr.set('67890', {
      firstName: 'Maya',
      lastName: 'Patel',
      workEmail: 'maya.patel@example.com',
      homeEmail: '',
      mobilePhone: '+1 555 0177',
      workPhone: '+1 555 0170',
      homePhone: '',
      jobTitle: 'Manager',
      department: 'Finance',
      division: 'EMEA',
      status: 'Active',
    });
    this.bamboohr.set('12345', {
      firstName: 'Bryony',
      lastName: 'Hale',
      workEmail: 'bryony.hale@example.com',
      homeEmail: '',
      mobilePhone: '+1 555 0188',
      workPhone: '',
      homePhone: '',
      jobTitle: 'Accountant',
      department: 'Finance',
      division: 'EMEA',
      status: 'Active',
    });
    this.bamboohr.set('5', {
      firstName: 'Tefi',
      lastName: 'Adams',
      workEmail: 'tefi.adams@example.com',
      homeEmail: '',
      mobilePhone: '',
      workPhone: '+1 555 0105',
      homePhone: '',
      jobTitle: 'User',
      department: 'Support',
      division: '',
      status: 'Active',
    });
    this.hibob.set('3332883894235038486', {
      'root.id': '3332883894235038486',
      'root.firstName': 'Noa',
      'root.surname': 'Levi',
      'root.displayName': 'Noa Levi',
      'root.email': 'noa.levi@example.com',
      'work.title': 'Manager',
      'work.department': 'Product',
      'work.site': 'Tel Aviv',
      'work.workMobile': '+972 50 555 0134',
      'work.workPhone': null,
      'home.mobilePhone': '+972 54 555 0199',
      'internal.status': 'Active',
      'internal.lifecycleStatus': 'Employed',
    });
    this.hibob.set('3332883854254932743', {
      'root.id': '3332883854254932743',
      'root.firstName': 'Omer',
      'root.surname': 'Katz',
      'root.displayName': 'Omer Katz',
      'root.email': 'omer.katz@example.com',
      'work.title': 'Engineer',
      'work.department': 'R&D',
      'work.site': 'Tel Aviv',
      'work.workMobile': null,
      'work.workPhone': '+972 3 555 0101',
      'home.mobilePhone': null,
      'internal.status': 'Active',
      'internal.lifecycleStatus': 'Employed',
    });
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const method = req.method ?? 'GET';
    const text = await readBody(req);
    const send = (reply: Reply) => {
      this.calls.push({ method, path: url.pathname, status: reply.status });
      if (reply.text) {
        res.writeHead(reply.status, { 'content-type': reply.text.type, ...reply.headers });
        res.end(reply.text.value);
      } else sendJson(res, reply.status, reply.body, reply.headers);
    };
    for (const route of this.routes) {
      const match = route.match.exec(url.pathname);
      if (!match || method !== route.method) continue;
      if (req.headers.authorization !== route.authorization) return send(vendorError(route.vendor, 401));
      if (this.failWith) return send(vendorError(route.vendor, this.failWith));
      const throttle = this.throttled(route.vendor);
      if (throttle && throttle.status !== 0) return send(throttle);
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        return send(vendorError(route.vendor, 400, 'the body is not JSON'));
      }
      const reply = route.answer(decodeURIComponent(match[1] ?? ''), { query: url.searchParams, body, accept: req.headers.accept ?? '' });
      return send(throttle ? { ...reply, headers: { ...throttle.headers, ...reply.headers } } : reply);
    }
    send({ status: 404, body: { message: 'no such route' } });
  }
}
