/**
 * Exactly-once across redeliveries, concurrent deliveries and out-of-order arrival: the durable idempotency record
 * (Powertools on dynalite) and the stale-event watermarks, over real HTTP to the emulators.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { useLocalStack } from '../support/localStack';
import {
  composedHandlers,
  invokeHttp,
  lambdaContext as realContext,
  signedHttpEvent,
  virtualClock,
  type LambdaHandler,
} from '../../local/lambda';

const local = useLocalStack();
// Downgrade polls and retry waits pass on this clock, at once: no test here sleeps for real.
const clock = virtualClock();
const lambdaContext = (name?: string, timeoutMs?: number) => realContext(name, timeoutMs, clock);
const functions = composedHandlers(clock);
const userCreated: LambdaHandler = functions.canonical('user.created');
const userRoleChanged: LambdaHandler = functions.canonical('user.role_changed');
const userContactUpdated: LambdaHandler = functions.canonical('user.contact_updated');
const followUp = functions.followUp();

let seq = 0;
const event = (type: string, data: Record<string, unknown>, occurredAt = new Date(Date.UTC(2026, 10, 1) + ++seq * 60_000)) => ({
  id: `evt_once_${++seq}`,
  type,
  occurredAt: occurredAt.toISOString(),
  source: 'hr-portal',
  data,
});

beforeEach(() => local.stack.docspace.reset());

const posts = () => local.stack.docspace.calls().filter((c) => c.method === 'POST' && c.path === '/api/2.0/people');

describe('the same event delivered more than once', () => {
  it('is applied once; a redelivery (new webhook-id, same event) gets the first answer and makes no DocSpace call', async () => {
    const hire = event('user.created', { email: 'ann@example.com', firstName: 'Ann', lastName: 'Lee' });
    const first = await invokeHttp(userCreated, signedHttpEvent('/webhooks/user-created', hire));
    const callsAfterFirst = local.stack.docspace.calls().length;
    const replay = await invokeHttp(userCreated, signedHttpEvent('/webhooks/user-created', hire));
    expect(first).toMatchObject({ statusCode: 200, body: { outcome: 'created' } });
    expect(replay.body).toEqual(first.body);
    expect(local.stack.docspace.calls()).toHaveLength(callsAfterFirst);
  });

  it('twice at the same moment has one effect', async () => {
    const hire = event('user.created', { email: 'bo@example.com', firstName: 'Bo', lastName: 'Ek' });
    const answers = await Promise.all([0, 1, 2].map(() => invokeHttp(userCreated, signedHttpEvent('/webhooks/user-created', hire))));
    expect(posts()).toHaveLength(1);
    expect(local.stack.docspace.members.size).toBe(2);
    // Each answer is the result or "being applied right now, come back" — never a second member, never a 5xx.
    for (const answer of answers) {
      expect([200, 503]).toContain(answer.statusCode);
      if (answer.statusCode === 503) expect(answer.headers['retry-after']).toBeDefined();
    }
  });

  it('refuses an event id reused for different data', async () => {
    const hire = event('user.created', { email: 'cy@example.com', firstName: 'Cy', lastName: 'Do' });
    await userCreated(hire, lambdaContext());
    const reused = await invokeHttp(
      userCreated,
      signedHttpEvent('/webhooks/user-created', { ...hire, data: { ...hire.data, lastName: 'Other' } }),
    );
    expect(reused).toMatchObject({ statusCode: 400, body: { outcome: 'invalid', message: expect.stringMatching(/already used/) } });
    expect(posts()).toHaveLength(1);
  });

  it('parks a change that comes before its member, and the follow-ups apply it once the member appears', async () => {
    const promote = event('user.role_changed', { email: 'dee@example.com', role: 'RoomAdmin' });
    expect(await userRoleChanged(promote, lambdaContext())).toMatchObject({ outcome: 'parked' });
    expect(await userRoleChanged(promote, lambdaContext())).toMatchObject({ outcome: 'parked' }); // a redelivery: the stored answer
    const dee = local.stack.docspace.addMember({ email: 'dee@example.com', type: 4 }); // created outside this service
    expect(await followUp(undefined, lambdaContext())).toEqual({ done: 1, remaining: 0, waiting: 0 });
    expect(dee.type).toBe(1);
    expect(await followUp(undefined, lambdaContext())).toEqual({ done: 0, remaining: 0, waiting: 0 });
  });

  it('does not remember a failure, so a redelivery after DocSpace recovers applies the event', async () => {
    local.stack.docspace.failNext(1_000, 502);
    const hire = event('user.created', { email: 'eli@example.com', firstName: 'Eli', lastName: 'Fox' });
    const down = await invokeHttp(userCreated, signedHttpEvent('/webhooks/user-created', hire), lambdaContext('t', 4_000));
    expect(down.statusCode).toBe(503);
    local.stack.docspace.reset();
    const up = await invokeHttp(userCreated, signedHttpEvent('/webhooks/user-created', hire));
    expect(up).toMatchObject({ statusCode: 200, body: { outcome: 'created' } });
  });
});

describe('events out of order', () => {
  it('an older role change arriving after a newer one is reported stale and changes nothing', async () => {
    const gus = local.stack.docspace.addMember({ email: 'gus@example.com', type: 4 });
    const older = event('user.role_changed', { userId: gus.id, role: 'User' }, new Date('2026-11-20T10:00:00Z'));
    const newer = event('user.role_changed', { userId: gus.id, role: 'RoomAdmin' }, new Date('2026-11-21T10:00:00Z'));
    expect(await userRoleChanged(newer, lambdaContext())).toMatchObject({ outcome: 'updated' });
    const writes = local.stack.docspace.calls({ writes: true }).length;
    const late = await invokeHttp(userRoleChanged, signedHttpEvent('/webhooks/user-role-changed', older));
    expect(late).toMatchObject({ statusCode: 200, body: { outcome: 'stale' } });
    expect(local.stack.docspace.calls({ writes: true })).toHaveLength(writes);
    expect(gus.type).toBe(1);
  });

  it('makes a newer event wait while an older one for the same member is being applied, so the newer write lands last', async () => {
    const ida = local.stack.docspace.addMember({ email: 'ida@example.com', type: 4 });
    const older = event('user.role_changed', { userId: ida.id, role: 'DocSpaceAdmin' }, new Date('2026-11-20T10:00:00Z'));
    const newer = event('user.role_changed', { userId: ida.id, role: 'RoomAdmin' }, new Date('2026-11-21T10:00:00Z'));
    const write = local.stack.docspace.holdNext({ method: 'PUT', path: '/api/2.0/people/type/3' });
    const applying = userRoleChanged(older, lambdaContext());
    // While DocSpace holds the older event's type write, the older event holds its claim.
    await write.reached;
    const early = await invokeHttp(userRoleChanged, signedHttpEvent('/webhooks/user-role-changed', newer));
    expect(early).toMatchObject({ statusCode: 503, body: { outcome: 'in_flight' } });
    expect(early.headers['retry-after']).toBeDefined();
    write.open();
    expect(await applying).toMatchObject({ outcome: 'updated', message: 'User → DocSpaceAdmin' });
    expect(await userRoleChanged(newer, lambdaContext())).toMatchObject({ outcome: 'updated', message: 'DocSpaceAdmin → RoomAdmin' });
    expect(ida.type).toBe(1);
  });

  it('holds a member whose downgrade DocSpace is still running, and resumes that task on redelivery instead of starting another', async () => {
    const jo = local.stack.docspace.addMember({ email: 'jo@example.com', type: 1 });
    const demote = event('user.role_changed', { userId: jo.id, role: 'User' }, new Date('2026-11-20T10:00:00Z'));
    const promote = event('user.role_changed', { userId: jo.id, role: 'DocSpaceAdmin' }, new Date('2026-11-21T10:00:00Z'));
    local.stack.docspace.downgradePolls = 1_000; // a member with many rooms: the reassignment outlasts the invocation
    try {
      expect(await userRoleChanged(demote, lambdaContext('t', 3_500))).toMatchObject({ outcome: 'in_progress' });
      const early = await invokeHttp(userRoleChanged, signedHttpEvent('/webhooks/user-role-changed', promote));
      expect(early).toMatchObject({ statusCode: 503, body: { outcome: 'in_flight' } });

      local.stack.docspace.finishTypeTasks();
      expect(await userRoleChanged(demote, lambdaContext())).toMatchObject({ outcome: 'unchanged', message: 'already User' });
      expect(local.stack.docspace.calls({ writes: true }).filter((c) => c.path === '/api/2.0/people/type')).toHaveLength(1);
      expect(await userRoleChanged(promote, lambdaContext())).toMatchObject({ outcome: 'updated', message: 'User → DocSpaceAdmin' });
      expect(jo.type).toBe(3);
    } finally {
      local.stack.docspace.downgradePolls = 2;
    }
  });

  it('keeps kinds apart: an older contact update is not stale because of a newer role change', async () => {
    const hal = local.stack.docspace.addMember({ email: 'hal@example.com', type: 4 });
    await userRoleChanged(
      event('user.role_changed', { userId: hal.id, role: 'RoomAdmin' }, new Date('2026-11-21T10:00:00Z')),
      lambdaContext(),
    );
    const contacts = event(
      'user.contact_updated',
      { userId: hal.id, contacts: [{ type: 'phone', value: '+1 555 0123' }] },
      new Date('2026-11-20T10:00:00Z'),
    );
    expect(await userContactUpdated(contacts, lambdaContext())).toMatchObject({ outcome: 'updated' });
  });
});
