/** In-memory doubles of the store ports, for unit tests: the same contracts, no DynamoDB. */
import type { CanonicalEvent } from '../events';
import { RefusedEvent, type SyncResult } from '../outcome';
import type { Clock, IdempotencyStore, KeySet, RecordStore, Versioned } from './ports';

export function memoryRecords(): RecordStore & { dump(): Map<string, Versioned<object>> } {
  const items = new Map<string, Versioned<object>>();
  return {
    get: async <T extends object>(key: string) => {
      const item = items.get(key);
      return item ? { value: structuredClone(item.value) as T, version: item.version } : undefined;
    },
    getMany: async <T extends object>(keys: readonly string[]) => {
      const out = new Map<string, T>();
      for (const key of keys) {
        const item = items.get(key);
        if (item) out.set(key, structuredClone(item.value) as T);
      }
      return out;
    },
    put: async (key, value, expected) => {
      if (items.get(key)?.version !== expected) return false;
      items.set(key, { value: structuredClone(value), version: (expected ?? 0) + 1 });
      return true;
    },
    dump: () => items,
  };
}

export function memoryKeySet(): KeySet {
  const keys = new Set<string>();
  return {
    add: async (key) => void keys.add(key),
    remove: async (key) => void keys.delete(key),
    list: async () => [...keys],
  };
}

export function memoryIdempotency(): IdempotencyStore {
  const done = new Map<string, { data: string; result: SyncResult }>();
  const running = new Set<string>();
  const lookup = async (event: CanonicalEvent) => {
    const stored = done.get(JSON.stringify([event.source, event.type, event.id]));
    if (stored && stored.data !== JSON.stringify(event.data))
      throw new RefusedEvent('invalid', `event id ${event.id} was already used for an event with other data`, [
        'id: reused for different data',
      ]);
    return stored?.result;
  };
  return {
    lookup,
    async once(event, context, apply) {
      const key = JSON.stringify([event.source, event.type, event.id]);
      const stored = await lookup(event);
      if (stored) return stored;
      if (running.has(key)) throw new RefusedEvent('in_flight', `event ${event.id} is being applied right now; try again shortly`);
      running.add(key);
      try {
        const { result, final } = await apply(() => context.getRemainingTimeInMillis());
        if (final) done.set(key, { data: JSON.stringify(event.data), result });
        return result;
      } finally {
        running.delete(key);
      }
    },
  };
}

/** A clock that moves only when told (sleep moves it, without waiting). */
export function manualClock(start = Date.parse('2026-01-01T00:00:00Z')): Clock & { advance(ms: number): void } {
  let now = start;
  return {
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
    advance: (ms) => {
      now += ms;
    },
  };
}
