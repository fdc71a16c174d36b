/**
 * Property tests on every HTTP route, canonical and sender: arbitrary bodies, encodings, header sets, sizes and signatures.
 * - never a 5xx for bad input; every answer is JSON with an outcome, and every refusal says why;
 * - never a DocSpace call unless the request is authentic (signed with the secret, in time) and a valid event;
 * - a body over the limit gets 413.
 * FUZZ_RUNS sets the cases per route: 300 by default, for the edit loop; the long suite runs 10,000.
 */
// The functions' JSON lines are checked for secrets and personal data here too (npm test applies it to every file).
import '../setup/logGuard';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_TYPES, type CanonicalEventType } from '../../lib/events';
import { MAX_BODY_BYTES } from '../../lib/http/rawBody';
import { ROUTE_BY_TYPE } from '../../lib/http/routes';
import { signStandardWebhook } from '../../lib/http/standardWebhooks';
import { LOCAL, startLocalStack, type LocalStack } from '../../local/stack';
import { httpEvent, invokeHttp, type LambdaHandler, setEnv } from '../../local/lambda';
import { deliveryFor, SENDER_ROUTES } from '../../local/deliveries';
import { SENDER_NAMES } from '../../lib/senders/registry';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
let stack: LocalStack;
let restoreEnv: () => void;
const handlers = {} as Record<CanonicalEventType, LambdaHandler>;

beforeAll(async () => {
  stack = await startLocalStack();
  restoreEnv = setEnv({ ...stack.env, POWERTOOLS_LOG_LEVEL: 'SILENT' });
  handlers['user.created'] = ((await import('../../handlers/userCreated')) as { handler: LambdaHandler }).handler;
  handlers['user.role_changed'] = ((await import('../../handlers/userRoleChanged')) as { handler: LambdaHandler }).handler;
  handlers['user.contact_updated'] = ((await import('../../handlers/userContactUpdated')) as { handler: LambdaHandler }).handler;
  handlers['user.deactivated'] = ((await import('../../handlers/userStatusChanged')) as { handler: LambdaHandler }).handler;
});

afterAll(async () => {
  restoreEnv?.();
  await stack?.stop();
});

const otherSecret = `whsec_${Buffer.from('an attacker guessing the secret!').toString('base64')}`;

/** Something close to a canonical event, with fields dropped, retyped or mangled. */
const eventLike = fc.record(
  {
    id: fc.oneof(fc.string(), fc.constant('evt_1'), fc.integer()),
    type: fc.oneof(fc.constantFrom(...EVENT_TYPES, 'user.deleted', ''), fc.string()),
    occurredAt: fc.oneof(
      fc.constant('2026-11-22T09:30:00Z'),
      fc.string(),
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    ),
    source: fc.string(),
    data: fc.oneof(
      fc.record(
        {
          email: fc.oneof(fc.emailAddress(), fc.string()),
          userId: fc.oneof(fc.uuid(), fc.string()),
          firstName: fc.string(),
          lastName: fc.string(),
          role: fc.oneof(fc.constantFrom('User', 'Manager', 'Wizard'), fc.string()),
          contacts: fc.array(fc.record({ type: fc.string(), value: fc.string() }, { requiredKeys: [] }), { maxLength: 3 }),
        },
        { requiredKeys: [] },
      ),
      fc.jsonValue(),
    ),
  },
  { requiredKeys: [] },
);

const body = fc.oneof(
  { weight: 4, arbitrary: eventLike.map((e) => JSON.stringify(e)) },
  { weight: 2, arbitrary: fc.json() },
  { weight: 2, arbitrary: fc.string({ unit: 'binary' }) },
  { weight: 1, arbitrary: fc.constantFrom('', '{', 'null', '[]', '{"type":"user.created"}', '\u0000\u0001') },
  { weight: 1, arbitrary: fc.integer({ min: MAX_BODY_BYTES - 10, max: MAX_BODY_BYTES + 1_000 }).map((n) => `{"x":"${'a'.repeat(n)}"}`) },
);

type Signing = 'valid' | 'none' | 'forged' | 'otherSecret' | 'stale' | 'future' | 'otherBody' | 'garbage';
const signing = fc.constantFrom<Signing>('valid', 'none', 'forged', 'otherSecret', 'stale', 'future', 'otherBody', 'garbage');

function headersFor(mode: Signing, raw: string, id: string, extra: Record<string, string>): Record<string, string> {
  const now = new Date();
  switch (mode) {
    case 'valid':
      return signStandardWebhook(raw, LOCAL.signingSecret, id, now);
    case 'none':
      return {};
    case 'forged':
      return {
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': `v1,${Buffer.from(id).toString('base64')}`,
      };
    case 'otherSecret':
      return signStandardWebhook(raw, otherSecret, id, now);
    case 'stale':
      return signStandardWebhook(raw, LOCAL.signingSecret, id, new Date(now.getTime() - 6 * 60_000));
    case 'future':
      return signStandardWebhook(raw, LOCAL.signingSecret, id, new Date(now.getTime() + 6 * 60_000));
    case 'otherBody':
      return signStandardWebhook(`${raw} `, LOCAL.signingSecret, id, now);
    case 'garbage':
      return { 'webhook-id': id, 'webhook-timestamp': extra.ts ?? 'soon', 'webhook-signature': extra.sig ?? 'v1' };
  }
}

