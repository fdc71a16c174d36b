/**
 * What the pipeline keeps, as ports: DynamoDB in production (records.ts, idempotency.ts), in memory for unit tests
 * (memory.ts). The rules that use them (the member claim, the directory) live in lib/pipeline and are written once.
 */
import type { Context } from 'aws-lambda';
import type { CanonicalEvent } from '../events';
import type { SyncResult } from '../outcome';
import type { RetryClock } from '../net/retry';

/** A record and the version it was read at. */
export interface Versioned<T> {
  value: T;
  version: number;
}

/** Records by key, written with compare-and-set: the member marks and the member directory. */
export interface RecordStore {
  /** The record as last written (a consistent read), or undefined. */
  get<T extends object>(key: string): Promise<Versioned<T> | undefined>;
  /**
   * Many records at once (DynamoDB BatchGetItem, 100 keys a request; eventually consistent): those that exist, by
   * key. For bulk reads that tolerate a moment's lag (reconciliation's ownership look-up), never for a CAS.
   */
  getMany<T extends object>(keys: readonly string[]): Promise<Map<string, T>>;
  /** Writes the record if it is still at `expected` (undefined: still absent); false when another writer came first. */
  put<T extends object>(key: string, value: T, expected: number | undefined): Promise<boolean>;
}

/** A set of keys with atomic add and remove: the members that have follow-up work waiting. */
export interface KeySet {
  add(key: string): Promise<void>;
  remove(key: string): Promise<void>;
  list(): Promise<string[]>;
}

/** What an exactly-once section produced, and whether that is the event's final result (kept for redeliveries). */
export interface Attempt {
  result: SyncResult;
  final: boolean;
}

/**
 * Exactly once per event (source, type, id): the first delivery runs `apply`; a later one gets the stored final
 * result. One that arrives while another runs is refused `in_flight`; the same id with other data is `invalid`;
 * a store that cannot answer is `unavailable` (RefusedEvent in each case).
 */
export interface IdempotencyStore {
  once(event: CanonicalEvent, context: Context, apply: (remainingMs: () => number) => Promise<Attempt>): Promise<SyncResult>;
  /** The final result stored for the event, without writing anything (plan mode); the same id with other data is `invalid`. */
  lookup(event: CanonicalEvent): Promise<SyncResult | undefined>;
}

/** Seconds a sender should wait when the same event is being applied by another container right now. */
export const IN_FLIGHT_RETRY_AFTER_SECONDS = 5;

/** Time, injectable so that tests need not wait: the retry policy's clock (lib/net/retry.ts). */
export type Clock = RetryClock;
