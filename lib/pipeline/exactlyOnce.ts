/**
 * One canonical event, exactly once, to the exact final state:
 * 1. durable idempotency by event id (a redelivery gets the stored final answer);
 * 2. the member's claim by member key: the lease (a newer event waits for an older one) and the stale marks;
 * 3. the sync rule; then the marks record what was applied, and the member directory learns who this is;
 * 4. what cannot be applied yet is kept as the service's own work, answered 2xx and finished later: an event for a
 *    member who does not exist yet (`parked`), a type change for a disabled member (`deferred`), a downgrade still
 *    running (`in_progress`), a guest hire's change to Guest. It is applied, in order, as soon as what it waits for
 *    happens (the hire, the re-enabling), and otherwise by the follow-ups (`followUp`, every minute).
 * Without stores (no events table) the event is simply applied.
 */
import type { Context } from 'aws-lambda';
import { UserType } from '../docspace/types';
import type { CanonicalEvent } from '../events';
import { eventKeys, logger } from '../log';
import { countEvent, countKept, senderLabel } from '../metrics/record';
import { answerFor, RefusedEvent, type SyncOutcome, type SyncResult } from '../outcome';
import { userTypeForRole, type RoleMap } from '../roles';
import { IN_FLIGHT_RETRY_AFTER_SECONDS, type Clock, type IdempotencyStore, type KeySet, type RecordStore } from '../store/ports';
import type { Apply } from './apply';
import { MemberLease } from './claim';
import { legacyMemberKey, managerOf, MemberDirectory } from './member';
import { PendingWork } from './pending';

/** Results that end an event: kept by idempotency, answered to redeliveries. */
const FINAL = new Set<SyncOutcome>(['created', 'exists', 'updated', 'unchanged', 'stale', 'unsupported_by_server', 'parked', 'deferred']);
/** The change is in DocSpace (made now, or found there): the stale marks advance. */
const APPLIED = new Set<SyncOutcome>(['created', 'exists', 'updated', 'unchanged', 'unsupported_by_server']);
/** Kept as the service's own work. */
const WAITING = new Set<SyncOutcome>(['parked', 'deferred', 'in_progress']);

interface Stores {
  idempotency: IdempotencyStore;
  lease: MemberLease;
  directory: MemberDirectory;
  pending: PendingWork;
}

/** What the pipeline keeps in the events table: processed events, and the records its stores keep per member. */
export interface PipelineTable {
  records: RecordStore;
  /** The members with work kept (`pending#members`). */
  pendingMembers: KeySet;
  idempotency: IdempotencyStore;
}

/** The pipeline's stores over its table: the member's claim, the member directory, the work kept per member. */
export function memberStores(table: PipelineTable, clock: Clock): Stores {
  return {
    idempotency: table.idempotency,
    lease: new MemberLease(table.records, clock),
    directory: new MemberDirectory(table.records),
    pending: new PendingWork(table.records, table.pendingMembers, clock),
  };
}

export interface PipelineDeps {
  apply: Apply;
  clock: Clock;
  roles: RoleMap;
  /** Work older than this is dropped with a warning (a member who never appears). */
  pendingExpiryMs: number;
  /** Absent when durable idempotency is off (no events table). */
  stores?: Stores;
}

export type ProcessEvent = (event: CanonicalEvent, context: Context) => Promise<SyncResult>;

/** What a follow-up run did with the work kept per member. */
export interface KeptWorkReport {
  /** Events finished in this run (applied, found in place, stale or expired). */
  done: number;
  /** Events the service still has to finish: a downgrade still running, a call that failed and is retried. */
  remaining: number;
  /** Events waiting on a change outside the service: a member who does not exist yet, or is disabled. */
  waiting: number;
}

export interface Pipeline {
  process: ProcessEvent;
  /** Finishes what outlived an invocation, member by member, while time is left. */
  followUp: (remainingMs: () => number) => Promise<KeptWorkReport>;
}

/** Time kept back at the end of an invocation for answering. */
const MARGIN_MS = 3_000;

