/**
 * Ordering and stale-event protection, per member:
 * - a **lease** per member and kind of change (type, status, contacts, creation): while one event is applied, a
 *   newer one waits (briefly, then answers busy so the sender retries), so an older write cannot land last;
 * - a **stale mark** per member and aspect — the `occurredAt` of the newest change applied or found in place: the
 *   type, the status, and each contact type on its own (a partial contact update changes only the types it names).
 *   An older event that arrives later must not undo a newer change. A mark advances only when its change was
 *   applied or found in place — never when the member was not found.
 * The rules are pure functions (`isStale`, `decideLease`); the store only makes writes conditional (compare-and-set),
 * so two containers racing cannot both win. A redelivery of the event holding the lease passes again.
 */
import type { CanonicalEvent } from '../events';
import { Retries } from '../net/retry';
import { COMPARE_AND_SET, compareAndSet } from '../store/compareAndSet';
import type { Clock, RecordStore } from '../store/ports';

/** The lease of one member and kind, and (for type, status and creation) its stale mark; attributes since v1. */
export interface Mark {
  /** The newest change applied or found in place (before this version: the newest claimed). */
  occurredAtMs: number;
  /** The event holding, or that last held, the lease. */
  eventId: string;
  leasedUntil: number;
  /** The lease holder left a DocSpace task running (see release). */
  pendingTask?: boolean;
  /** The event whose change `occurredAtMs` is (absent before this version: it was `eventId`). */
  appliedId?: string;
}

/** The stale mark of one contact type. */
interface TypeMark {
  occurredAtMs: number;
  appliedId: string;
}

export type Claim = { state: 'claimed'; pendingTask: boolean; contactTypes?: string[] } | { state: 'stale' } | { state: 'busy' };

/**
 * How long a member stays held after a downgrade that DocSpace was still running when the function had to answer:
 * newer role events wait rather than race the server's task; the follow-ups resume it.
 */
export const PENDING_TASK_LEASE_MS = 15 * 60_000;

/** How long a delivery waits for another event of the same member to finish before it answers busy. */
const BUSY_WAIT_MS = 2_000;
const BUSY_POLL_MS = 50;

/** A newer change (or the same instant from another event) was applied already. */
export function isStale(
  mark: { occurredAtMs: number; appliedId?: string; eventId?: string } | undefined,
  event: { id: string; occurredAtMs: number },
): boolean {
  if (!mark) return false;
  const applied = mark.appliedId ?? mark.eventId;
  return mark.occurredAtMs > event.occurredAtMs || (mark.occurredAtMs === event.occurredAtMs && applied !== event.id);
}

/**
 * Whether the event may take the lease now, and the mark that takes it. A lease in force is held against every
 * other run, even of the same event (two replays of one event must not interleave with a third event between them);
 * the one exception is a lease kept for a DocSpace task its event started: that event follows the task again.
 */
export function decideLease(
  mark: Mark | undefined,
  eventId: string,
  now: number,
  leaseMs: number,
): { busy: true } | { busy: false; pendingTask: boolean; next: Mark } {
  const resumes = mark?.eventId === eventId && mark.pendingTask === true;
  if (mark && mark.leasedUntil >= now && !resumes) return { busy: true };
  return {
    busy: false,
    pendingTask: resumes,
    next: { ...(mark ?? { occurredAtMs: 0 }), eventId, leasedUntil: now + leaseMs, pendingTask: false },
  };
}

/** The mark after the event is done: its change recorded if applied, the lease ended or held for a running task. */
export function releasedMark(
  mark: Mark | undefined,
  event: { id: string; occurredAtMs: number },
  outcome: { applied: boolean; taskStillRunning: boolean; recordChange: boolean },
  now: number,
): Mark | undefined {
  if (!mark) return undefined;
  const record = outcome.recordChange && outcome.applied && event.occurredAtMs > mark.occurredAtMs;
  const holder = mark.eventId === event.id;
  if (!record && !holder) return undefined; // a newer event holds the lease, and there is no change to record
  return {
    ...mark,
    ...(record ? { occurredAtMs: event.occurredAtMs, appliedId: event.id } : {}),
    ...(holder ? { leasedUntil: outcome.taskStillRunning ? now + PENDING_TASK_LEASE_MS : 0, pendingTask: outcome.taskStillRunning } : {}),
  };
}

/** Disabling and enabling are one kind of change: the newer of the two wins. */
const kindOf = (event: CanonicalEvent): string =>
  event.type === 'user.deactivated' || event.type === 'user.reactivated' ? 'user.status' : event.type;

