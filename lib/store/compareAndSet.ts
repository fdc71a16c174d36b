/**
 * Compare-and-set of one record under the retry policy (lib/net/retry.ts): read, decide, write if still at the
 * version read; a lost race (another writer came first) reads again after a short backoff with full jitter, so that
 * writers racing for one item spread out instead of colliding again at once.
 */
import { Retries, type RetryPolicy } from '../net/retry';
import type { Clock, RecordStore } from './ports';

/** Eight writes at most; between lost races a random wait of up to 10, 20, 40 … ms (200 ms at most). */
export const COMPARE_AND_SET: RetryPolicy = { attempts: 8, baseMs: 10, capMs: 200 };

/** Written (`value` is what was written), left as it was (`change` said so), or every race lost. */
export type Settled<T> = { state: 'written'; value: T } | { state: 'left'; value: T | undefined } | { state: 'lost' };

/** `change` gives the new value from the current one (undefined: absent), or undefined for "leave it". */
export async function compareAndSet<T extends object>(
  records: RecordStore,
  clock: Clock,
  key: string,
  change: (current: T | undefined) => T | undefined,
): Promise<Settled<T>> {
  const races = new Retries(COMPARE_AND_SET, { clock });
  do {
    const current = await records.get<T>(key);
    const next = change(current?.value);
    if (!next) return { state: 'left', value: current?.value };
    if (await records.put(key, next, current?.version)) return { state: 'written', value: next };
  } while (await races.next());
  return { state: 'lost' };
}
