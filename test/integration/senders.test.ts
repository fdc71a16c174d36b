/**
 * Okta, BambooHR and HiBob deliveries in their own formats, signed their own ways, through the sender functions
 * in-process, against the DocSpace and source-API emulators over real HTTP.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL, startLocalStack, type LocalStack } from '../../local/stack';
import { httpEvent, invokeHttp, type HttpAnswer, type LambdaHandler, setEnv } from '../../local/lambda';
import { deliveryFor, SENDER_ROUTES } from '../../local/deliveries';
import { senderEntry } from '../../lib/senders/registry';
import { capturedLogLines } from '../setup/logGuard';

type Sender = keyof typeof SENDER_ROUTES;
let stack: LocalStack;
let restoreEnv: () => void;
const handlers = {} as Record<Sender, LambdaHandler>;

beforeAll(async () => {
  stack = await startLocalStack();
  restoreEnv = setEnv(stack.env);
  handlers.okta = ((await import('../../handlers/oktaHook')) as { handler: LambdaHandler }).handler;
  handlers.bamboohr = ((await import('../../handlers/bamboohrHook')) as { handler: LambdaHandler }).handler;
  handlers.hibob = ((await import('../../handlers/hibobHook')) as { handler: LambdaHandler }).handler;
});

afterAll(async () => {
  restoreEnv?.();
  await stack?.stop();
});

beforeEach(async () => {
  stack.docspace.reset();
  stack.senderApis.reset();
  await stack.dynamoDb.clearEventsTable(LOCAL.eventsTable);
});

interface DeliveryAnswer extends HttpAnswer {
  body: HttpAnswer['body'] & { results?: { outcome: string; type: string }[]; ignored?: string[] };
}

async function send(sender: Sender, file: string, tamper?: (d: ReturnType<typeof deliveryFor>) => void): Promise<DeliveryAnswer> {
  const delivery = deliveryFor(sender, readFileSync(`events/${sender}/${file}`, 'utf8'));
  tamper?.(delivery);
  const event = httpEvent(SENDER_ROUTES[sender], delivery.body, delivery.headers);
  event.requestContext.http.method = delivery.method;
  return await invokeHttp(handlers[sender], event);
}

async function sendForm(body: string): Promise<DeliveryAnswer> {
  const delivery = deliveryFor('bamboohr', body);
  delivery.headers['content-type'] = 'application/x-www-form-urlencoded';
  return await invokeHttp(handlers.bamboohr, httpEvent(SENDER_ROUTES.bamboohr, delivery.body, delivery.headers));
}

const outcomes = (answer: DeliveryAnswer) => (answer.body.results ?? []).map((r) => `${r.type} ${r.outcome}`);

describe('Okta Event Hooks', () => {
  it('answers the one-time verification GET with the challenge, after checking the shared secret', async () => {
    const answer = await send('okta', 'verification.request.json');
    expect(answer).toMatchObject({ statusCode: 200, body: { verification: 'Me_rShK8JHsTnbyYrWXCEoMGbM_zsZ6k0hLPZ_Pg' } });
    const wrong = await send('okta', 'verification.request.json', (d) => (d.headers.authorization = 'guess'));
    expect(wrong.statusCode).toBe(401);
  });

  it('creates the member a user.lifecycle.create names, reading the profile from the Users API', async () => {
    const answer = await send('okta', 'user.lifecycle.create.json');
    expect(answer.statusCode).toBe(200);
    expect(outcomes(answer)).toEqual(['user.created created']);
    expect(stack.senderApis.calls).toEqual([{ method: 'GET', path: '/api/v1/users/00u3m90rxKjGQ0G6L1d6', status: 200 }]);
    expect(stack.docspace.memberByEmail('john.doe@example.com')).toMatchObject({
      firstName: 'John',
      lastName: 'Doe',
      type: 1, // title "Manager" → RoomAdmin through the default role map
      contacts: [
        { type: 'mobphone', value: '+1 555 0142' },
        { type: 'phone', value: '+1 555 0100' },
      ],
    });
  });

  it('turns update_profile (title, department, mobilePhone) into a role check and a contact update', async () => {
    await send('okta', 'user.lifecycle.create.json');
    const john = stack.docspace.memberByEmail('john.doe@example.com');
    const record = stack.senderApis.okta.get('00u3m90rxKjGQ0G6L1d6') as { profile: Record<string, unknown> };
    record.profile.mobilePhone = '+1 555 0199';
    const answer = await send('okta', 'user.account.update_profile.json');
    expect(outcomes(answer)).toEqual(['user.role_changed unchanged', 'user.contact_updated updated']);
    expect(john?.contacts).toEqual([
      { type: 'mobphone', value: '+1 555 0199' },
      { type: 'phone', value: '+1 555 0100' },
    ]);
  });

  it('disables the member on user.lifecycle.deactivate', async () => {
    await send('okta', 'user.lifecycle.create.json');
    const answer = await send('okta', 'user.lifecycle.deactivate.json');
    expect(outcomes(answer)).toEqual(['user.deactivated updated']);
    expect(stack.docspace.memberByEmail('john.doe@example.com')?.status).toBe(2);
  });

  it('answers events it does not sync with 200 ignored and no call anywhere', async () => {
    for (const file of ['user.session.start.json', 'group.user_membership.add.json']) {
      const answer = await send('okta', file);
      expect(answer).toMatchObject({ statusCode: 200, body: { outcome: 'ignored' } });
      expect(answer.body.ignored?.[0]).toMatch(/not synced|not mapped/);
    }
    expect(stack.senderApis.calls).toHaveLength(0);
    expect(stack.docspace.calls()).toHaveLength(0);
  });

  it('ignores a user Okta no longer has (E0000007), and answers 503 with Retry-After when Okta rate-limits (E0000047)', async () => {
    stack.senderApis.okta.clear();
    const gone = await send('okta', 'user.lifecycle.create.json');
    expect(gone).toMatchObject({ statusCode: 200, body: { outcome: 'ignored' } });
    expect(gone.body.ignored?.join(' ')).toMatch(/no longer exists/);
    stack.senderApis.failWith = 429;
    const limited = await send('okta', 'user.lifecycle.create.json');
    expect(limited.statusCode).toBe(503);
    expect(limited.headers['retry-after']).toBeDefined();
    expect(stack.docspace.calls()).toHaveLength(0);
  });

  it('refuses a wrong or missing secret with 401 and calls nobody', async () => {
    expect((await send('okta', 'user.lifecycle.create.json', (d) => (d.headers.authorization = 'not-it'))).statusCode).toBe(401);
    expect((await send('okta', 'user.lifecycle.create.json', (d) => delete d.headers.authorization)).statusCode).toBe(401);
    expect(stack.senderApis.calls).toHaveLength(0);
    expect(stack.docspace.calls()).toHaveLength(0);
  });
});

describe('BambooHR', () => {
  it('creates one member with the mobile phone of a field-based hire; sending it again changes nothing', async () => {
    const first = await send('bamboohr', 'employee-hired.fields.json');
    expect(outcomes(first)).toEqual(['user.created created']);
    expect(stack.senderApis.calls).toHaveLength(0); // the payload carried every value needed
    expect(stack.docspace.memberByEmail('lena.novak@example.com')).toMatchObject({
      type: 1,
      contacts: [{ type: 'mobphone', value: '+1 555 0199' }],
    });
    const writes = stack.docspace.calls({ writes: true }).length;
    const again = await send('bamboohr', 'employee-hired.fields.json');
    expect(again.statusCode).toBe(200);
    expect(stack.docspace.calls({ writes: true })).toHaveLength(writes);
  });

  it('reads the employee for an event-based employee.created and creates the member', async () => {
    const answer = await send('bamboohr', 'employee.created.json');
    expect(outcomes(answer)).toEqual(['user.created created']);
    expect(stack.senderApis.calls[0]?.path).toBe('/api/gateway.php/acme/v1/employees/67890');
    expect(stack.docspace.memberByEmail('maya.patel@example.com')).toMatchObject({
      firstName: 'Maya',
      contacts: [
        { type: 'mobphone', value: '+1 555 0177' },
        { type: 'phone', value: '+1 555 0170' },
      ],
    });
  });

  it('ignores name changes (DocSpace cannot rename others), whatever the payload generation', async () => {
    for (const file of ['employee.updated.json', 'employee-changed.fields.json', 'employee-changed.permissioned.json']) {
      const answer = await send('bamboohr', file);
      expect(answer, file).toMatchObject({ statusCode: 200, body: { outcome: 'ignored' } });
      expect(answer.body.ignored?.join(' '), file).toMatch(/name changes are not synced/);
    }
    expect(stack.docspace.calls()).toHaveLength(0);
  });

  it('disables the member when the status becomes Inactive', async () => {
    await send('bamboohr', 'employee.created.json');
    const answer = await send('bamboohr', 'employee-terminated.fields.json');
    expect(outcomes(answer)).toEqual(['user.deactivated updated']);
    expect(stack.docspace.memberByEmail('maya.patel@example.com')?.status).toBe(2);
  });

  it('accepts the form-encoded variant', async () => {
    const body = new URLSearchParams({
      'employees[777][action]': 'Created',
      'employees[777][First Name]': 'Rob',
      'employees[777][Last Name]': 'Stone',
      'employees[777][Work Email]': 'rob.stone@example.com',
      'employees[777][Mobile Phone]': '+1 555 0777',
    }).toString();
    const delivery = deliveryFor('bamboohr', body);
    delivery.headers['content-type'] = 'application/x-www-form-urlencoded';
    const answer = await invokeHttp(handlers.bamboohr, httpEvent(SENDER_ROUTES.bamboohr, delivery.body, delivery.headers));
    expect(outcomes(answer)).toEqual(['user.created created']);
    expect(stack.docspace.memberByEmail('rob.stone@example.com')?.contacts).toEqual([{ type: 'mobphone', value: '+1 555 0777' }]);
  });

  it('understands the event-based form-encoded variant (type=…, data[employeeId]=…, data[changedFields][0]=…)', async () => {
    const created = await sendForm('type=employee.created&data%5BcompanyId%5D=12345&data%5BemployeeId%5D=67890');
    expect(outcomes(created)).toEqual(['user.created created']);
    expect(stack.senderApis.calls[0]?.path).toBe('/api/gateway.php/acme/v1/employees/67890');
    expect(stack.docspace.memberByEmail('maya.patel@example.com')?.contacts).toEqual([
      { type: 'mobphone', value: '+1 555 0177' },
      { type: 'phone', value: '+1 555 0170' },
    ]);
    // The documented sample, as BambooHR posts it (no timestamp: X-BambooHR-Timestamp stands in).
    const renamed = await sendForm(
      'type=employee.updated\ndata[companyId]=12345\ndata[employeeId]=67890\ndata[changedFields][0]=firstName'.replaceAll('\n', '&'),
    );
    expect(renamed).toMatchObject({ statusCode: 200, body: { outcome: 'ignored' } });
    expect(renamed.body.ignored?.join(' ')).toMatch(/name changes are not synced/);
    stack.senderApis.bamboohr.set('67890', { ...stack.senderApis.bamboohr.get('67890'), jobTitle: 'DocSpaceAdmin' });
    const promoted = await sendForm(
      'type=employee.updated&timestamp=2026-02-01T10%3A00%3A00%2B0000&data[employeeId]=67890&data[changedFields][0]=jobTitle',
    );
    expect(outcomes(promoted)).toEqual(['user.role_changed updated']);
    expect(stack.docspace.memberByEmail('maya.patel@example.com')?.type).toBe(3);
  });

  it('refuses a wrong signature, a stale timestamp and a changed body with 401, calling nobody', async () => {
    const wrong = await send('bamboohr', 'employee.created.json', (d) => (d.headers['x-bamboohr-signature'] = 'ab'.repeat(32)));
    const stale = await send(
      'bamboohr',
      'employee.created.json',
      (d) => (d.headers['x-bamboohr-timestamp'] = String(Math.floor(Date.now() / 1000) - 600)),
    );
    const changed = await send('bamboohr', 'employee.created.json', (d) => (d.body = d.body.replace('67890', '67891')));
    expect([wrong.statusCode, stale.statusCode, changed.statusCode]).toEqual([401, 401, 401]);
    expect(stale.body.message).toMatch(/5-minute window/);
    expect(stack.senderApis.calls).toHaveLength(0);
    expect(stack.docspace.calls()).toHaveLength(0);
  });

  it('answers 500 naming the field when the API leaves out one it was asked for (the API user may not view it), and writes nothing', async () => {
    stack.senderApis.bamboohrHidden.add('workEmail');
    const answer = await send('bamboohr', 'employee.created.json');
    expect(answer).toMatchObject({ statusCode: 500, body: { outcome: 'misconfigured' } });
    expect(answer.body.message).toMatch(/answer for employee 67890 lacks field\(s\) asked for: workEmail\./);
    expect(stack.docspace.calls()).toHaveLength(0);
    // The older API leaves such a field empty instead: that is indistinguishable from no value, so 200 ignored.
    stack.senderApis.bamboohrHiding = 'empty';
    const empty = await send('bamboohr', 'employee.created.json');
    expect(empty).toMatchObject({ statusCode: 200, body: { outcome: 'ignored' } });
    expect(empty.body.ignored?.join(' ')).toMatch(/has no e-mail/);
    expect(stack.docspace.calls()).toHaveLength(0);
  });

  it('answers 503 with Retry-After when the BambooHR API is down, so BambooHR retries', async () => {
    stack.senderApis.failWith = 503;
    const answer = await send('bamboohr', 'employee.created.json');
    expect(answer.statusCode).toBe(503);
    expect(answer.headers['retry-after']).toBeDefined();
    expect(stack.docspace.calls()).toHaveLength(0);
  });
});

describe('HiBob', () => {
  it('answers the "Ping test" handshake, plain or JSON, before anything else', async () => {
    expect(await send('hibob', 'ping.txt')).toMatchObject({ statusCode: 200, body: { outcome: 'handshake' } });
    const json = deliveryFor('hibob', '{"text":"Ping test"}');
    expect((await invokeHttp(handlers.hibob, httpEvent(SENDER_ROUTES.hibob, json.body, {}))).statusCode).toBe(200);
  });

  it('reads the person for employee.created and creates the member', async () => {
    const answer = await send('hibob', 'employee.created.json');
    expect(outcomes(answer)).toEqual(['user.created created']);
    expect(stack.senderApis.calls).toEqual([{ method: 'POST', path: '/v1/people/3332883894235038486', status: 200 }]);
    expect(stack.docspace.memberByEmail('noa.levi@example.com')).toMatchObject({
      firstName: 'Noa',
      lastName: 'Levi',
      type: 1,
      contacts: [{ type: 'mobphone', value: '+972 50 555 0134' }],
    });
  });

  it.each(['slash', 'nested', 'both'] as const)(
    'creates the member with the work mobile (work.workMobile) as mobphone from an answer keyed %s',
    async (shape) => {
      stack.senderApis.hibobShape = shape;
      const answer = await send('hibob', 'employee.created.json');
      expect(outcomes(answer)).toEqual(['user.created created']);
      const created = stack.docspace.calls({ writes: true });
      expect(created).toHaveLength(1);
      expect(created[0]?.body).toMatchObject({ email: 'noa.levi@example.com', firstName: 'Noa', lastName: 'Levi' });
      expect(JSON.stringify(created[0]?.body)).toContain('+972 50 555 0134'); // the work mobile, not home.mobilePhone (+972 54 …)
      expect(stack.docspace.memberByEmail('noa.levi@example.com')?.contacts).toEqual([{ type: 'mobphone', value: '+972 50 555 0134' }]);
    },
  );

  it('answers 500 misconfigured with an ERROR line naming the field when Bob omits the e-mail (no View on About), and writes nothing', async () => {
    stack.senderApis.hibobDenied.add('about');
    const answer = await send('hibob', 'employee.created.json');
    expect(answer).toMatchObject({ statusCode: 500, body: { outcome: 'misconfigured' } });
    expect(answer.body.message).toMatch(/answer for employee 3332883894235038486 lacks field\(s\) asked for: root\.email\./);
    expect(answer.body.message).toMatch(/service user may not view/);
    expect(stack.senderApis.calls).toHaveLength(1);
    expect(stack.docspace.calls()).toHaveLength(0);
    const errors = capturedLogLines().filter(
      (line) => line.includes('"level":"ERROR"') && line.includes('root.email') && line.includes('3332883894235038486'),
    );
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.join('\n')).toMatch(/category/);
  });

  it('names every omitted contact field (no View on Work contact details) and retries rather than dropping the hire', async () => {
    stack.senderApis.hibobDenied.add('workContact');
    const answer = await send('hibob', 'employee.created.json');
    expect(answer.statusCode).toBe(500);
    expect(answer.body.message).toMatch(/work\.workMobile, work\.workPhone/);
    expect(stack.docspace.calls()).toHaveLength(0);
    stack.senderApis.hibobDenied.clear(); // the admin fixes the permission; Bob's redelivery goes through
    expect(outcomes(await send('hibob', 'employee.created.json'))).toEqual(['user.created created']);
  });

  it('answers 200 ignored, with the reason, for an employee whose e-mail is present but empty', async () => {
    stack.senderApis.hibob.get('3332883894235038486')!['root.email'] = null;
    const answer = await send('hibob', 'employee.created.json');
    expect(answer).toMatchObject({ statusCode: 200, body: { outcome: 'ignored' } });
    expect(answer.body.ignored?.join(' ')).toMatch(/has no e-mail/);
    expect(stack.docspace.calls()).toHaveLength(0);
  });

  it('turns employee.updated (surname, work.title) into a role check and a note that names are not synced', async () => {
    await send('hibob', 'employee.created.json');
    stack.senderApis.hibob.get('3332883894235038486')!['work.title'] = 'DocSpaceAdmin';
    const answer = await send('hibob', 'employee.updated.json');
    expect(outcomes(answer)).toEqual(['user.role_changed updated']);
    expect(answer.body.ignored?.join(' ')).toMatch(/name changes are not synced/);
    expect(stack.docspace.memberByEmail('noa.levi@example.com')?.type).toBe(3);
  });

  it('disables the member on employee.left, and ignores table entries it does not sync', async () => {
    await send('hibob', 'employee.created.json');
    expect(outcomes(await send('hibob', 'employee.left.json'))).toEqual(['user.deactivated updated']);
    expect(await send('hibob', 'table.entry.created.json')).toMatchObject({ statusCode: 200, body: { outcome: 'ignored' } });
  });

  it('refuses a wrong or missing Bob-Signature and a mangled body', async () => {
    const wrong = await send('hibob', 'employee.created.json', (d) => (d.headers['bob-signature'] = Buffer.alloc(64).toString('base64')));
    const missing = await send('hibob', 'employee.created.json', (d) => delete d.headers['bob-signature']);
    expect([wrong.statusCode, missing.statusCode]).toEqual([401, 401]);
    const mangled = deliveryFor('hibob', '{"type": "employee.created", oops');
    const answer = await invokeHttp(handlers.hibob, httpEvent(SENDER_ROUTES.hibob, mangled.body, mangled.headers));
    expect(answer).toMatchObject({ statusCode: 400, body: { outcome: 'invalid' } });
    expect(stack.senderApis.calls).toHaveLength(0);
    expect(stack.docspace.calls()).toHaveLength(0);
  });
});

describe.each([
  ['okta', 'user.lifecycle.create.json'],
  ['bamboohr', 'employee.created.json'],
  ['hibob', 'employee.created.json'],
] as const)('a %s delivery whose body is not its format', (sender, sample) => {
  const json = JSON.stringify(JSON.parse(readFileSync(`events/${sender}/${sample}`, 'utf8')));
  // The sample plus a Latin-1 "ë" (0xEB): still the same JSON to a lenient decoder, but not UTF-8.
  const latin1 = Buffer.concat([Buffer.from(json.slice(0, -1)), Buffer.from(',"note":"Zo\u00eb"}', 'latin1')]);
  /** Validly signed bytes, so that only the body's format can be wrong. */
  async function post(bytes: Buffer, contentType: string | undefined): Promise<DeliveryAnswer> {
    const { 'content-type': _signed, ...headers } = senderEntry(sender).adapter.sign(bytes, LOCAL.senderSecrets[sender], new Date(), {});
    const event = httpEvent(SENDER_ROUTES[sender], '', headers);
    event.headers = { ...headers, ...(contentType === undefined ? {} : { 'content-type': contentType }) };
    Object.assign(event, { body: bytes.toString('base64'), isBase64Encoded: true });
    return await invokeHttp(handlers[sender], event);
  }

  it.each([
    [
      'a JSON content type with a body that is not JSON',
      Buffer.from('type=employee.created&data[employeeId]=67890'),
      'application/json',
      /not valid JSON/,
    ],
    [
      'a form content type with a JSON body',
      Buffer.from(json),
      'application/x-www-form-urlencoded',
      sender === 'bamboohr'
        ? /neither event-based .* nor field-based/
        : /Content-Type "application\/x-www-form-urlencoded" is not a format/,
    ],
    ['no body', Buffer.alloc(0), 'application/json', /body is empty/],
    ['no body and no content type', Buffer.alloc(0), undefined, /body is empty/],
    ['charset=latin1 with bytes that are not UTF-8', latin1, 'application/json; charset=latin1', /charset "latin1" is not UTF-8/],
    ['UTF-8 declared, bytes that are not UTF-8', latin1, 'application/json; charset=utf-8', /not valid UTF-8/],
    ['a content type the sender never sends', Buffer.from(json), 'text/plain', /Content-Type "text\/plain" is not a format/],
  ])('answers 400 for %s, calling neither DocSpace nor the sender API', async (_case, bytes, contentType, message) => {
    const answer = await post(bytes, contentType);
    expect(answer).toMatchObject({ statusCode: 400, body: { outcome: 'invalid' } });
    expect(answer.body.message).toMatch(message);
    expect(stack.docspace.calls()).toHaveLength(0);
    expect(stack.senderApis.calls).toHaveLength(0);
  });

  it('still processes the same sample signed and typed as the sender sends it (the cases above differ only in the body)', async () => {
    const answer = await post(Buffer.from(json), 'application/json; charset=utf-8');
    expect(answer.statusCode).toBe(200);
    expect(outcomes(answer)).toEqual(['user.created created']);
  });
});
