/** The stores' own retries under the policy: DynamoDB's unprocessed batch keys, and lost compare-and-set races. */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '../../lib/events';
import { MemberLease } from '../../lib/pipeline/claim';
import { PendingWork } from '../../lib/pipeline/pending';
import { RefusedEvent } from '../../lib/outcome';
import { COMPARE_AND_SET, compareAndSet } from '../../lib/store/compareAndSet';
import { manualClock, memoryKeySet, memoryRecords } from '../../lib/store/memory';
import type { Clock, RecordStore } from '../../lib/store/ports';
import { dynamoDbRecords } from '../../lib/store/records';

/** A clock that keeps the waits asked of it. */
function recordingClock(): Clock & { waits: number[] } {
  const clock = manualClock();
  const waits: number[] = [];
  return { now: clock.now, sleep: async (ms) => void (waits.push(ms), await clock.sleep(ms)), waits };
}

/** Records whose writes all lose the race (another writer always comes first). */
function contested(): RecordStore & { puts: number } {
  const records = memoryRecords();
  const out = { ...records, puts: 0, put: async () => ((out.puts += 1), false) };
  return out;
}

describe("DynamoDB's unprocessed keys", () => {
  const item = (id: string) => ({ id: { S: id }, rev: { N: '1' }, v: { S: id } });

  it('asks again for what was left, with backoff, and returns everything once all came', async () => {
    const clock = recordingClock();
    const answers = [
      { Responses: { t: [item('a')] }, UnprocessedKeys: { t: { Keys: [{ id: { S: 'b' } }, { id: { S: 'c' } }] } } },
      { Responses: { t: [item('b')] }, UnprocessedKeys: { t: { Keys: [{ id: { S: 'c' } }] } } },
      { Responses: { t: [item('c')] } },
    ];
    const asked: unknown[] = [];
    const client = {
      send: async (command: { input: unknown }) => (asked.push(command.input), answers.shift()),
    } as unknown as DynamoDBClient;
    const got = await dynamoDbRecords(client, 't', clock).getMany<{ v: string }>(['a', 'b', 'c']);
    expect([...got.keys()].sort()).toEqual(['a', 'b', 'c']);
    expect(asked).toHaveLength(3);
    expect(clock.waits).toHaveLength(2);
    expect(clock.waits[0]).toBeLessThan(50);
    expect(clock.waits[1]).toBeLessThan(100);
  });

  it('gives up after its cap when DynamoDB keeps leaving keys, as unavailable (no endless loop)', async () => {
    const clock = recordingClock();
    let requests = 0;
    const client = {
      send: async () => ((requests += 1), { Responses: { t: [] }, UnprocessedKeys: { t: { Keys: [{ id: { S: 'a' } }] } } }),
    } as unknown as DynamoDBClient;
    const error = await dynamoDbRecords(client, 't', clock)
      .getMany(['a'])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RefusedEvent);
    expect((error as RefusedEvent).outcome).toBe('unavailable');
    expect(requests).toBe(6);
    expect(clock.waits.every((w, n) => w >= 0 && w < Math.min(1_000, 50 * 2 ** n))).toBe(true);
  });
});

describe('compare-and-set races', () => {
  it('reads again after a lost race with jittered backoff, up to the cap', async () => {
    const clock = recordingClock();
    const records = contested();
    expect(await compareAndSet(records, clock, 'k', () => ({ n: 1 }))).toEqual({ state: 'lost' });
    expect(records.puts).toBe(COMPARE_AND_SET.attempts);
    expect(clock.waits).toHaveLength(COMPARE_AND_SET.attempts - 1);
    clock.waits.forEach((w, n) => expect(w).toBeLessThan(Math.min(COMPARE_AND_SET.capMs, COMPARE_AND_SET.baseMs * 2 ** n)));
  });

  it('writes, or leaves the record, as the change says', async () => {
    const records = memoryRecords();
    const clock = manualClock();
    expect(await compareAndSet<{ n: number }>(records, clock, 'k', (c) => ({ n: (c?.n ?? 0) + 1 }))).toEqual({
      state: 'written',
      value: { n: 1 },
    });
    expect(await compareAndSet<{ n: number }>(records, clock, 'k', () => undefined)).toEqual({ state: 'left', value: { n: 1 } });
  });

  const event = {
    id: 'e1',
    type: 'user.role_changed',
    occurredAt: '2026-01-01T00:00:00Z',
    data: { email: 'a@example.com', role: 'User' },
  } as unknown as CanonicalEvent;

  it('a pending-work change that keeps losing is unavailable; a lease that keeps losing is busy', async () => {
    const clock = recordingClock();
    await expect(new PendingWork(contested(), memoryKeySet(), clock).keep('a@example.com', event)).rejects.toMatchObject({
      outcome: 'unavailable',
    });
    expect(clock.waits).toHaveLength(COMPARE_AND_SET.attempts - 1);
    expect(await new MemberLease(contested(), clock).claim('a@example.com', event, () => 60_000)).toEqual({ state: 'busy' });
  });
});
