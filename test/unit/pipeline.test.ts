/**
 * The pipeline's rules on in-memory stores and a tiny DocSpace of plain objects: the member lease and stale marks,
 * member identity, exactly-once, parking, deferral, guest hires, follow-ups, and delivery aggregation.
 */
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '../../lib/events';
import { RefusedEvent, type SyncResult } from '../../lib/outcome';
import { buildRoleMap } from '../../lib/roles';
import { decideLease, isStale, MemberLease, PENDING_TASK_LEASE_MS, releasedMark } from '../../lib/pipeline/claim';
import { processDelivery } from '../../lib/http/delivery';
import { pipeline } from '../../lib/pipeline/exactlyOnce';
import { MemberDirectory } from '../../lib/pipeline/member';
import { PendingWork } from '../../lib/pipeline/pending';
import { manualClock, memoryIdempotency, memoryKeySet, memoryRecords } from '../../lib/store/memory';

const context = { getRemainingTimeInMillis: () => 30_000 } as Context;
const remaining = () => 30_000;
let seq = 0;
const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString();
const ev = (type: string, minute: number, data: Record<string, unknown>, id = `e${++seq}`): CanonicalEvent =>
  ({ id, type, occurredAt: at(minute), source: 'test', data: { email: 'ann@example.com', ...data } }) as CanonicalEvent;

describe('the stale mark and the lease', () => {
  const now = 1_000_000;
  it('calls an older change stale, and the same instant stale for another event but not for the one applied', () => {
    const mark = { occurredAtMs: 100, appliedId: 'a' };
    expect(isStale(mark, { id: 'b', occurredAtMs: 50 })).toBe(true);
    expect(isStale(mark, { id: 'b', occurredAtMs: 100 })).toBe(true);
    expect(isStale(mark, { id: 'a', occurredAtMs: 100 })).toBe(false);
    expect(isStale(mark, { id: 'c', occurredAtMs: 200 })).toBe(false);
    // Marks of earlier versions name the event in eventId.
    expect(isStale({ occurredAtMs: 100, eventId: 'a' }, { id: 'a', occurredAtMs: 100 })).toBe(false);
  });

  it('lets one run hold the lease; any other, even of the same event, waits for it to end or expire', () => {
    const first = decideLease(undefined, 'a', now, 5_000);
    expect(first).toMatchObject({ busy: false, pendingTask: false });
    const held = first.busy ? undefined : first.next;
    expect(decideLease(held, 'b', now + 1, 5_000)).toEqual({ busy: true });
    expect(decideLease(held, 'a', now + 1, 5_000)).toEqual({ busy: true });
    expect(decideLease(held, 'b', now + 5_001, 5_000).busy).toBe(false);
    // A lease kept for a running DocSpace task is taken again by its own event only.
    const task = { ...(held as NonNullable<typeof held>), pendingTask: true, leasedUntil: now + 60_000 };
    expect(decideLease(task, 'a', now + 1, 5_000)).toMatchObject({ busy: false, pendingTask: true });
    expect(decideLease(task, 'b', now + 1, 5_000)).toEqual({ busy: true });
  });

  it('records a change only when applied, ends the lease, or holds it while a DocSpace task runs', () => {
    const mark = { occurredAtMs: 0, eventId: 'a', leasedUntil: now + 5_000 };
    const event = { id: 'a', occurredAtMs: 100 };
    expect(releasedMark(mark, event, { applied: false, taskStillRunning: false, recordChange: true }, now)).toMatchObject({
      occurredAtMs: 0,
      leasedUntil: 0,
    });
    expect(releasedMark(mark, event, { applied: true, taskStillRunning: false, recordChange: true }, now)).toMatchObject({
      occurredAtMs: 100,
      appliedId: 'a',
      leasedUntil: 0,
    });
    expect(releasedMark(mark, event, { applied: true, taskStillRunning: true, recordChange: true }, now)).toMatchObject({
      leasedUntil: now + PENDING_TASK_LEASE_MS,
      pendingTask: true,
    });
    expect(
      releasedMark({ ...mark, eventId: 'b' }, event, { applied: false, taskStillRunning: false, recordChange: true }, now),
    ).toBeUndefined();
  });

  it('lets only one of two racing claims win, and the other waits, then answers busy', async () => {
    const clock = manualClock();
    const lease = new MemberLease(memoryRecords(), clock);
    const claims = await Promise.all([
      lease.claim('email:x', ev('user.role_changed', 1, { role: 'User' }), remaining),
      lease.claim('email:x', ev('user.role_changed', 2, { role: 'User' }), remaining),
    ]);
    expect(claims.map((c) => c.state).sort()).toEqual(['busy', 'claimed']);
  });

  it('still finds an event stale against a mark an earlier version kept under the DocSpace id', async () => {
    const records = memoryRecords();
    await records.put('watermark#user.role_changed#id:u1', { occurredAtMs: Date.parse(at(10)), eventId: 'old', leasedUntil: 0 }, undefined);
    const lease = new MemberLease(records, manualClock());
    expect(
      await lease.claim('email:ann@example.com', ev('user.role_changed', 5, { role: 'User', userId: 'u1' }), remaining, 'id:u1'),
    ).toEqual({ state: 'stale' });
  });
});

