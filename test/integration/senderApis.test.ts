/**
 * The sender API emulators answer as the vendors document them (lib/senders/VENDOR-FACTS.md), whatever our adapters
 * expect: Bob's slash keys and silent omission, BambooHR's XML default and omitted or empty fields, Okta's error body.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SENDER_CREDENTIALS, SenderApisEmulator } from '../../local/emulators/senderApis';

const emulator = new SenderApisEmulator();
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const NOA = '3332883894235038486';

beforeAll(async () => {
  await emulator.start();
});
afterAll(async () => {
  await emulator.stop();
});
beforeEach(() => emulator.reset());

async function call(path: string, init: { method?: string; authorization: string; accept?: string; body?: unknown }) {
  const res = await fetch(`${emulator.url}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      authorization: init.authorization,
      ...(init.accept ? { accept: init.accept } : {}),
      ...(init.body ? { 'content-type': 'application/json' } : {}),
    },
    ...(init.body ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await res.text();
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    headers: res.headers,
    text,
    json: () => JSON.parse(text) as Record<string, unknown>,
  };
}

describe('HiBob People API emulator', () => {
  const bob = (path: string, body: unknown) =>
    call(path, {
      method: 'POST',
      authorization: basic(SENDER_CREDENTIALS.hibob.serviceUserId, SENDER_CREDENTIALS.hibob.token),
      accept: 'application/json',
      body,
    });

  it('keys the fields asked for in slash notation, each as {"value": …}, and nothing else', async () => {
    const answer = await bob(`/v1/people/${NOA}`, {
      fields: ['root.email', 'work.workMobile', 'work.workPhone'],
      humanReadable: 'REPLACE',
    });
    expect(answer.status).toBe(200);
    expect(answer.json()).toEqual({
      '/root/email': { value: 'noa.levi@example.com' },
      '/work/workMobile': { value: '+972 50 555 0134' },
      '/work/workPhone': { value: null },
    });
  });

  it('answers nested objects, or both shapes, on a switch', async () => {
    const fields = ['root.email', 'work.title'];
    emulator.hibobShape = 'nested';
    expect((await bob(`/v1/people/${NOA}`, { fields })).json()).toEqual({ email: 'noa.levi@example.com', work: { title: 'Manager' } });
    emulator.hibobShape = 'both';
    expect((await bob(`/v1/people/${NOA}`, { fields })).json()).toEqual({
      '/root/email': { value: 'noa.levi@example.com' },
      '/work/title': { value: 'Manager' },
      email: 'noa.levi@example.com',
      work: { title: 'Manager' },
    });
  });

  it('silently omits ids that do not exist and fields of categories the service user may not view (200, no warning)', async () => {
    emulator.hibobDenied.add('personalContact');
    const answer = await bob(`/v1/people/${NOA}`, { fields: ['root.email', 'work.mobilePhone', 'home.mobilePhone'] });
    expect(answer.status).toBe(200);
    expect(answer.json()).toEqual({ '/root/email': { value: 'noa.levi@example.com' } });
  });

  it('reads an employee by e-mail as well as by id, and answers 404 for nobody', async () => {
    expect((await bob('/v1/people/omer.katz@example.com', { fields: ['root.id'] })).json()).toEqual({
      '/root/id': { value: '3332883854254932743' },
    });
    expect((await bob('/v1/people/1', { fields: ['root.id'] })).status).toBe(404);
  });

  it('searches: one employees array, a root.id/root.email equals filter, active employees unless showInactive, 400 for empty filters', async () => {
    emulator.hibob.get('3332883854254932743')!['internal.status'] = 'Inactive';
    const all = await bob('/v1/people/search', { fields: ['root.id'] });
    expect(all.json()).toEqual({ employees: [{ '/root/id': { value: NOA } }] });
    const filter = { fieldPath: 'root.id', operator: 'equals', values: ['3332883854254932743'] };
    expect((await bob('/v1/people/search', { fields: ['root.id'], filters: [filter] })).json()).toEqual({ employees: [] });
    expect((await bob('/v1/people/search', { fields: ['root.id'], filters: [filter], showInactive: true })).json()).toEqual({
      employees: [{ '/root/id': { value: '3332883854254932743' } }],
    });
    expect((await bob('/v1/people/search', { fields: ['root.id'], filters: [] })).status).toBe(400);
  });

  it('answers the default categories when no fields are named (root, about, work), still by permission', async () => {
    emulator.hibobDenied.add('work');
    const keys = Object.keys((await bob(`/v1/people/${NOA}`, {})).json());
    expect(keys).toEqual(expect.arrayContaining(['/root/id', '/root/email', '/root/firstName']));
    expect(keys.filter((k) => k.startsWith('/work/') || k.startsWith('/home/'))).toEqual([]);
  });
});

describe('BambooHR employees API emulator', () => {
  const path = '/api/gateway.php/acme/v1/employees/67890?fields=firstName,workEmail,mobilePhone';
  const authorization = basic(SENDER_CREDENTIALS.bamboohr.apiKey, 'x');

  it('answers XML by default, the only fields named, id as an attribute', async () => {
    const answer = await call(path, { authorization });
    expect(answer.status).toBe(200);
    expect(answer.type).toMatch(/^text\/xml/);
    expect(answer.text).toContain('<employee id="67890">');
    expect(answer.text).toContain('<field id="firstName">Maya</field>');
    expect(answer.text).not.toContain('lastName');
  });

  it('answers JSON with Accept: application/json: id as a string and only the fields named', async () => {
    const answer = await call(path, { authorization, accept: 'application/json' });
    expect(answer.json()).toEqual({ id: '67890', firstName: 'Maya', workEmail: 'maya.patel@example.com', mobilePhone: '+1 555 0177' });
  });

  it('omits a field the API user may not view (current docs), or leaves it empty (older docs)', async () => {
    emulator.bamboohrHidden.add('workEmail');
    expect((await call(path, { authorization, accept: 'application/json' })).json()).toEqual({
      id: '67890',
      firstName: 'Maya',
      mobilePhone: '+1 555 0177',
    });
    emulator.bamboohrHiding = 'empty';
    expect((await call(path, { authorization, accept: 'application/json' })).json()).toEqual({
      id: '67890',
      firstName: 'Maya',
      workEmail: null,
      mobilePhone: '+1 555 0177',
    });
  });

  it('refuses a field that does not exist with 406, and an unknown employee with 404, saying why in X-BambooHR-Error-Message', async () => {
    const unknown = await call('/api/gateway.php/acme/v1/employees/67890?fields=firstName,mobile', {
      authorization,
      accept: 'application/json',
    });
    expect(unknown.status).toBe(406);
    expect(unknown.headers.get('x-bamboohr-error-message')).toMatch(/mobile/);
    expect((await call('/api/gateway.php/acme/v1/employees/1?fields=firstName', { authorization })).status).toBe(404);
  });
});

describe('Okta Users API emulator', () => {
  const authorization = `SSWS ${SENDER_CREDENTIALS.okta.apiToken}`;
  const errorBody = (code: string) => ({
    errorCode: code,
    errorSummary: expect.any(String),
    errorLink: code,
    errorId: expect.stringMatching(/^oae\w+/),
    errorCauses: [],
  });

  it("answers errors with Okta's error body and codes: E0000007 404, E0000011 401, E0000047 429, E0000009 500", async () => {
    const missing = await call('/api/v1/users/00unobody', { authorization });
    expect(missing.status).toBe(404);
    expect(missing.json()).toEqual(errorBody('E0000007'));
    expect(missing.json().errorSummary).toBe('Not found: Resource not found: 00unobody (User)');
    const badToken = await call('/api/v1/users/00u3m90rxKjGQ0G6L1d6', { authorization: 'SSWS wrong' });
    expect([badToken.status, badToken.json()]).toEqual([401, errorBody('E0000011')]);
    emulator.failWith = 429;
    expect((await call('/api/v1/users/00u3m90rxKjGQ0G6L1d6', { authorization })).json()).toEqual(errorBody('E0000047'));
    emulator.failWith = 500;
    expect((await call('/api/v1/users/00u3m90rxKjGQ0G6L1d6', { authorization })).json()).toEqual(errorBody('E0000009'));
  });

  it('answers the user with its profile', async () => {
    const answer = await call('/api/v1/users/00u3m90rxKjGQ0G6L1d6', { authorization, accept: 'application/json' });
    expect(answer.json()).toMatchObject({
      id: '00u3m90rxKjGQ0G6L1d6',
      profile: { email: 'john.doe@example.com', mobilePhone: '+1 555 0142' },
    });
  });
});

describe('rosters, as the vendors list people', () => {
  const okta = `SSWS ${SENDER_CREDENTIALS.okta.apiToken}`;
  const bamboo = basic(SENDER_CREDENTIALS.bamboohr.apiKey, 'x');
  const seed = (n: number, inactive: number[] = []) =>
    Array.from({ length: n }, (_, i) => ({
      id: `00u${String(i).padStart(4, '0')}`,
      email: `p${i}@example.com`,
      firstName: 'P',
      lastName: 'Q',
      title: 'User',
      active: !inactive.includes(i),
    }));

  it('Okta pages with Link rel="next" (200 at most), leaves DEPROVISIONED users out, and sends its rate-limit headers', async () => {
    emulator.seedRoster('okta', seed(250, [3]));
    emulator.okta.get('00u0007')!.status = 'DEPROVISIONED';
    const first = await call('/api/v1/users?limit=500', { authorization: okta });
    expect(first.status).toBe(200);
    expect(first.json()).toHaveLength(200);
    const link = first.headers.get('link') ?? '';
    expect(link).toContain('rel="self"');
    const next = /<([^>]+)>; rel="next"/.exec(link)?.[1] ?? '';
    const second = await call(next.replace(emulator.url, ''), { authorization: okta });
    expect((second.json() as unknown as unknown[]).length).toBe(49);
    expect(second.headers.get('link')).not.toContain('rel="next"');
    expect((first.json() as unknown as { id: string; status: string }[]).find((u) => u.id === '00u0003')?.status).toBe('SUSPENDED');

    emulator.rateLimit.okta = { limit: 1, windowMs: 60_000 };
    const ok = await call('/api/v1/users', { authorization: okta });
    expect(ok.headers.get('x-rate-limit-limit')).toBe('1');
    expect(ok.headers.get('x-rate-limit-remaining')).toBe('0');
    const limited = await call('/api/v1/users', { authorization: okta });
    expect(limited.status).toBe(429);
    expect(limited.json()).toMatchObject({ errorCode: 'E0000047' });
    expect(Number(limited.headers.get('x-rate-limit-reset'))).toBeGreaterThan(Date.now() / 1000);
  });

  it('BambooHR: the directory lists active employees (XML unless JSON is accepted), a custom report the inactive too', async () => {
    emulator.seedRoster('bamboohr', seed(3, [1]));
    const xml = await call('/api/gateway.php/acme/v1/employees/directory', { authorization: bamboo });
    expect(xml.type).toContain('text/xml');
    expect(xml.text.match(/<employee /g)).toHaveLength(2);
    const json = await call('/api/gateway.php/acme/v1/employees/directory', { authorization: bamboo, accept: 'application/json' });
    expect((json.json().employees as unknown[]).length).toBe(2);

    const report = (onlyCurrent: boolean) =>
      call(`/api/gateway.php/acme/v1/reports/custom?format=JSON&onlyCurrent=${onlyCurrent}`, {
        method: 'POST',
        authorization: bamboo,
        accept: 'application/json',
        body: { title: 't', fields: ['workEmail', 'status'] },
      });
    expect(((await report(true)).json().employees as unknown[]).length).toBe(2);
    const all = (await report(false)).json().employees as Record<string, unknown>[];
    expect(all).toHaveLength(3);
    expect(all[1]).toEqual({ id: '00u0001', workEmail: 'p1@example.com', status: 'Inactive' });

    emulator.rateLimit.bamboohr = { limit: 0, windowMs: 60_000 };
    const throttled = await report(false);
    expect(throttled.status).toBe(503);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('Bob answers a search in one list, active only unless showInactive', async () => {
    emulator.seedRoster('hibob', seed(3, [2]));
    const bob = (body: unknown) =>
      call('/v1/people/search', {
        method: 'POST',
        authorization: basic(SENDER_CREDENTIALS.hibob.serviceUserId, SENDER_CREDENTIALS.hibob.token),
        accept: 'application/json',
        body,
      });
    expect(((await bob({ fields: ['root.email'] })).json().employees as unknown[]).length).toBe(2);
    const all = (await bob({ fields: ['root.email', 'internal.status'], showInactive: true })).json().employees as unknown[];
    expect(all).toHaveLength(3);
    expect(all[2]).toEqual({ '/root/email': { value: 'p2@example.com' }, '/internal/status': { value: 'Inactive' } });
  });
});
