/**
 * DocSpace down longer than the retry budget, through the queue: every event lands in the DLQ, DocSpace comes back,
 * `replay` moves them back and the worker applies them; the final state is exact. (Its own file: the handlers compose
 * their services once per process, and this run has its own stack.)
 */
// The functions' JSON lines are checked for secrets and personal data here too (npm test applies it to every file).
import '../setup/logGuard';
import { describe, expect, it } from 'vitest';
import { runChaos } from '../../local/chaos';

describe('chaos through the queue with DocSpace down', () => {
  it('keeps every event in the DLQ while DocSpace is down, and after replay the final state is exact', { timeout: 120_000 }, async () => {
    const report = await runChaos({
      events: 90,
      members: 6,
      deliveries: 3,
      concurrency: 50,
      faultRate: 0.2,
      seed: 5,
      mode: 'queue',
      outage: true,
    });
    expect(report.problems).toEqual([]);
    expect({ lost: report.lost, duplicated: report.duplicated, wrong: report.wrong, neverAcknowledged: report.neverAcknowledged }).toEqual({
      lost: 0,
      duplicated: 0,
      wrong: 0,
      neverAcknowledged: 0,
    });
    // One message per event (the deliveries' copies deduplicated), all dead-lettered during the outage, all replayed.
    expect(report.queue?.outage).toEqual({ deadLettered: 90, replayed: 90 });
    expect(report.queue).toMatchObject({ left: 0, deadLetters: 0 });
  });
});