const typeKey = (type: string) => type.trim().toLowerCase();

export class MemberLease {
  constructor(
    private readonly records: RecordStore,
    private readonly clock: Clock,
  ) {}

  /**
   * Claims the member for this event until `leaseMs` from now, waiting up to BUSY_WAIT_MS (within the time left)
   * while another event holds it. `legacyKey` is where a mark of an earlier version may stand (keyed by the DocSpace
   * id the event named): a newer change recorded there still makes this event stale. For a contact update the claim
   * names the contact types that are not stale; the others are left out of the write.
   */
  async claim(memberKey: string, event: CanonicalEvent, remainingMs: () => number, legacyKey?: string): Promise<Claim> {
    const at = { id: event.id, occurredAtMs: Date.parse(event.occurredAt) };
    const contacts = event.type === 'user.contact_updated';
    if (
      legacyKey &&
      legacyKey !== memberKey &&
      !contacts &&
      isStale((await this.records.get<Mark>(markKey(event, legacyKey)))?.value, at)
    ) {
      return { state: 'stale' };
    }
    const key = markKey(event, memberKey);
    const waitUntil = this.clock.now() + Math.min(BUSY_WAIT_MS, Math.max(0, remainingMs() - 5_000));
    let lease: Mark | undefined;
    let pendingTask = false;
    // A write that keeps losing the race gives up as busy (the sender retries); waits for the holder are not races.
    const races = new Retries(COMPARE_AND_SET, { clock: this.clock });
    while (lease === undefined) {
      const current = await this.records.get<Mark>(key);
      // The contact types have marks of their own; the lease item's mark is only their floor from earlier versions.
      if (!contacts && isStale(current?.value, at)) return { state: 'stale' };
      const decision = decideLease(current?.value, event.id, this.clock.now(), remainingMs());
      if (decision.busy) {
        if (this.clock.now() >= waitUntil) return { state: 'busy' };
        await this.clock.sleep(BUSY_POLL_MS);
        continue;
      }
      if (await this.records.put(key, decision.next, current?.version)) {
        lease = decision.next;
        pendingTask = decision.pendingTask;
      } else if (!(await races.next())) return { state: 'busy' };
    }
    if (!contacts) return { state: 'claimed', pendingTask };

    const types = [...new Set(event.data.contacts.map((c) => typeKey(c.type)))];
    const marks = await Promise.all(types.map((t) => this.records.get<TypeMark>(typeMarkKey(memberKey, t))));
    const fresh = types.filter((t, i) => !isStale(marks[i]?.value ?? (lease.occurredAtMs ? lease : undefined), at));
    if (fresh.length === 0) {
      await this.release(memberKey, event, { applied: false, taskStillRunning: false });
      return { state: 'stale' };
    }
    return { state: 'claimed', pendingTask, contactTypes: fresh };
  }

  /**
   * Records the change when it was applied or found in place (for a contact update: of the given contact types),
   * and ends this event's lease, or holds it while a DocSpace task it started still runs.
   */
  async release(
    memberKey: string,
    event: CanonicalEvent,
    outcome: { applied: boolean; taskStillRunning: boolean; contactTypes?: string[] },
  ): Promise<void> {
    const at = { id: event.id, occurredAtMs: Date.parse(event.occurredAt) };
    const contacts = event.type === 'user.contact_updated';
    if (contacts && outcome.applied) {
      await Promise.all(
        (outcome.contactTypes ?? []).map((t) =>
          this.advance<TypeMark>(typeMarkKey(memberKey, t), (m) =>
            isStale(m, at) || m?.appliedId === at.id ? undefined : { occurredAtMs: at.occurredAtMs, appliedId: at.id },
          ),
        ),
      );
    }
    await this.advance<Mark>(markKey(event, memberKey), (m) =>
      releasedMark(m, at, { ...outcome, recordChange: !contacts }, this.clock.now()),
    );
  }

  /** Compare-and-set of one record: `change` gives the new value, or undefined for "leave it". */
  private async advance<T extends object>(key: string, change: (current: T | undefined) => T | undefined): Promise<void> {
    // Every race lost: the mark stays as the winners left it, and an unreleased lease runs out on its own.
    await compareAndSet(this.records, this.clock, key, change);
  }
}

const markKey = (event: CanonicalEvent, memberKey: string) => `watermark#${kindOf(event)}#${memberKey}`;
const typeMarkKey = (memberKey: string, type: string) => `watermark#user.contact_updated#${memberKey}#type:${type}`;