describe('member identity', () => {
  it('keys a member by e-mail, and an event that names only the DocSpace id by the e-mail the directory learnt', async () => {
    const directory = new MemberDirectory(memoryRecords());
    expect(await directory.keyOf({ userId: 'U1' })).toBe('id:u1');
    await directory.remember('Ann@Example.com', 'U1', 'okta', 'created', 1);
    expect(await directory.keyOf({ userId: 'u1' })).toBe('email:ann@example.com');
    expect(await directory.keyOf({ email: 'ANN@example.com', userId: 'u1' })).toBe('email:ann@example.com');
    await directory.remember('ann@example.com', 'u1', 'bamboohr', 'matched', 2);
    expect(await directory.ownerOf('ann@example.com')).toEqual({ userId: 'u1', managedBy: 'okta', via: 'created', sinceMs: 1 });
  });
});

/** A DocSpace of plain objects, with the rules that matter here: no Guest on create, no retyping a disabled member. */
function tinyDocSpace() {
  const members = new Map<string, { id: string; type: string; enabled: boolean; contacts: Record<string, string> }>();
  const writes: string[] = [];
  const apply = async (event: CanonicalEvent): Promise<SyncResult> => {
    const email = event.data.email ?? '';
    const member = members.get(email);
    if (event.type === 'user.created') {
      if (member) return { outcome: 'exists', userId: member.id };
      const role = event.data.role ?? 'User';
      members.set(email, {
        id: `id-${email}`,
        type: role === 'Guest' ? 'User' : role,
        enabled: true,
        contacts: Object.fromEntries((event.data.contacts ?? []).map((c) => [c.type, c.value])),
      });
      writes.push(`create ${email}`);
      return { outcome: 'created', userId: `id-${email}` };
    }
    if (!member) return { outcome: 'not_found' };
    switch (event.type) {
      case 'user.role_changed':
        if (!member.enabled) return { outcome: 'deferred', userId: member.id };
        if (member.type === event.data.role) return { outcome: 'unchanged', userId: member.id };
        member.type = event.data.role;
        writes.push(`type ${event.data.role}`);
        return { outcome: 'updated', userId: member.id };
      case 'user.contact_updated':
        for (const c of event.data.contacts) {
          if (c.value) member.contacts[c.type] = c.value;
          else delete member.contacts[c.type];
        }
        writes.push(`contacts ${event.data.contacts.map((c) => c.type).join(',')}`);
        return { outcome: 'updated', userId: member.id };
      default: {
        const enabled = event.type === 'user.reactivated';
        if (member.enabled === enabled) return { outcome: 'unchanged', userId: member.id };
        member.enabled = enabled;
        writes.push(enabled ? 'enable' : 'disable');
        return { outcome: 'updated', userId: member.id };
      }
    }
  };
  return { members, writes, apply };
}

