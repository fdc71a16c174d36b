/**
 * The chaos run of `npm run chaos`, smaller: member histories (hires as Guest or with contacts, role changes up and
 * down, partial contact updates, deactivation and reactivation, roles while disabled, updates before the hire), each
 * event delivered three times in shuffled order, retried as a Standard Webhooks sender would, under 20 % faults; then
 * the follow-ups. The whole final state must be exactly what the histories lead to.
 */
// The functions' JSON lines are checked for secrets and personal data here too (npm test applies it to every file).
import '../setup/logGuard';
import { describe, expect, it } from 'vitest';
import { runChaos } from '../../local/chaos';

describe('chaos', () => {
  it(
    'loses, duplicates, corrupts and leaves unacknowledged nothing under 20 % faults, redeliveries and shuffled order',
    { timeout: 300_000 },
    async () => {
      const report = await runChaos({
        events: Number(process.env.CHAOS_EVENTS ?? 400),
        members: 20,
        deliveries: 3,
        concurrency: 50,
        faultRate: 0.2,
        seed: 7,
      });
      expect(report.problems).toEqual([]);
      expect(report.unacknowledged).toEqual([]);
      expect({
        lost: report.lost,
        duplicated: report.duplicated,
        wrong: report.wrong,
        neverAcknowledged: report.neverAcknowledged,
      }).toEqual({
        lost: 0,
        duplicated: 0,
        wrong: 0,
        neverAcknowledged: 0,
      });
      // The run really was chaotic: every kind of fault was injected, updates came before hires, attempts were retried.
      for (const kind of ['429', '500', '502', '503', 'slow', 'drop', 'appliedThenDrop'] as const)
        expect(report.faults[kind]).toBeGreaterThan(0);
      expect(report.updatesBeforeHire).toBeGreaterThan(0);
      expect(report.attempts).toBeGreaterThan(report.deliveries);
    },
  );
});
