/**
 * Ports whose implementation is loaded on first use. The composition root hands these out so that a function
 * loads the DynamoDB client (and its part of the AWS SDK) only when an invocation touches the events table: a door
 * in queue mode that keys an event by its e-mail verifies and enqueues without it.
 */
import type { EventsTable } from './dynamoDb';
import type { IdempotencyStore, KeySet, RecordStore } from './ports';

/** Memoises an asynchronous factory: the first call starts it, every later call shares its promise. */
export function once<T>(open: () => Promise<T>): () => Promise<T> {
  let opened: Promise<T> | undefined;
  return () => (opened ??= open());
}

function lazyRecords(open: () => Promise<RecordStore>): RecordStore {
  return {
    get: async (key) => (await open()).get(key),
    getMany: async (keys) => (await open()).getMany(keys),
    put: async (key, value, expected) => (await open()).put(key, value, expected),
  };
}

function lazyKeySet(open: () => Promise<KeySet>): KeySet {
  return {
    add: async (key) => (await open()).add(key),
    remove: async (key) => (await open()).remove(key),
    list: async () => (await open()).list(),
  };
}

function lazyIdempotency(open: () => Promise<IdempotencyStore>): IdempotencyStore {
  return {
    once: async (event, context, apply) => (await open()).once(event, context, apply),
    lookup: async (event) => (await open()).lookup(event),
  };
}

/** The events table's ports, opened (and its client loaded) on the first access to any of them. */
export function lazyEventsTable(open: () => Promise<EventsTable>): EventsTable {
  const table = once(open);
  return {
    records: lazyRecords(async () => (await table()).records),
    keySet: (itemId) => lazyKeySet(async () => (await table()).keySet(itemId)),
    idempotency: lazyIdempotency(async () => (await table()).idempotency),
  };
}