// One property run per route (de- and reactivation share theirs).
const ROUTE_TYPES: CanonicalEventType[] = ['user.created', 'user.role_changed', 'user.contact_updated', 'user.deactivated'];

describe.each(ROUTE_TYPES.map((t) => [t]))('POST %s route under fuzzing', (type) => {
  it(`holds its properties for ${RUNS} arbitrary requests`, { timeout: 600_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        body,
        signing,
        fc.boolean(),
        fc.string({ maxLength: 40 }),
        fc.dictionary(fc.string({ maxLength: 20 }), fc.string({ maxLength: 40 }), { maxKeys: 3 }),
        async (raw, mode, base64, id, extra) => {
          const route = ROUTE_BY_TYPE[type];
          const headers = { ...extra, ...headersFor(mode, raw, id, extra) };
          const before = stack.docspace.requests.length;
          const answer = await invokeHttp(handlers[type], httpEvent(route, raw, headers, base64));
          const docspaceCalls = stack.docspace.requests.length - before;

          expect(answer.statusCode).toBeLessThan(500);
          expect(typeof answer.body.outcome).toBe('string');
          if (answer.statusCode >= 400) expect(answer.body.message).toMatch(/\S/);
          if (Buffer.byteLength(raw) > MAX_BODY_BYTES) expect(answer.statusCode).toBe(413);
          if (mode !== 'valid' && Buffer.byteLength(raw) <= MAX_BODY_BYTES) expect(answer.statusCode).toBe(401);
          if (answer.statusCode === 400 || answer.statusCode === 401 || answer.statusCode === 413) expect(docspaceCalls).toBe(0);
          if (mode !== 'valid') expect(docspaceCalls).toBe(0);
        },
      ),
      { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? 20261126) },
    );
  });
});

/** Bodies close to each vendor's format, mangled. */
const senderBody = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .record(
        {
          eventType: fc.constantFrom('com.okta.event_hook', 'x'),
          eventId: fc.string(),
          type: fc.constantFrom('employee.created', 'employee.updated', 'employee.left', 'table.entry.created', 'nope'),
          timestamp: fc.string(),
          triggeredAt: fc.string(),
          data: fc.oneof(
            fc.record({ events: fc.array(fc.jsonValue(), { maxLength: 3 }) }, { requiredKeys: [] }),
            fc.record(
              { employeeId: fc.oneof(fc.string(), fc.integer()), changedFields: fc.array(fc.string(), { maxLength: 3 }) },
              { requiredKeys: [] },
            ),
          ),
          employees: fc.array(
            fc.record({ id: fc.string(), action: fc.string(), fields: fc.dictionary(fc.string(), fc.jsonValue()) }, { requiredKeys: [] }),
            { maxLength: 2 },
          ),
        },
        { requiredKeys: [] },
      )
      .map((b) => JSON.stringify(b)),
  },
  { weight: 2, arbitrary: fc.json() },
  { weight: 2, arbitrary: fc.string({ unit: 'binary' }) },
  { weight: 1, arbitrary: fc.constantFrom('Ping test', '{"text":"Ping test"}', '', 'employees[1][x]=y') },
);

describe.each(SENDER_NAMES.map((s) => [s]))('POST /webhooks/%s under fuzzing', (sender) => {
  it(`holds its properties for ${RUNS} arbitrary deliveries`, { timeout: 600_000 }, async () => {
    const handler = ((await import(`../../handlers/${sender}Hook`)) as { handler: LambdaHandler }).handler;
    await fc.assert(
      fc.asyncProperty(senderBody, fc.constantFrom('valid', 'none', 'forged'), fc.boolean(), async (raw, mode, base64) => {
        const signed = deliveryFor(sender, raw);
        const headers: Record<string, string> = { ...signed.headers };
        // What the sender's signing adds (all but the content type) is what proves it genuine: drop it, or forge it.
        for (const name of Object.keys(signed.headers).filter((h) => h !== 'content-type')) {
          if (mode === 'none') delete headers[name];
          if (mode === 'forged') headers[name] = '0'.repeat(signed.headers[name]?.length ?? 1);
        }
        const before = { docspace: stack.docspace.requests.length, source: stack.senderApis.calls.length };
        const answer = await invokeHttp(handler, httpEvent(SENDER_ROUTES[sender], signed.body, headers, base64));
        const calls = stack.docspace.requests.length - before.docspace + stack.senderApis.calls.length - before.source;
        const handshake = answer.body.outcome === 'handshake';

        expect(answer.statusCode).toBeLessThan(500);
        expect(typeof answer.body.outcome).toBe('string');
        if (answer.statusCode >= 400) expect(answer.body.message).toMatch(/\S/);
        if (mode !== 'valid' && !handshake) expect(answer.statusCode).toBe(401);
        if (mode !== 'valid' || answer.statusCode >= 400) expect(calls).toBe(0);
      }),
      { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? 20261126) },
    );
  });
});
