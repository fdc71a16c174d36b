/**
 * Work the service owns after it answered: events kept per member until they can be applied — parked (the member
 * does not exist yet), deferred (a type change for a disabled member), a guest hire's change to Guest, a downgrade
 * DocSpace was still running. Each member with work waiting is in one set, which the follow-ups walk.
 */
import type { CanonicalEvent } from '../events';
import { RefusedEvent } from '../outcome';
import { COMPARE_AND_SET, compareAndSet } from '../store/compareAndSet';
import type { Clock, KeySet, RecordStore } from '../store/ports';

export interface Waiting {
  event: CanonicalEvent;
  /** When it was first kept: work older than the expiry is dropped with a warning. */
  sinceMs: number;
}

const keyOf = (memberKey: string) => `pending#${memberKey}`;
const idOf = (event: CanonicalEvent) => `${event.source ?? ''}|${event.type}|${event.id}`;
const byTime = (a: Waiting, b: Waiting) => Date.parse(a.event.occurredAt) - Date.parse(b.event.occurredAt);

export class PendingWork {
  constructor(
    private readonly records: RecordStore,
    private readonly members: KeySet,
    private readonly clock: Clock,
  ) {}

  /** Keeps the event for the member (once, whatever the redeliveries). */
  async keep(memberKey: string, event: CanonicalEvent): Promise<void> {
    await this.members.add(memberKey);
    await this.change(memberKey, (list) =>
      list.some((w) => idOf(w.event) === idOf(event)) ? undefined : [...list, { event, sinceMs: this.clock.now() }].sort(byTime),
    );
  }

  /** The member's waiting events, oldest change first. */
  async of(memberKey: string): Promise<Waiting[]> {
    return (await this.records.get<{ waiting: Waiting[] }>(keyOf(memberKey)))?.value.waiting ?? [];
  }

  /** Removes settled events; a member with nothing left leaves the set. */
  async settle(memberKey: string, settled: CanonicalEvent[]): Promise<void> {
    if (settled.length === 0) return;
    const ids = new Set(settled.map(idOf));
    const left = await this.change(memberKey, (list) =>
      list.some((w) => ids.has(idOf(w.event))) ? list.filter((w) => !ids.has(idOf(w.event))) : undefined,
    );
    if (left.length > 0) return;
    await this.members.remove(memberKey);
    // Work kept between the read and the removal must not be forgotten.
    if ((await this.of(memberKey)).length > 0) await this.members.add(memberKey);
  }

  /** Members with work waiting. */
  list(): Promise<string[]> {
    return this.members.list();
  }

  private async change(memberKey: string, edit: (list: Waiting[]) => Waiting[] | undefined): Promise<Waiting[]> {
    const settled = await compareAndSet<{ waiting: Waiting[] }>(this.records, this.clock, keyOf(memberKey), (current) => {
      const next = edit(current?.waiting ?? []);
      return next ? { waiting: next } : undefined;
    });
    if (settled.state === 'lost')
      throw new RefusedEvent(
        'unavailable',
        `the member's pending work kept changing under ${COMPARE_AND_SET.attempts} attempts; try again shortly`,
        undefined,
        5,
      );
    return settled.value?.waiting ?? [];
  }
}
