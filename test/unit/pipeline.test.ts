/** The pipeline's rules on in-memory stores: the member claim, member identity, exactly-once and delivery aggregation. */
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '../../lib/events';
import { RefusedEvent, type SyncResult } from '../../lib/outcome';
import { decideClaim, MemberLease, PENDING_TASK_LEASE_MS, releasedMark } from '../../lib/pipeline/claim';
import { processDelivery } from '../../lib/pipeline/delivery';
import { exactlyOnce } from '../../lib/pipeline/exactlyOnce';
import { MemberDirectory } from '../../lib/pipeline/member';
import { manualClock, memoryIdempotency, memoryRecords } from '../../lib/store/memory';

const context = { getRemainingTimeInMillis: () => 10_000 } as Context;
const role = (id: string, at: string, data: Record<string, string> = { email: 'ann@example.com' }): CanonicalEvent =>
  ({ id, type: 'user.role_changed', occurredAt: at, source: 'test', data: { role: 'User', ...data } }) as CanonicalEvent;

describe('the member claim', () => {
  const now = 1_000_000;
  it('claims a free member, refuses an older event as stale and a newer one as busy while the lease holds', () => {
    const first = decideClaim(undefined, { id: 'a', occurredAtMs: 100 }, now, 5_000);
    expect(first.claim).toEqual({ state: 'claimed', pendingTask: false });
    expect(decideClaim(first.next, { id: 'b', occurredAtMs: 50 }, now, 5_000).claim).toEqual({ state: 'stale' });
    expect(decideClaim(first.next, { id: 'c', occurredAtMs: 200 }, now + 1, 5_000).claim).toEqual({ state: 'busy' });
    expect(decideClaim(first.next, { id: 'c', occurredAtMs: 200 }, now + 5_001, 5_000).claim.state).toBe('claimed');
    // The same instant is stale for another event, and passes for a redelivery of the claiming one.
    expect(decideClaim(first.next, { id: 'd', occurredAtMs: 100 }, now + 9_000, 5_000).claim).toEqual({ state: 'stale' });
    expect(decideClaim(first.next, { id: 'a', occurredAtMs: 100 }, now + 1, 5_000).claim.state).toBe('claimed');
  });

  it('ends the lease on release, or holds it while a DocSpace task runs, and leaves a newer claim alone', () => {
    const mark = { occurredAtMs: 100, eventId: 'a', leasedUntil: now + 5_000 };
    expect(releasedMark(mark, 'a', false, now)).toMatchObject({ leasedUntil: 0, pendingTask: false });
    expect(releasedMark(mark, 'a', true, now)).toMatchObject({ leasedUntil: now + PENDING_TASK_LEASE_MS, pendingTask: true });
    expect(releasedMark(mark, 'b', false, now)).toBeUndefined();
    const held = releasedMark(mark, 'a', true, now);
    expect(decideClaim(held, { id: 'a', occurredAtMs: 100 }, now + 1, 5_000).claim).toEqual({ state: 'claimed', pendingTask: true });
  });

  it('lets only one of two racing claims win through compare-and-set', async () => {
    const lease = new MemberLease(memoryRecords(), manualClock());
    const claims = await Promise.all([lease.claim('email:x', role('e1', '2026-01-01T00:00:00Z'), 5_000), lease.claim('email:x', role('e2', '2026-01-01T00:00:01Z'), 5_000)]);
    expect(claims.map((c) => c.state).sort()).toEqual(['busy', 'claimed']);
  });

  it('still finds an event stale against a mark an earlier version kept under the DocSpace id', async () => {
    const records = memoryRecords();
    await records.put('watermark#user.role_changed#id:u1', { occurredAtMs: Date.parse('2026-01-02T00:00:00Z'), eventId: 'old', leasedUntil: 0 }, undefined);
    const lease = new MemberLease(records, manualClock());
    expect(await lease.claim('email:ann@example.com', role('e1', '2026-01-01T00:00:00Z'), 5_000, 'id:u1')).toEqual({ state: 'stale' });
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

describe('exactly once', () => {
  const setup = () => {
    const applied: string[] = [];
    let answer: SyncResult = { outcome: 'updated', userId: 'u1' };
    const records = memoryRecords();
    const clock = manualClock();
    const process = exactlyOnce({
      clock,
      apply: async (event) => {
        applied.push(event.id);
        return answer;
      },
      stores: { idempotency: memoryIdempotency(), lease: new MemberLease(records, clock), directory: new MemberDirectory(records) },
    });
    return { applied, process, setAnswer: (a: SyncResult) => (answer = a) };
  };

  it('applies an event once, answers its redelivery from the store, and an older event for the member as stale', async () => {
    const { applied, process } = setup();
    expect(await process(role('e2', '2026-01-02T00:00:00Z'), context)).toMatchObject({ outcome: 'updated' });
    expect(await process(role('e2', '2026-01-02T00:00:00Z'), context)).toMatchObject({ outcome: 'updated' });
    expect(await process(role('e1', '2026-01-01T00:00:00Z', { userId: 'u1' }), context)).toMatchObject({ outcome: 'stale' });
    expect(applied).toEqual(['e2']);
  });

  it('does not keep a result that is not final, so a redelivery applies again', async () => {
    const { applied, process, setAnswer } = setup();
    setAnswer({ outcome: 'not_found' });
    await process(role('e1', '2026-01-01T00:00:00Z'), context);
    setAnswer({ outcome: 'updated', userId: 'u1' });
    expect(await process(role('e1', '2026-01-01T00:00:00Z'), context)).toMatchObject({ outcome: 'updated' });
    expect(applied).toEqual(['e1', 'e1']);
  });
});

describe('a delivery', () => {
  it('answers 503-worthy unavailable with the longest Retry-After when any event may pass, else processed or ignored', async () => {
    const events = [role('e1', '2026-01-01T00:00:00Z'), role('e2', '2026-01-01T00:00:01Z')];
    const ok = await processDelivery('test', { events, ignored: ['x: not synced'] }, async () => ({ outcome: 'updated' }), context);
    expect(ok).toMatchObject({ outcome: 'processed', ignored: ['x: not synced'], results: [{ eventId: 'e1', outcome: 'updated' }, { eventId: 'e2', outcome: 'updated' }] });
    const failing = await processDelivery('test', { events, ignored: [] }, async (e) => {
      if (e.id === 'e2') throw new RefusedEvent('unavailable', 'later', undefined, 42);
      return { outcome: 'updated' };
    }, context);
    expect(failing).toMatchObject({ outcome: 'unavailable', retryAfterSeconds: 42, results: [{ outcome: 'updated' }, { outcome: 'unavailable' }] });
    expect(await processDelivery('test', { events: [], ignored: ['y'] }, async () => ({ outcome: 'updated' }), context)).toMatchObject({ outcome: 'ignored' });
  });
});
