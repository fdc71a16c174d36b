/**
 * The stores as a plan sees them: every read goes to the real store, every write stays in the plan's memory and
 * goes with it. So the pipeline runs unchanged — idempotency answers what was applied already, stale marks and
 * leases are read, a parked event is kept and replayed after a planned hire, the member directory learns a planned
 * member — and nothing is stored: no idempotency record, lease, mark, parked event or ownership change.
 */
import type { SyncResult } from '../outcome';
import type { IdempotencyStore, KeySet, RecordStore, Versioned } from '../store/ports';

/** Records read from `real`, written to memory (compare-and-set against what the plan sees). */
export function copyOnWriteRecords(real: RecordStore): RecordStore {
  const written = new Map<string, Versioned<object>>();
  const current = async <T extends object>(key: string): Promise<Versioned<T> | undefined> => {
    const mine = written.get(key);
    return mine ? { value: structuredClone(mine.value) as T, version: mine.version } : real.get<T>(key);
  };
  return {
    get: current,
    async getMany<T extends object>(keys: readonly string[]) {
      const found = await real.getMany<T>(keys.filter((key) => !written.has(key)));
      for (const key of keys) {
        const mine = written.get(key);
        if (mine) found.set(key, structuredClone(mine.value) as T);
      }
      return found;
    },
    async put(key, value, expected) {
      if ((await current(key))?.version !== expected) return false;
      written.set(key, { value: structuredClone(value), version: (expected ?? 0) + 1 });
      return true;
    },
  };
}

/** A key set read from `real`, changed in memory. */
export function copyOnWriteKeySet(real: KeySet): KeySet {
  const added = new Set<string>();
  const removed = new Set<string>();
  return {
    add: async (key) => {
      added.add(key);
      removed.delete(key);
    },
    remove: async (key) => {
      removed.add(key);
      added.delete(key);
    },
    list: async () => [...new Set([...(await real.list()), ...added])].filter((key) => !removed.has(key)),
  };
}

/**
 * Idempotency without records: an event the real store finished is answered from there (the real run would make
 * no call either); otherwise it is planned, and its result kept in memory for the rest of the plan only.
 */
export function planIdempotency(real: IdempotencyStore): IdempotencyStore {
  const planned = new Map<string, SyncResult>();
  return {
    lookup: (event) => real.lookup(event),
    async once(event, context, apply) {
      const key = JSON.stringify([event.source ?? null, event.type, event.id]);
      const done = planned.get(key) ?? (await real.lookup(event));
      if (done) return done;
      const { result, final } = await apply(() => context.getRemainingTimeInMillis());
      if (final) planned.set(key, result);
      return result;
    },
  };
}
