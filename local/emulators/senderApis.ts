/**
 * Emulators of the senders' own APIs, as the adapters read them: Okta Users (`GET /api/v1/users/{id}`, SSWS token),
 * BambooHR employees (`GET /api/gateway.php/{company}/v1/employees/{id}?fields=…`, API key as Basic user) and HiBob
 * People (`POST /v1/people/{id}` with `{"fields": […]}`, service user as Basic). Seeded with realistic records for
 * the ids in the vendors' sample payloads (events/okta, events/bamboohr, events/hibob).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpEmulator, readBody, sendJson } from './http';

export const SENDER_CREDENTIALS = {
  okta: { apiToken: '00local-okta-api-token-not-a-secret' },
  bamboohr: { apiKey: 'local-bamboohr-api-key-not-a-secret' },
  hibob: { serviceUserId: 'SERVICE-LOCAL', token: 'local-hibob-token-not-a-secret' },
};

const BAMBOOHR_COMPANY = 'acme';

interface Route {
  match: RegExp;
  method: string;
  authorization: string;
  /** The record for the id in the path, shaped as the vendor answers; undefined → 404. */
  answer(id: string, query: URLSearchParams, body: unknown): unknown;
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** One server for the three APIs: each sender's routes live under their own path, as on the real hosts. */
export class SenderApisEmulator extends HttpEmulator {
  readonly calls: { method: string; path: string; status: number }[] = [];
  readonly okta = new Map<string, Record<string, unknown>>();
  readonly bamboohr = new Map<string, Record<string, string>>();
  readonly hibob = new Map<string, Record<string, unknown>>();
  /** When set, every call answers this status (an API that is down). */
  failWith: number | undefined;
  private readonly routes: Route[] = [
    {
      method: 'GET',
      match: /^\/api\/v1\/users\/([^/]+)$/,
      authorization: `SSWS ${SENDER_CREDENTIALS.okta.apiToken}`,
      answer: (id) => this.okta.get(id),
    },
    {
      method: 'GET',
      match: new RegExp(`^/api/gateway\\.php/${BAMBOOHR_COMPANY}/v1/employees/([^/]+)$`),
      authorization: basic(SENDER_CREDENTIALS.bamboohr.apiKey, 'x'),
      answer: (id, query) => {
        const employee = this.bamboohr.get(id);
        if (!employee) return undefined;
        const fields = (query.get('fields') ?? '').split(',').filter(Boolean);
        return { id, ...Object.fromEntries(fields.map((f) => [f, employee[f] ?? null])) };
      },
    },
    {
      method: 'POST',
      match: /^\/v1\/people\/([^/]+)$/,
      authorization: basic(SENDER_CREDENTIALS.hibob.serviceUserId, SENDER_CREDENTIALS.hibob.token),
      answer: (id) => this.hibob.get(id),
    },
  ];

  constructor() {
    super();
    this.seed();
  }

  /** Base URLs as the functions are configured with them (OKTA_ORG_URL, BAMBOOHR_API_URL, HIBOB_API_URL). */
  get env(): Record<string, string> {
    return { OKTA_ORG_URL: this.url, BAMBOOHR_API_URL: `${this.url}/api/gateway.php/${BAMBOOHR_COMPANY}`, HIBOB_API_URL: this.url };
  }

  reset(): void {
    this.calls.length = 0;
    this.failWith = undefined;
    this.seed();
  }

  private seed(): void {
    this.okta.clear();
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
      firstName: 'Maya', lastName: 'Patel', workEmail: 'maya.patel@example.com', homeEmail: '', mobilePhone: '+1 555 0177',
      workPhone: '+1 555 0170', homePhone: '', jobTitle: 'Manager', department: 'Finance', division: 'EMEA', status: 'Active',
    });
    this.bamboohr.set('12345', {
      firstName: 'Bryony', lastName: 'Hale', workEmail: 'bryony.hale@example.com', homeEmail: '', mobilePhone: '+1 555 0188',
      workPhone: '', homePhone: '', jobTitle: 'Accountant', department: 'Finance', division: 'EMEA', status: 'Active',
    });
    this.bamboohr.set('5', {
      firstName: 'Tefi', lastName: 'Adams', workEmail: 'tefi.adams@example.com', homeEmail: '', mobilePhone: '',
      workPhone: '+1 555 0105', homePhone: '', jobTitle: 'User', department: 'Support', division: '', status: 'Active',
    });
    this.hibob.set('3332883894235038486', {
      id: '3332883894235038486',
      firstName: 'Noa',
      surname: 'Levi',
      email: 'noa.levi@example.com',
      work: { title: 'Manager', department: 'Product', mobilePhone: '+972 50 555 0134', workPhone: null },
    });
    this.hibob.set('3332883854254932743', {
      id: '3332883854254932743',
      firstName: 'Omer',
      surname: 'Katz',
      email: 'omer.katz@example.com',
      work: { title: 'Engineer', department: 'R&D', mobilePhone: null, workPhone: '+972 3 555 0101' },
    });
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const method = req.method ?? 'GET';
    const text = await readBody(req);
    const answer = (status: number, body: unknown) => {
      this.calls.push({ method, path: url.pathname, status });
      sendJson(res, status, body);
    };
    if (this.failWith) return answer(this.failWith, { errorCode: 'E0000009', errorSummary: 'Internal Server Error' });
    for (const route of this.routes) {
      const match = route.match.exec(url.pathname);
      if (!match || method !== route.method) continue;
      if (req.headers.authorization !== route.authorization) return answer(401, { errorCode: 'E0000011', errorSummary: 'Invalid token provided' });
      const record = route.answer(decodeURIComponent(match[1] as string), url.searchParams, text ? JSON.parse(text) : undefined);
      return record === undefined ? answer(404, { errorCode: 'E0000007', errorSummary: 'Not found' }) : answer(200, record);
    }
    answer(404, { errorSummary: 'no such route' });
  }
}
