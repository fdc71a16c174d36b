/**
 * The three handlers run in-process as Lambda runs them, over real HTTP to the DocSpace emulator and through the real
 * AWS SDK to the Secrets Manager emulator. Assertions are on what DocSpace received and stored and on the answers.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { capturedLogLines, secretsIn } from '../setup/logGuard';
import type { DocSpaceProfile } from '../../local/emulators/docspace';
import { OWNER_ID } from '../../local/emulators/docspace';
import { LOCAL, startLocalStack, type LocalStack } from '../../local/stack';
import { signStandardWebhook } from '../../lib/http/standardWebhooks';
import {
  composedHandlers,
  httpEvent,
  invokeHttp,
  lambdaContext as realContext,
  setEnv,
  signedHttpEvent,
  virtualClock,
  type LambdaHandler,
} from '../../local/lambda';

let stack: LocalStack;
let restoreEnv: () => void;
// Downgrade polls and retry waits pass on this clock, at once: no test here sleeps for real.
const clock = virtualClock();
const lambdaContext = (name?: string, timeoutMs?: number) => realContext(name, timeoutMs, clock);
const invoke = (handler: LambdaHandler, event: Parameters<typeof invokeHttp>[1], context = lambdaContext()) =>
  invokeHttp(handler, event, context);
const functions = composedHandlers(clock);
const userCreated = functions.canonical('user.created');
const userRoleChanged = functions.canonical('user.role_changed');
const userContactUpdated = functions.canonical('user.contact_updated');
const userStatusChanged = functions.canonical('user.deactivated', 'user.reactivated');

// Every event gets its own id and a later occurredAt than the one before, as a sender's would.
let seq = 0;
const next = () => ({ id: `evt_${++seq}`, occurredAt: new Date(Date.UTC(2026, 10, 22) + seq * 1000).toISOString(), source: 'test' });
const created = (data: Record<string, unknown>) => ({ ...next(), type: 'user.created', data });
const roleChanged = (data: Record<string, unknown>) => ({ ...next(), type: 'user.role_changed', data });
const contactUpdated = (data: Record<string, unknown>) => ({ ...next(), type: 'user.contact_updated', data });

beforeAll(async () => {
  stack = await startLocalStack();
  restoreEnv = setEnv({ ...stack.env, DOCSPACE_REASSIGN_USER_ID: OWNER_ID });
});

afterAll(async () => {
  restoreEnv?.();
  await stack?.stop();
});

describe.each<DocSpaceProfile>(['v3.1', 'current'])('against a DocSpace %s server', (profile) => {
  beforeEach(() => stack.docspace.reset({ profile }));

  describe('user.created', () => {
    it('creates the member with the mapped type and contacts, once', async () => {
      const event = created({
        email: 'jane.doe@example.com',
        firstName: 'Jane',
        lastName: 'Doe',
        role: 'Manager',
        contacts: [{ type: 'mobphone', value: '+1 555 0100' }],
        department: 'Sales',
      });
      const first = await userCreated(event, lambdaContext());
      const member = stack.docspace.memberByEmail('jane.doe@example.com');
      expect(first).toEqual({ outcome: 'created', userId: member?.id });
      expect(member).toMatchObject({ firstName: 'Jane', lastName: 'Doe', type: 1, contacts: [{ type: 'mobphone', value: '+1 555 0100' }] });
      expect(stack.docspace.calls({ writes: true })).toEqual([
        expect.objectContaining({
          method: 'POST',
          path: '/api/2.0/people',
          status: 200,
          body: {
            email: 'jane.doe@example.com',
            firstName: 'Jane',
            lastName: 'Doe',
            type: 1,
            contacts: [{ type: 'mobphone', value: '+1 555 0100' }],
          },
        }),
      ]);

      const again = await userCreated(created({ ...event.data, email: 'JANE.DOE@example.com' }), lambdaContext());
      expect(again).toMatchObject({ outcome: 'exists', userId: member?.id });
      expect(stack.docspace.calls({ writes: true })).toHaveLength(1);
      expect(stack.docspace.members.size).toBe(2); // the owner and Jane
    });

    it('creates a plain User when no role is given', async () => {
      await userCreated(created({ email: 'sam@example.com', firstName: 'Sam', lastName: 'Lee' }), lambdaContext());
      expect(stack.docspace.memberByEmail('sam@example.com')?.type).toBe(4);
    });

    it('answers an unknown role with 422 and makes no DocSpace call', async () => {
      const answer = await invoke(
        userCreated,
        signedHttpEvent('/webhooks/user-created', created({ email: 'x@example.com', firstName: 'X', lastName: 'Y', role: 'Wizard' })),
      );
      expect(answer.statusCode).toBe(422);
      expect(answer.body).toMatchObject({ outcome: 'unknown_role', message: expect.stringMatching(/Wizard.*ROLE_MAP/) });
      expect(stack.docspace.calls()).toHaveLength(0);
    });

    it("answers a DocSpace refusal of the data (400) with 422 and DocSpace's message", async () => {
      const answer = await invoke(
        userCreated,
        signedHttpEvent('/webhooks/user-created', created({ email: 'r2@example.com', firstName: 'R2-D2', lastName: 'Droid' })),
      );
      expect(answer.statusCode).toBe(422);
      expect(answer.body.message).toMatch(/Incorrect firstname or lastname/);
    });
  });

  describe('user.role_changed', () => {
    it('upgrades User → RoomAdmin through PUT people/type/1', async () => {
      const sam = stack.docspace.addMember({ email: 'sam@example.com', type: 4 });
      const answer = await invoke(
        userRoleChanged,
        signedHttpEvent('/webhooks/user-role-changed', roleChanged({ email: 'Sam@Example.com', role: 'roomadmin' })),
      );
      expect(answer).toMatchObject({ statusCode: 200, body: { outcome: 'updated', userId: sam.id, message: 'User → RoomAdmin' } });
      expect(stack.docspace.calls({ writes: true })).toEqual([
        expect.objectContaining({ method: 'PUT', path: '/api/2.0/people/type/1', body: { userIds: [sam.id] }, status: 200 }),
      ]);
      expect(sam.type).toBe(1);
    });

    it('leaves a member of the same type alone', async () => {
      const sam = stack.docspace.addMember({ email: 'sam@example.com', type: 1 });
      const result = await userRoleChanged(roleChanged({ userId: sam.id, role: 'Manager' }), lambdaContext());
      expect(result).toMatchObject({ outcome: 'unchanged', userId: sam.id });
      expect(stack.docspace.calls({ writes: true })).toHaveLength(0);
    });

    it('downgrades RoomAdmin → User asynchronously, reassigning to DOCSPACE_REASSIGN_USER_ID, and waits for completion', async () => {
      const sam = stack.docspace.addMember({ email: 'sam@example.com', type: 1 });
      const result = await userRoleChanged(roleChanged({ email: 'sam@example.com', role: 'User' }), lambdaContext());
      expect(result).toMatchObject({ outcome: 'updated', message: 'RoomAdmin → User' });
      const calls = stack.docspace.calls().map((c) => `${c.method} ${c.path}`);
      expect(calls).toEqual([
        'GET /api/2.0/people/email',
        'POST /api/2.0/people/type',
        `GET /api/2.0/people/type/progress/${sam.id}`,
        `GET /api/2.0/people/type/progress/${sam.id}`,
      ]);
      expect(stack.docspace.calls({ writes: true })[0]?.body).toEqual({ type: 4, userId: sam.id, reassignUserId: OWNER_ID });
      expect(sam.type).toBe(4);
    });

    it('parks a change for a member DocSpace does not have yet (200, no write), and applies it after the hire', async () => {
      const answer = await invoke(
        userRoleChanged,
        signedHttpEvent('/webhooks/user-role-changed', roleChanged({ email: 'ghost@example.com', role: 'RoomAdmin' })),
      );
      expect(answer).toMatchObject({ statusCode: 200, body: { outcome: 'parked' } });
      expect(stack.docspace.calls({ writes: true })).toHaveLength(0);
      await userCreated(created({ email: 'ghost@example.com', firstName: 'Gho', lastName: 'St' }), lambdaContext());
      expect(
        stack.docspace.members.get([...stack.docspace.members.values()].find((m) => m.email === 'ghost@example.com')?.id ?? '')?.type,
      ).toBe(1);
    });

    it('answers an unknown role with 422 before looking the member up', async () => {
      const answer = await invoke(
        userRoleChanged,
        signedHttpEvent('/webhooks/user-role-changed', roleChanged({ email: 'sam@example.com', role: 'Overlord' })),
      );
      expect(answer.statusCode).toBe(422);
      expect(stack.docspace.calls()).toHaveLength(0);
    });
  });

  describe('user.contact_updated', () => {
    it(
      profile === 'v3.1'
        ? 'merges and writes the whole list through PUT people/{id}/contacts'
        : 'reports unsupported_by_server, permanently, with a 200',
      async () => {
        const sam = stack.docspace.addMember({
          email: 'sam@example.com',
          contacts: [
            { type: 'mobphone', value: '+1 555 0100' },
            { type: 'skype', value: 'sam.l' },
            { type: 'phone', value: '+1 555 0001' },
          ],
        });
        const answer = await invoke(
          userContactUpdated,
          signedHttpEvent(
            '/webhooks/user-contact-updated',
            contactUpdated({
              email: 'sam@example.com',
              contacts: [
                { type: 'MobPhone', value: '+1 555 0111' },
                { type: 'phone', value: '' },
              ],
            }),
          ),
        );
        const merged = [
          { type: 'MobPhone', value: '+1 555 0111' },
          { type: 'skype', value: 'sam.l' },
        ];
        const write = stack.docspace.calls({ writes: true });
        expect(write).toEqual([
          expect.objectContaining({ method: 'PUT', path: `/api/2.0/people/${sam.id}/contacts`, body: { contacts: merged } }),
        ]);
        if (profile === 'v3.1') {
          expect(answer).toMatchObject({ statusCode: 200, body: { outcome: 'updated', userId: sam.id } });
          expect(sam.contacts).toEqual(merged);
        } else {
          expect(answer).toMatchObject({ statusCode: 200, body: { outcome: 'unsupported_by_server', userId: sam.id } });
          expect(answer.body.message).toMatch(/v3\.2\.1 or later/);
          expect(sam.contacts).toHaveLength(3);
        }
      },
    );

    it('writes nothing when the contacts are already as the event says', async () => {
      stack.docspace.addMember({ email: 'sam@example.com', contacts: [{ type: 'mobphone', value: '+1 555 0100' }] });
      const result = await userContactUpdated(
        contactUpdated({ email: 'sam@example.com', contacts: [{ type: 'mobphone', value: '+1 555 0100' }] }),
        lambdaContext(),
      );
      expect(result).toMatchObject({ outcome: 'unchanged' });
      expect(stack.docspace.calls({ writes: true })).toHaveLength(0);
    });

    it('parks an update for an unknown member id (200, no write)', async () => {
      const answer = await invoke(
        userContactUpdated,
        signedHttpEvent(
          '/webhooks/user-contact-updated',
          contactUpdated({ userId: '0b1c2d3e-0000-4000-8000-000000000bad', contacts: [{ type: 'phone', value: '1' }] }),
        ),
      );
      expect(answer).toMatchObject({ statusCode: 200, body: { outcome: 'parked' } });
      expect(stack.docspace.calls({ writes: true })).toHaveLength(0);
    });
  });
});

describe('bad input never reaches DocSpace', () => {
  beforeEach(() => stack.docspace.reset({ profile: 'v3.1' }));
  const valid = () => created({ email: 'eve@example.com', firstName: 'Eve', lastName: 'E' });

  it('refuses a forged signature with 401', async () => {
    const forged = signedHttpEvent('/webhooks/user-created', valid(), {
      secret: `whsec_${Buffer.from('not the real signing secret!!!!!').toString('base64')}`,
    });
    const answer = await invoke(userCreated, forged);
    expect(answer).toMatchObject({ statusCode: 401, body: { outcome: 'unauthorized', message: expect.stringMatching(/signature/) } });
    expect(stack.docspace.calls()).toHaveLength(0);
  });

  it('refuses an unsigned request and a replay from outside the 5-minute window with 401', async () => {
    const unsigned = await invoke(userCreated, httpEvent('/webhooks/user-created', JSON.stringify(valid())));
    expect(unsigned.statusCode).toBe(401);
    expect(unsigned.body.message).toMatch(/webhook-id, webhook-timestamp, webhook-signature/);
    const stale = await invoke(userCreated, signedHttpEvent('/webhooks/user-created', valid(), { at: new Date(Date.now() - 10 * 60_000) }));
    expect(stale).toMatchObject({ statusCode: 401, body: { message: expect.stringMatching(/too old/) } });
    expect(stack.docspace.calls()).toHaveLength(0);
  });

  it('refuses a body that is not JSON with 400', async () => {
    const body = '{"id": "evt", oops';
    const answer = await invoke(
      userCreated,
      httpEvent('/webhooks/user-created', body, signStandardWebhook(body, LOCAL.signingSecret, 'msg_x')),
    );
    expect(answer).toMatchObject({ statusCode: 400, body: { outcome: 'invalid', message: 'the body is not valid JSON' } });
    expect(stack.docspace.calls()).toHaveLength(0);
  });

  it('refuses an invalid event with 400, listing every problem', async () => {
    const answer = await invoke(
      userCreated,
      signedHttpEvent('/webhooks/user-created', { ...valid(), data: { email: 'not-an-address', firstName: '' } }),
    );
    expect(answer.statusCode).toBe(400);
    expect(answer.body.errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^data\.email/),
        expect.stringMatching(/^data\.firstName/),
        expect.stringMatching(/^data\.lastName/),
      ]),
    );
    expect(stack.docspace.calls()).toHaveLength(0);
  });

  it("refuses an event posted to another type's route with 400", async () => {
    const answer = await invoke(userRoleChanged, signedHttpEvent('/webhooks/user-role-changed', valid()));
    expect(answer).toMatchObject({
      statusCode: 400,
      body: { message: 'this endpoint accepts user.role_changed events, not user.created' },
    });
    expect(stack.docspace.calls()).toHaveLength(0);
  });

  it('refuses a body over the size limit with 413 before reading secrets', async () => {
    const before = stack.secretsManager.callCount('GetSecretValue');
    const answer = await invoke(userCreated, signedHttpEvent('/webhooks/user-created', { ...valid(), padding: 'x'.repeat(300 * 1024) }));
    expect(answer.statusCode).toBe(413);
    expect(stack.secretsManager.callCount('GetSecretValue')).toBe(before);
    expect(stack.docspace.calls()).toHaveLength(0);
  });

  it('returns the refusal to a direct invocation instead of throwing (a retry cannot fix it)', async () => {
    const result = await userCreated({ ...valid(), data: {} }, lambdaContext());
    expect(result).toMatchObject({ outcome: 'invalid', errors: expect.arrayContaining([expect.stringMatching(/data\.email/)]) });
    expect(stack.docspace.calls()).toHaveLength(0);
  });
});

describe('transport', () => {
  beforeEach(() => stack.docspace.reset({ profile: 'v3.1' }));

  it('verifies and applies a base64-encoded body', async () => {
    const answer = await invoke(
      userCreated,
      signedHttpEvent('/webhooks/user-created', created({ email: 'b64@example.com', firstName: 'B', lastName: 'S' }), { base64: true }),
    );
    expect(answer.body.outcome).toBe('created');
    expect(stack.docspace.memberByEmail('b64@example.com')).toBeDefined();
  });

  it('rides out passing DocSpace failures within the invocation', async () => {
    stack.docspace.failNext(2, 503);
    const result = await userCreated(created({ email: 'flaky@example.com', firstName: 'F', lastName: 'L' }), lambdaContext());
    expect(result).toMatchObject({ outcome: 'created' });
    expect(stack.docspace.calls().map((c) => c.status)).toEqual([503, 503, 404, 200]);
  });

  it('finds the member when DocSpace created it but the answer was lost, and creates nobody twice', async () => {
    stack.docspace.faultNext(1, { kind: 'appliedThenDrop' }, { method: 'POST', path: '/api/2.0/people' });
    const result = await userCreated(created({ email: 'lost@example.com', firstName: 'L', lastName: 'A' }), lambdaContext());
    const member = stack.docspace.memberByEmail('lost@example.com');
    expect(result).toMatchObject({ outcome: 'exists', userId: member?.id });
    expect(stack.docspace.members.size).toBe(2);
    expect(stack.docspace.calls().map((c) => `${c.method} ${c.status}`)).toEqual(['GET 404', 'POST -200', 'GET 200']);
  });

  it('retries a read whose connection dropped', async () => {
    stack.docspace.faultNext(1, { kind: 'drop' });
    const result = await userCreated(created({ email: 'drop@example.com', firstName: 'D', lastName: 'R' }), lambdaContext());
    expect(result).toMatchObject({ outcome: 'created' });
    expect(stack.docspace.calls().map((c) => c.status)).toEqual([0, 404, 200]);
  });

  it("answers 503 with DocSpace's Retry-After when the wait would not fit in the invocation", async () => {
    stack.docspace.failNext(1, 429, { 'retry-after': '60' });
    const answer = await invoke(
      userCreated,
      signedHttpEvent('/webhooks/user-created', created({ email: 'rl@example.com', firstName: 'R', lastName: 'L' })),
      lambdaContext('test', 5_000),
    );
    expect(answer).toMatchObject({ statusCode: 503, headers: { 'retry-after': '60' }, body: { outcome: 'unavailable' } });
    expect(stack.docspace.calls()).toHaveLength(1);
  });

  it('throws for a direct invocation when DocSpace stays unavailable, so Lambda redelivers', async () => {
    stack.docspace.failNext(1_000, 502);
    try {
      await expect(
        userCreated(created({ email: 'down@example.com', firstName: 'D', lastName: 'N' }), lambdaContext('test', 4_000)),
      ).rejects.toThrow(/unavailable/);
    } finally {
      stack.docspace.failNext(0, 0);
      stack.docspace.reset();
    }
    expect(stack.docspace.memberByEmail('down@example.com')).toBeUndefined();
  });

  it('re-reads a rotated API key once after a 401 and retries the call', async () => {
    const rotated = `sk-${'f'.repeat(64)}`;
    stack.secretsManager.setSecret(LOCAL.apiKeySecretId, JSON.stringify({ apiKey: rotated }));
    stack.docspace.setApiKeys([rotated]);
    const fetchesBefore = stack.secretsManager.callCount('GetSecretValue');
    try {
      const result = await userCreated(created({ email: 'rot@example.com', firstName: 'R', lastName: 'T' }), lambdaContext());
      expect(result).toMatchObject({ outcome: 'created' });
      expect(stack.docspace.calls().map((c) => c.status)).toEqual([401, 404, 200]);
      expect(stack.secretsManager.callCount('GetSecretValue')).toBe(fetchesBefore + 1);
    } finally {
      stack.secretsManager.setSecret(LOCAL.apiKeySecretId, LOCAL.apiKey);
      stack.docspace.setApiKeys([LOCAL.apiKey]);
    }
  });

  it('answers 502 when DocSpace keeps refusing the key after a fresh read', async () => {
    stack.docspace.setApiKeys([`sk-${'e'.repeat(64)}`]);
    try {
      const answer = await invoke(
        userCreated,
        signedHttpEvent('/webhooks/user-created', created({ email: 'k@example.com', firstName: 'K', lastName: 'K' })),
      );
      expect(answer).toMatchObject({ statusCode: 502, body: { outcome: 'failed', message: expect.stringMatching(/401/) } });
      expect(stack.docspace.calls().map((c) => c.status)).toEqual([401, 401]);
    } finally {
      stack.docspace.setApiKeys([LOCAL.apiKey]);
    }
  });
});

describe('logs', () => {
  it('carry one summary line per event, with a hash of the e-mail and the DocSpace calls made', async () => {
    stack.docspace.reset();
    const from = capturedLogLines().length;
    await userCreated(created({ email: 'log@example.com', firstName: 'Lo', lastName: 'Gg' }), lambdaContext());
    await invoke(
      userCreated,
      signedHttpEvent('/webhooks/user-created', created({ email: 'x@example.com', firstName: 'X', lastName: 'Y' }), {
        secret: `whsec_${Buffer.from('another secret of 32 bytes......').toString('base64')}`,
      }),
    );
    const summaries = capturedLogLines()
      .slice(from)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      // The EMF lines (`_aws`, test/integration/metrics.test.ts) carry `outcome` too, as a dimension.
      .filter((l) => typeof l.outcome === 'string' && !('_aws' in l));
    expect(summaries).toHaveLength(2);
    expect(summaries[0]).toMatchObject({ outcome: 'created', eventType: 'user.created', emailHash: expect.any(String), docspaceCalls: 2 });
    expect(summaries[1]).toMatchObject({ outcome: 'unauthorized', status: 401, detail: expect.stringMatching(/signature/) });
  });

  it('are checked for secrets by a guard that catches them', () => {
    expect(secretsIn(`{"key":"${LOCAL.apiKey}"}`)).toEqual(['a DocSpace API key']);
    expect(secretsIn(`{"s":"${LOCAL.signingSecret}"}`)).toEqual(['a Standard Webhooks secret']);
    expect(secretsIn('{"authorization":"Bearer x"}')).toEqual(['an Authorization value']);
    expect(secretsIn('{"email":"jane.doe@example.com"}')).toEqual(['a raw e-mail address']);
    expect(secretsIn('{"emailHash":"86e0b9e56c17cc4d"}')).toEqual([]);
  });
});

describe('user.deactivated and user.reactivated', () => {
  beforeEach(() => stack.docspace.reset());

  it('disables the member, then enables them again, through PUT people/status/{2,1}', async () => {
    const ivy = stack.docspace.addMember({ email: 'ivy@example.com' });
    const off = await invoke(
      userStatusChanged,
      signedHttpEvent('/webhooks/user-status-changed', { ...next(), type: 'user.deactivated', data: { email: 'ivy@example.com' } }),
    );
    expect(off).toMatchObject({ statusCode: 200, body: { outcome: 'updated', userId: ivy.id, message: 'disabled' } });
    expect(ivy.status).toBe(2);
    const again = await userStatusChanged({ ...next(), type: 'user.deactivated', data: { userId: ivy.id } }, lambdaContext());
    expect(again).toMatchObject({ outcome: 'unchanged' });
    const on = await userStatusChanged({ ...next(), type: 'user.reactivated', data: { userId: ivy.id } }, lambdaContext());
    expect(on).toMatchObject({ outcome: 'updated', message: 'enabled' });
    expect(ivy.status).toBe(1);
    expect(stack.docspace.calls({ writes: true }).map((c) => [c.path, c.body])).toEqual([
      ['/api/2.0/people/status/2', { userIds: [ivy.id] }],
      ['/api/2.0/people/status/1', { userIds: [ivy.id] }],
    ]);
  });

  it('refuses another type on its route', async () => {
    const answer = await invoke(
      userStatusChanged,
      signedHttpEvent('/webhooks/user-status-changed', created({ email: 'x@example.com', firstName: 'X', lastName: 'Y' })),
    );
    expect(answer).toMatchObject({
      statusCode: 400,
      body: { message: 'this endpoint accepts user.deactivated or user.reactivated events, not user.created' },
    });
  });
});
