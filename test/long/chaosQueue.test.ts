/**
 * The chaos run through the queue, small: the same histories, deliveries and faults as test/integration/chaos.test.ts,
 * with the doors in queue mode (verify, enqueue, answer at once) and the worker draining the local SQS FIFO queue.
 * (Its own file: the handlers compose their services once per process, from DELIVERY_MODE=queue here.)
 */
// The functions' JSON lines are checked for secrets and personal data here too (npm test applies it to every file).
import '../setup/logGuard';
import { describe, expect, it } from 'vitest';
import { runChaos } from '../../local/chaos';

describe('chaos through the queue', () => {
  it('loses, duplicates and corrupts nothing, and leaves the queue and the DLQ empty', { timeout: 120_000 }, async () => {
    const report = await runChaos({
      events: Number(process.env.CHAOS_EVENTS ?? 100),
      members: 10,
      deliveries: 3,
      concurrency: 50,
      faultRate: 0.2,
      seed: 11,
      mode: 'queue',
    });
    expect(report.problems).toEqual([]);
    expect({ lost: report.lost, duplicated: report.duplicated, wrong: report.wrong, neverAcknowledged: report.neverAcknowledged }).toEqual({
      lost: 0,
      duplicated: 0,
      wrong: 0,
      neverAcknowledged: 0,
    });
    expect(report.queue).toMatchObject({ left: 0, deadLetters: 0 });
    // Every delivery was answered at once by the door: 202, queued.
    expect(Object.keys(report.answers)).toEqual(['202 queued']);
    expect(report.updatesBeforeHire).toBeGreaterThan(0);
  });
});
