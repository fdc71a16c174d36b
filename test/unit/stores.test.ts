/** The stores' own retries under the policy: DynamoDB's unprocessed batch keys. */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { RefusedEvent } from '../../lib/outcome';
import { manualClock } from '../../lib/store/memory';
import type { Clock } from '../../lib/store/ports';
import { dynamoDbRecords } from '../../lib/store/records';

/** A clock that keeps the waits asked of it. */
function recordingClock(): Clock & { waits: number[] } {
  const clock = manualClock();
  const waits: number[] = [];
  return { now: clock.now, sleep: async (ms) => void (waits.push(ms), await clock.sleep(ms)), waits };
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
    const client = { send: async (command: { input: unknown }) => (asked.push(command.input), answers.shift()) } as unknown as DynamoDBClient;
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
    const client = { send: async () => ((requests += 1), { Responses: { t: [] }, UnprocessedKeys: { t: { Keys: [{ id: { S: 'a' } }] } } }) } as unknown as DynamoDBClient;
    const error = await dynamoDbRecords(client, 't', clock).getMany(['a']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RefusedEvent);
    expect((error as RefusedEvent).outcome).toBe('unavailable');
    expect(requests).toBe(6);
    expect(clock.waits.every((w, n) => w >= 0 && w < Math.min(1_000, 50 * 2 ** n))).toBe(true);
  });
});