function setup() {
  const docspace = tinyDocSpace();
  const records = memoryRecords();
  const clock = manualClock();
  const pending = new PendingWork(records, memoryKeySet(), clock);
  const { process, followUp } = pipeline({
    apply: (event) => docspace.apply(event),
    clock,
    roles: buildRoleMap(),
    pendingExpiryMs: 7 * 86_400_000,
    stores: { idempotency: memoryIdempotency(), lease: new MemberLease(records, clock), directory: new MemberDirectory(records), pending },
  });
  return { docspace, process, followUp, pending };
}

describe('exactly once, to the exact final state', () => {
  it('applies an event once, answers its redelivery from the store, and an older event for the member as stale', async () => {
    const { docspace, process } = setup();
    await process(ev('user.created', 0, { firstName: 'A', lastName: 'B' }), context);
    const newer = ev('user.role_changed', 2, { role: 'RoomAdmin' });
    expect(await process(newer, context)).toMatchObject({ outcome: 'updated' });
    expect(await process(newer, context)).toMatchObject({ outcome: 'updated' });
    expect(await process(ev('user.role_changed', 1, { role: 'DocSpaceAdmin' }), context)).toMatchObject({ outcome: 'stale' });
    expect(docspace.writes).toEqual(['create ann@example.com', 'type RoomAdmin']);
  });

  it('keeps contact types apart: an older update of other types is applied after a newer one (cause 1)', async () => {
    const { docspace, process } = setup();
    await process(ev('user.created', 0, { firstName: 'A', lastName: 'B' }), context);
    await process(ev('user.contact_updated', 2, { contacts: [{ type: 'phone', value: '2' }] }), context);
    expect(
      await process(
        ev('user.contact_updated', 1, {
          contacts: [
            { type: 'phone', value: '1' },
            { type: 'mail', value: 'a@b.c' },
          ],
        }),
        context,
      ),
    ).toMatchObject({ outcome: 'updated' });
    expect(docspace.members.get('ann@example.com')?.contacts).toEqual({ phone: '2', mail: 'a@b.c' });
    expect(await process(ev('user.contact_updated', 1, { contacts: [{ type: 'phone', value: '0' }] }), context)).toMatchObject({
      outcome: 'stale',
    });
  });

  it('parks events that come before the hire, without advancing any mark, and applies them in order once it lands (causes 1 and 4)', async () => {
    const { docspace, process, pending } = setup();
    expect(await process(ev('user.contact_updated', 2, { contacts: [{ type: 'phone', value: '2' }] }), context)).toMatchObject({
      outcome: 'parked',
    });
    expect(await process(ev('user.role_changed', 3, { role: 'RoomAdmin' }), context)).toMatchObject({ outcome: 'parked' });
    expect(await process(ev('user.contact_updated', 1, { contacts: [{ type: 'phone', value: '1' }] }), context)).toMatchObject({
      outcome: 'parked',
    });
    expect(await process(ev('user.created', 0, { firstName: 'A', lastName: 'B' }), context)).toMatchObject({ outcome: 'created' });
    expect(docspace.members.get('ann@example.com')).toMatchObject({ type: 'RoomAdmin', contacts: { phone: '2' } });
    expect(await pending.list()).toEqual([]);
  });

  it('defers a type change for a disabled member and applies it when they are enabled again (cause 2)', async () => {
    const { docspace, process } = setup();
    await process(ev('user.created', 0, { firstName: 'A', lastName: 'B' }), context);
    await process(ev('user.deactivated', 1, {}), context);
    expect(await process(ev('user.role_changed', 2, { role: 'DocSpaceAdmin' }), context)).toMatchObject({ outcome: 'deferred' });
    expect(docspace.members.get('ann@example.com')?.type).toBe('User');
    await process(ev('user.reactivated', 3, {}), context);
    expect(docspace.members.get('ann@example.com')).toMatchObject({ type: 'DocSpaceAdmin', enabled: true });
  });

  it('tells the follow-ups what waits on the world (a disabled member) from what they must still finish', async () => {
    const { process, followUp } = setup();
    await process(ev('user.created', 0, { firstName: 'A', lastName: 'B' }), context);
    await process(ev('user.deactivated', 1, {}), context);
    await process(ev('user.role_changed', 2, { role: 'RoomAdmin' }), context);
    expect(await followUp(remaining)).toEqual({ done: 0, remaining: 0, waiting: 1 });
  });

  it('does not let an event that still waits hold up another kind of change of the same member', async () => {
    const { docspace, process, followUp } = setup();
    // Both come before the hire; then the member is created, disabled, outside this service.
    await process(ev('user.role_changed', 2, { role: 'RoomAdmin' }), context);
    await process(ev('user.reactivated', 3, {}), context);
    docspace.members.set('ann@example.com', { id: 'x', type: 'User', enabled: false, contacts: {} });
    expect(await followUp(remaining)).toEqual({ done: 2, remaining: 0, waiting: 0 });
    expect(docspace.members.get('ann@example.com')).toMatchObject({ type: 'RoomAdmin', enabled: true });
  });

  it('creates a guest hire as User and converts them to Guest, once, whatever the redeliveries (cause 3)', async () => {
    const { docspace, process } = setup();
    const hire = ev('user.created', 0, { firstName: 'A', lastName: 'B', role: 'Guest' });
    expect(await process(hire, context)).toMatchObject({ outcome: 'created' });
    expect(await process(hire, context)).toMatchObject({ outcome: 'created' });
    expect(docspace.members.get('ann@example.com')?.type).toBe('Guest');
    expect(docspace.writes).toEqual(['create ann@example.com', 'type Guest']);
  });

  it('leaves to the follow-ups what a hire could not finish, and they finish it', async () => {
    const { docspace, process, followUp } = setup();
    await process(ev('user.role_changed', 2, { role: 'RoomAdmin' }), context);
    // The member appears without a hire through this service (created by hand, say).
    docspace.members.set('ann@example.com', { id: 'x', type: 'User', enabled: true, contacts: {} });
    expect(await followUp(remaining)).toEqual({ done: 1, remaining: 0, waiting: 0 });
    expect(docspace.members.get('ann@example.com')?.type).toBe('RoomAdmin');
  });

  it('does not keep a result that is not final, so a redelivery applies again', async () => {
    const records = memoryRecords();
    const clock = manualClock();
    const applied: string[] = [];
    let answer: SyncResult = { outcome: 'in_progress', userId: 'u1' };
    const { process } = pipeline({
      apply: async (event) => (applied.push(event.id), answer),
      clock,
      roles: buildRoleMap(),
      pendingExpiryMs: 1,
      stores: {
        idempotency: memoryIdempotency(),
        lease: new MemberLease(records, clock),
        directory: new MemberDirectory(records),
        pending: new PendingWork(records, memoryKeySet(), clock),
      },
    });
    const event = ev('user.role_changed', 1, { role: 'User' });
    await process(event, context);
    answer = { outcome: 'updated', userId: 'u1' };
    expect(await process(event, context)).toMatchObject({ outcome: 'updated' });
    expect(applied).toEqual([event.id, event.id]);
  });
});

describe('a delivery', () => {
  it('answers unavailable with the longest Retry-After when any event may pass, else processed or ignored', async () => {
    const events = [ev('user.role_changed', 1, { role: 'User' }), ev('user.role_changed', 2, { role: 'User' })];
    const ok = await processDelivery('test', { events, ignored: ['x: not synced'] }, async () => ({ outcome: 'updated' }), context);
    expect(ok).toMatchObject({
      outcome: 'processed',
      ignored: ['x: not synced'],
      results: [{ eventId: events[0]?.id, outcome: 'updated' }, { outcome: 'updated' }],
    });
    const failing = await processDelivery(
      'test',
      { events, ignored: [] },
      async (e) => {
        if (e.id === events[1]?.id) throw new RefusedEvent('unavailable', 'later', undefined, 42);
        return { outcome: 'updated' };
      },
      context,
    );
    expect(failing).toMatchObject({
      outcome: 'unavailable',
      retryAfterSeconds: 42,
      results: [{ outcome: 'updated' }, { outcome: 'unavailable' }],
    });
    expect(await processDelivery('test', { events: [], ignored: ['y'] }, async () => ({ outcome: 'updated' }), context)).toMatchObject({
      outcome: 'ignored',
    });
  });
});
