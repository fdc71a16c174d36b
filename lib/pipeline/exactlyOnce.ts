/**
 * One canonical event, exactly once: durable idempotency by event id (when IDEMPOTENCY_TABLE is set), then the
 * member's claim (stale-event check and ordering lease), then the sync. Only final results are remembered: a member
 * not found yet or a downgrade still running are answered but not stored, so a redelivery tries again.
 */
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyInconsistentStateError,
  IdempotencyItemNotFoundError,
  IdempotencyPersistenceLayerError,
  IdempotencyValidationError,
} from '@aws-lambda-powertools/idempotency';
import type { Context } from 'aws-lambda';
import { applyEvent } from './apply';
import { config } from '../settings';
import type { CanonicalEvent } from '../events';
import { RefusedEvent, type SyncResult } from '../outcome';
import { idempotent, type Idempotent } from '../store/idempotency';
import { claimMember, releaseMember } from '../store/watermarks';

/** Carries a result out of the idempotent section without it being stored. */
class NotFinal extends Error {
  constructor(readonly result: SyncResult) {
    super(result.outcome);
  }
}

const FINAL = new Set<SyncResult['outcome']>(['created', 'exists', 'updated', 'unchanged', 'stale', 'unsupported_by_server']);

/** Seconds a sender should wait when the same event is being applied by another container right now. */
const IN_FLIGHT_RETRY_AFTER_SECONDS = 5;

let once: Idempotent | undefined;

export async function processEvent(event: CanonicalEvent, context: Context): Promise<SyncResult> {
  const { eventsTable, idempotencyTtlSeconds } = config();
  const remainingMs = () => context.getRemainingTimeInMillis();
  if (!eventsTable) return applyEvent(event, remainingMs);

  once ??= idempotent(eventsTable, idempotencyTtlSeconds, async (e, remaining) => {
    const claim = await claimMember(eventsTable, e, remaining());
    if (claim.state === 'stale') return { outcome: 'stale', message: `a newer ${e.type} event for this member was applied already` };
    if (claim.state === 'busy') {
      throw new RefusedEvent('in_flight', 'an earlier event for this member is being applied right now; try again shortly', undefined, IN_FLIGHT_RETRY_AFTER_SECONDS);
    }
    let result: SyncResult | undefined;
    try {
      result = await applyEvent(e, remaining, { resumeTypeChange: claim.pendingTask });
    } finally {
      await releaseMember(eventsTable, e, result?.outcome === 'in_progress');
    }
    if (!FINAL.has(result.outcome)) throw new NotFinal(result);
    return result;
  });
  try {
    return await once.run(event, context);
  } catch (error) {
    if (error instanceof NotFinal) return error.result;
    throw translateIdempotencyError(error, event);
  }
}

function translateIdempotencyError(error: unknown, event: CanonicalEvent): unknown {
  if (error instanceof IdempotencyAlreadyInProgressError) {
    return new RefusedEvent('in_flight', `event ${event.id} is being applied right now; try again shortly`, undefined, IN_FLIGHT_RETRY_AFTER_SECONDS);
  }
  if (error instanceof IdempotencyValidationError) {
    return new RefusedEvent('invalid', `event id ${event.id} was already used for an event with other data`, ['id: reused for different data']);
  }
  // The store unreachable or throttled, or its state changing under us (the other delivery's record was removed
  // between our conditional write and our read): passes with time.
  if (
    error instanceof IdempotencyPersistenceLayerError ||
    error instanceof IdempotencyInconsistentStateError ||
    error instanceof IdempotencyItemNotFoundError
  ) {
    return new RefusedEvent('unavailable', `the idempotency store is unavailable: ${error.message}`, undefined, IN_FLIGHT_RETRY_AFTER_SECONDS);
  }
  return error;
}
