/**
 * One canonical event, exactly once: durable idempotency by event id, then the member's claim (stale-event check
 * and ordering lease, by member key), then the sync, then the member directory learns who this is. Only final
 * results are remembered: a member not found yet or a downgrade still running are answered but not stored, so a
 * redelivery tries again. Without stores (no events table) the event is simply applied.
 */
import type { Context } from 'aws-lambda';
import type { CanonicalEvent } from '../events';
import { RefusedEvent, type SyncOutcome, type SyncResult } from '../outcome';
import { IN_FLIGHT_RETRY_AFTER_SECONDS } from '../store/idempotency';
import type { Clock, IdempotencyStore } from '../store/ports';
import type { Apply } from './apply';
import type { MemberLease } from './claim';
import { legacyMemberKey, type MemberDirectory } from './member';

const FINAL = new Set<SyncOutcome>(['created', 'exists', 'updated', 'unchanged', 'stale', 'unsupported_by_server']);

interface Stores {
  idempotency: IdempotencyStore;
  lease: MemberLease;
  directory: MemberDirectory;
}

export interface PipelineDeps {
  apply: Apply;
  clock: Clock;
  /** Absent when durable idempotency is off (no events table). */
  stores?: Stores;
}

export type ProcessEvent = (event: CanonicalEvent, context: Context) => Promise<SyncResult>;

export function exactlyOnce({ apply, clock, stores }: PipelineDeps): ProcessEvent {
  if (!stores) return (event, context) => apply(event, () => context.getRemainingTimeInMillis());
  const { idempotency, lease, directory } = stores;
  return (event, context) =>
    idempotency.once(event, context, async (remaining) => {
      const memberKey = await directory.keyOf(event.data);
      const claim = await lease.claim(memberKey, event, remaining(), event.data.userId ? legacyMemberKey(event.data) : undefined);
      if (claim.state === 'stale') {
        return { result: { outcome: 'stale', message: `a newer ${event.type} event for this member was applied already` }, final: true };
      }
      if (claim.state === 'busy') {
        throw new RefusedEvent('in_flight', 'an earlier event for this member is being applied right now; try again shortly', undefined, IN_FLIGHT_RETRY_AFTER_SECONDS);
      }
      let result: SyncResult | undefined;
      try {
        result = await apply(event, remaining, { resumeTypeChange: claim.pendingTask });
      } finally {
        await lease.release(memberKey, event, result?.outcome === 'in_progress');
      }
      if (result.userId && event.data.email) {
        await directory.remember(event.data.email, result.userId, event.source ?? 'canonical', result.outcome === 'created' ? 'created' : 'matched', clock.now());
      }
      return { result, final: FINAL.has(result.outcome) };
    });
}
