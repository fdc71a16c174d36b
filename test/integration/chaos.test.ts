/** The chaos run of `npm run chaos`, smaller: every event lands exactly once with the right state despite faults. */
import { describe, expect, it } from 'vitest';
import { runChaos } from '../../local/chaos';

describe('chaos', () => {
  it('loses, duplicates and corrupts nothing under 20 % faults, redeliveries and shuffled order', { timeout: 300_000 }, async () => {
    const report = await runChaos({ events: Number(process.env.CHAOS_EVENTS ?? 400), concurrency: 50, faultRate: 0.2, seed: 7 });
    expect(report.problems).toEqual([]);
    expect({ lost: report.lost, duplicated: report.duplicated, wrong: report.wrong }).toEqual({ lost: 0, duplicated: 0, wrong: 0 });
    // The run really was chaotic: every kind of fault was injected, and redeliveries were answered from the store.
    for (const kind of ['429', '500', '502', '503', 'slow', 'drop', 'appliedThenDrop'] as const) expect(report.faults[kind]).toBeGreaterThan(0);
    expect(report.attempts).toBeGreaterThan(report.deliveries);
  });
});