export function pipeline({ apply, clock, roles, pendingExpiryMs, stores }: PipelineDeps): Pipeline {
  if (!stores) {
    return {
      process: (event, context) => apply(event, () => context.getRemainingTimeInMillis()),
      followUp: async () => ({ done: 0, remaining: 0, waiting: 0 }),
    };
  }
  const { idempotency, lease, directory, pending } = stores;

  /** The event under its member's claim: stale check, lease, the rule, the marks; what must wait is kept. */
  async function applyClaimed(event: CanonicalEvent, remaining: () => number): Promise<SyncResult> {
    const memberKey = await directory.keyOf(event.data);
    const claim = await lease.claim(memberKey, event, remaining, event.data.userId ? legacyMemberKey(event.data) : undefined);
    if (claim.state === 'stale') return { outcome: 'stale', message: `a newer ${event.type} change for this member was applied already` };
    if (claim.state === 'busy') {
      throw new RefusedEvent(
        'in_flight',
        'an earlier event for this member is being applied right now; try again shortly',
        undefined,
        IN_FLIGHT_RETRY_AFTER_SECONDS,
      );
    }
    const applicable =
      claim.contactTypes && event.type === 'user.contact_updated'
        ? {
            ...event,
            data: { ...event.data, contacts: event.data.contacts.filter((c) => claim.contactTypes?.includes(c.type.trim().toLowerCase())) },
          }
        : event;
    let result: SyncResult | undefined;
    try {
      result = await apply(applicable, remaining, { resumeTypeChange: claim.pendingTask });
    } finally {
      await lease.release(memberKey, event, {
        applied: result !== undefined && APPLIED.has(result.outcome),
        taskStillRunning: result?.outcome === 'in_progress',
        ...(claim.contactTypes ? { contactTypes: claim.contactTypes } : {}),
      });
    }
    if (result.userId && event.data.email) {
      await directory.remember(
        event.data.email,
        result.userId,
        managerOf(event.source),
        result.outcome === 'created' ? 'created' : 'matched',
        clock.now(),
      );
    }
    if (WAITING.has(result.outcome)) await pending.keep(memberKey, event);
    if (result.outcome === 'not_found') {
      await pending.keep(memberKey, event);
      return { outcome: 'parked', message: `${result.message ?? 'the member does not exist yet'}; kept, and applied when they appear` };
    }
    return result;
  }

  /**
   * Applies what waits for the member, oldest change first, while time is left, and settles what is finished.
   * Kinds of change are independent (each has its lease and marks, and within a kind a later change makes an older
   * one stale), so one event that still cannot be applied does not hold up the others; a pass that finishes
   * something (a re-enabling, say) is followed by another, for what was waiting on it.
   */
  async function replay(memberKey: string, remaining: () => number): Promise<KeptWorkReport> {
    const settled: CanonicalEvent[] = [];
    /** Events whose last result says they wait on the world (member missing or disabled), not on us. */
    const outside = new Set<CanonicalEvent>();
    let waiting = await pending.of(memberKey);
    for (let pass = 0, progress = true; progress && pass < 3; pass += 1) {
      progress = false;
      outside.clear();
      for (const { event, sinceMs } of waiting) {
        if (remaining() < MARGIN_MS + 2_000) break;
        if (clock.now() - sinceMs > pendingExpiryMs) {
          logger.warn('pending event expired', { ...eventKeys(event), waitedMs: clock.now() - sinceMs });
          countEvent('followUp', senderLabel(event.source), event.type, 'expired');
          settled.push(event);
          continue;
        }
        let result: SyncResult;
        try {
          result = await applyClaimed(event, remaining);
        } catch (error) {
          const { answer } = answerFor(error);
          logger.warn('pending event not applied yet', { ...eventKeys(event), outcome: answer.outcome, detail: answer.message });
          continue;
        }
        if (result.outcome === 'parked') {
          // The member is still missing: nothing else of theirs can be applied either.
          for (const w of waiting) outside.add(w.event);
          break;
        }
        if (result.outcome === 'deferred') outside.add(event);
        if (WAITING.has(result.outcome)) continue;
        logger.info('pending event finished', {
          ...eventKeys(event),
          outcome: result.outcome,
          ...(result.message ? { detail: result.message } : {}),
        });
        countEvent('followUp', senderLabel(event.source), event.type, result.outcome);
        settled.push(event);
        progress = true;
      }
      waiting = waiting.filter((w) => !settled.includes(w.event));
    }
    await pending.settle(memberKey, settled);
    const blocked = waiting.filter((w) => outside.has(w.event)).length;
    return { done: settled.length, remaining: waiting.length - blocked, waiting: blocked };
  }

  /** A hire with the Guest role: DocSpace creates no Guest, so the change to Guest follows the hire as its own event. */
  const guestConversion = (event: CanonicalEvent): CanonicalEvent | undefined =>
    event.type === 'user.created' && event.data.role !== undefined && userTypeForRole(roles, event.data.role) === UserType.Guest
      ? {
          id: `${event.id}:guest`,
          type: 'user.role_changed',
          occurredAt: event.occurredAt,
          ...(event.source ? { source: event.source } : {}),
          data: { email: event.data.email, role: event.data.role },
        }
      : undefined;

  /** Events whose result lets waiting work go on now: the member appeared, or was enabled again. */
  const unblocks = (event: CanonicalEvent, result: SyncResult) =>
    (event.type === 'user.created' && (result.outcome === 'created' || result.outcome === 'exists')) ||
    (event.type === 'user.reactivated' && (result.outcome === 'updated' || result.outcome === 'unchanged'));

  return {
    process: (event, context) =>
      idempotency.once(event, context, async (remaining) => {
        const conversion = guestConversion(event);
        // Kept before the hire is applied, so that a function ending in between still leaves the work behind.
        if (conversion) await pending.keep(await directory.keyOf(event.data), conversion);
        const result = await applyClaimed(event, remaining);
        if (result.outcome === 'parked' || result.outcome === 'deferred') countKept(result.outcome);
        if (unblocks(event, result) || conversion) {
          await replay(await directory.keyOf(event.data), remaining).catch((error: unknown) =>
            logger.warn('follow-up after the event failed; the scheduled follow-ups retry', { error }),
          );
        }
        return { result, final: FINAL.has(result.outcome) };
      }),

    async followUp(remaining) {
      const report: KeptWorkReport = { done: 0, remaining: 0, waiting: 0 };
      for (const memberKey of await pending.list()) {
        if (remaining() < MARGIN_MS + 2_000) {
          report.remaining += (await pending.of(memberKey)).length;
          continue;
        }
        const one = await replay(memberKey, remaining);
        report.done += one.done;
        report.remaining += one.remaining;
        report.waiting += one.waiting;
      }
      return report;
    },
  };
}
