/**
 * The exact final state as DocSpace really behaves (the v3.1 emulator, with its 403s), one test per way it used to
 * go wrong: partial contact updates taken for stale, a disabled member's type, guest hires, updates that come before
 * the hire, and answers no sender retries. Each asserts what DocSpace ended with and what the sender was answered.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { composedHandlers, invokeHttp, lambdaContext as realContext, signedHttpEvent, virtualClock } from '../../local/lambda';
import { LOCAL } from '../../local/stack';
import { useLocalStack } from '../support/localStack';

const local = useLocalStack();
const clock = virtualClock();
const lambdaContext = (timeoutMs = 30_000) => realContext('t', timeoutMs, clock);
const functions = composedHandlers(clock);
const userCreated = functions.canonical('user.created');
const userRoleChanged = functions.canonical('user.role_changed');
const userContactUpdated = functions.canonical('user.contact_updated');
const userStatusChanged = functions.canonical('user.deactivated', 'user.reactivated');
const followUp = functions.followUp();

let seq = 0;
const event = (type: string, minute: number, data: Record<string, unknown>) => ({
  id: `evt_final_${++seq}`,
  type,
  occurredAt: new Date(Date.UTC(2026, 10, 1, 9, minute)).toISOString(),
  source: 'hr-portal',
  data,
});
const member = (email: string) => [...local.stack.docspace.members.values()].find((m) => m.email === email);

beforeEach(async () => {
  local.stack.docspace.reset({ profile: 'v3.1' });
  await local.stack.dynamoDb.clearEventsTable(LOCAL.eventsTable);
});

describe('the final state, whatever the delivery order', () => {
  it('applies an older partial contact update of other types after a newer one (cause 1)', async () => {
    const email = 'cora@example.com';
    await userCreated(
      event('user.created', 0, { email, firstName: 'Co', lastName: 'Ra', contacts: [{ type: 'skype', value: 'cora.s' }] }),
      lambdaContext(),
    );
    await userContactUpdated(
      event('user.contact_updated', 20, { email, contacts: [{ type: 'phone', value: '+1 555 0120' }] }),
      lambdaContext(),
    );
    const older = await userContactUpdated(
      event('user.contact_updated', 10, {
        email,
        contacts: [
          { type: 'phone', value: '+1 555 0110' },
          { type: 'mail', value: 'cora@home.example' },
        ],
      }),
      lambdaContext(),
    );
    expect(older).toMatchObject({ outcome: 'updated' });
    expect(member(email)?.contacts).toEqual([
      { type: 'skype', value: 'cora.s' },
      { type: 'phone', value: '+1 555 0120' },
      { type: 'mail', value: 'cora@home.example' },
    ]);
  });

  it('accepts a role change for a disabled member, and applies it when they are enabled again (cause 2)', async () => {
    const email = 'dan@example.com';
    await userCreated(event('user.created', 0, { email, firstName: 'Dan', lastName: 'Ko' }), lambdaContext());
    await userStatusChanged(event('user.deactivated', 1, { email }), lambdaContext());
    const deferred = await invokeHttp(
      userRoleChanged,
      signedHttpEvent('/webhooks/user-role-changed', event('user.role_changed', 2, { email, role: 'RoomAdmin' })),
      lambdaContext(),
    );
    expect(deferred).toMatchObject({ statusCode: 200, body: { outcome: 'deferred' } });
    expect(member(email)).toMatchObject({ type: 4, status: 2 });
    await userStatusChanged(event('user.reactivated', 3, { email }), lambdaContext());
    expect(member(email)).toMatchObject({ type: 1, status: 1 });
  });

  it('creates a guest hire as User and makes them a Guest, without a redelivery (cause 3)', async () => {
    const email = 'gia@example.com';
    local.stack.docspace.downgradePolls = 1_000; // the change to Guest outlasts the hire's invocation
    try {
      const hire = await invokeHttp(
        userCreated,
        signedHttpEvent('/webhooks/user-created', event('user.created', 0, { email, firstName: 'Gia', lastName: 'Lo', role: 'Guest' })),
        lambdaContext(8_000),
      );
      expect(hire).toMatchObject({ statusCode: 200, body: { outcome: 'created' } });
      expect(member(email)?.type).toBe(4);
      local.stack.docspace.finishTypeTasks();
      await followUp(undefined, lambdaContext());
      expect(member(email)?.type).toBe(2);
      expect(local.stack.docspace.calls({ writes: true }).filter((c) => c.path === '/api/2.0/people/type')).toHaveLength(1);
    } finally {
      local.stack.docspace.downgradePolls = 2;
    }
  });

  it('keeps updates that come before the hire and applies them, in order, when it lands (cause 4)', async () => {
    const email = 'hal@example.com';
    const early = [
      await invokeHttp(
        userRoleChanged,
        signedHttpEvent('/webhooks/user-role-changed', event('user.role_changed', 2, { email, role: 'DocSpaceAdmin' })),
        lambdaContext(),
      ),
      await invokeHttp(
        userContactUpdated,
        signedHttpEvent(
          '/webhooks/user-contact-updated',
          event('user.contact_updated', 3, { email, contacts: [{ type: 'phone', value: '+1 555 0133' }] }),
        ),
        lambdaContext(),
      ),
      await invokeHttp(
        userStatusChanged,
        signedHttpEvent('/webhooks/user-status-changed', event('user.deactivated', 4, { email })),
        lambdaContext(),
      ),
    ];
    for (const answer of early) expect(answer).toMatchObject({ statusCode: 200, body: { outcome: 'parked' } });
    await userCreated(event('user.created', 0, { email, firstName: 'Hal', lastName: 'Ek' }), lambdaContext());
    expect(member(email)).toMatchObject({ type: 3, status: 2, contacts: [{ type: 'phone', value: '+1 555 0133' }] });
  });

  it('answers a busy member 503 with Retry-After, never a 4xx, and finishes a running downgrade itself (cause 5)', async () => {
    const email = 'ivy@example.com';
    await userCreated(event('user.created', 0, { email, firstName: 'Ivy', lastName: 'Ro', role: 'RoomAdmin' }), lambdaContext());
    const write = local.stack.docspace.holdNext({ method: 'PUT', path: '/api/2.0/people/type/3' });
    const applying = userRoleChanged(event('user.role_changed', 1, { email, role: 'DocSpaceAdmin' }), lambdaContext());
    await write.reached;
    const busy = await invokeHttp(
      userRoleChanged,
      signedHttpEvent('/webhooks/user-role-changed', event('user.role_changed', 2, { email, role: 'User' })),
      lambdaContext(),
    );
    expect(busy.statusCode).toBe(503);
    expect(busy.headers['retry-after']).toBeDefined();
    write.open();
    await applying;

    local.stack.docspace.downgradePolls = 1_000;
    try {
      const demote = await invokeHttp(
        userRoleChanged,
        signedHttpEvent('/webhooks/user-role-changed', event('user.role_changed', 3, { email, role: 'User' })),
        lambdaContext(8_000),
      );
      expect(demote).toMatchObject({ statusCode: 202, body: { outcome: 'in_progress' } });
      local.stack.docspace.finishTypeTasks();
      expect(await followUp(undefined, lambdaContext())).toEqual({ done: 1, remaining: 0, waiting: 0 });
      expect(member(email)?.type).toBe(4);
    } finally {
      local.stack.docspace.downgradePolls = 2;
    }
  });
});
