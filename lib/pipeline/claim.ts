/**
 * Stale-event protection and ordering, per member and kind of change: the `occurredAt` of the newest event claimed
 * so far, and a short lease while it is being applied. An older event that arrives later (webhooks come out of
 * order) must not undo the newer change; and an older event already being applied must finish before a newer one
 * starts, or its write could land last. The rule is `decideClaim`, a pure function; the store only makes the write
 * conditional (compare-and-set), so two containers racing cannot both win. A redelivery of the claiming event (same
 * id) passes again, so a retry after a failure is not taken for stale.
 */
import type { CanonicalEvent } from '../events';
import type { Clock, RecordStore } from '../store/ports';

/** The mark of one member and kind (stored as these attributes since the first version). */
export interface Mark {
  occurredAtMs: number;
  eventId: string;
  leasedUntil: number;
  /** The claiming event left a DocSpace task running (see release). */
  pendingTask?: boolean;
}

export type Claim = { state: 'claimed'; pendingTask: boolean } | { state: 'stale' } | { state: 'busy' };

/**
 * How long a member stays held after a downgrade that DocSpace was still running when the function had to answer:
 * newer role events wait rather than race the server's task; a redelivery of the same event resumes it.
 */
export const PENDING_TASK_LEASE_MS = 15 * 60_000;

/** The claim an event gets against the current mark, and the mark to write when it is claimed. */
export function decideClaim(mark: Mark | undefined, event: { id: string; occurredAtMs: number }, now: number, leaseMs: number): { claim: Claim; next?: Mark } {
  const same = mark?.eventId === event.id;
  const newer = !mark || mark.occurredAtMs < event.occurredAtMs || (mark.occurredAtMs === event.occurredAtMs && same);
  if (!newer) return { claim: { state: 'stale' } };
  if (mark && mark.leasedUntil >= now && !same) return { claim: { state: 'busy' } };
  return {
    claim: { state: 'claimed', pendingTask: same && mark?.pendingTask === true },
    next: { ...mark, occurredAtMs: event.occurredAtMs, eventId: event.id, leasedUntil: now + leaseMs },
  };
}

/** The mark after the claiming event is done: lease ended, or held while a DocSpace task it started still runs. */
export function releasedMark(mark: Mark | undefined, eventId: string, taskStillRunning: boolean, now: number): Mark | undefined {
  if (mark?.eventId !== eventId) return undefined; // a newer event has claimed the member since: not ours to end
  return { ...mark, leasedUntil: taskStillRunning ? now + PENDING_TASK_LEASE_MS : 0, pendingTask: taskStillRunning };
}

/** Disabling and enabling are one kind of change: the newer of the two wins. */
const kindOf = (event: CanonicalEvent): string =>
  event.type === 'user.deactivated' || event.type === 'user.reactivated' ? 'user.status' : event.type;

/** Compare-and-set attempts before a claim that keeps losing the race is answered busy (the sender retries). */
const MAX_RACES = 5;

/** The member lease and stale-event mark, kept in a RecordStore. */
export class MemberLease {
  constructor(
    private readonly records: RecordStore,
    private readonly clock: Clock,
  ) {}

  /**
   * Claims the member for this event until `leaseMs` from now. `legacyKey` is where a mark of an earlier version may
   * stand (keyed by the DocSpace id the event named): a newer event recorded there still makes this one stale.
   */
  async claim(memberKey: string, event: CanonicalEvent, leaseMs: number, legacyKey?: string): Promise<Claim> {
    const at = { id: event.id, occurredAtMs: Date.parse(event.occurredAt) };
    if (legacyKey && legacyKey !== memberKey) {
      const legacy = await this.records.get<Mark>(markKey(event, legacyKey));
      if (legacy && decideClaim(legacy.value, at, 0, 0).claim.state === 'stale') return { state: 'stale' };
    }
    const key = markKey(event, memberKey);
    for (let race = 0; race < MAX_RACES; race += 1) {
      const current = await this.records.get<Mark>(key);
      const { claim, next } = decideClaim(current?.value, at, this.clock.now(), leaseMs);
      if (!next || (await this.records.put(key, next, current?.version))) return claim;
    }
    return { state: 'busy' };
  }

  /** Ends this event's lease so the next event need not wait for it to expire, or holds it while a task runs. */
  async release(memberKey: string, event: CanonicalEvent, taskStillRunning = false): Promise<void> {
    const key = markKey(event, memberKey);
    for (let race = 0; race < MAX_RACES; race += 1) {
      const current = await this.records.get<Mark>(key);
      const next = releasedMark(current?.value, event.id, taskStillRunning, this.clock.now());
      if (!next || (await this.records.put(key, next, current?.version))) return;
    }
  }
}

const markKey = (event: CanonicalEvent, memberKey: string) => `watermark#${kindOf(event)}#${memberKey}`;
