/**
 * The run on doubles: every write goes through the ports it is given (so a plan can swap them and store nothing),
 * and the safety threshold's arithmetic.
 */
import { describe, expect, it } from 'vitest';
import type { Profile } from '../../lib/docspace/types';
import type { CanonicalEvent } from '../../lib/events';
import { MemberDirectory } from '../../lib/pipeline/member';
import { recordCursorStore } from '../../lib/reconcile/cursor';
import { reconcile, type ReconcileDeps } from '../../lib/reconcile/run';
import type { RosterPerson } from '../../lib/senders/kit/adapter';
import { SENDERS } from '../../lib/senders/registry';
import { manualClock, memoryRecords } from '../../lib/store/memory';
import { senderContext } from '../support/doubles';

const person = (i: number, active = true): RosterPerson => ({
  senderId: String(i),
  email: `p${i}@x.io`,
  firstName: 'Pat',
  lastName: 'Lee',
  fields: { jobTitle: 'User' },
  active,
});
const profile = (i: number): Profile => ({
  id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  email: `p${i}@x.io`,
  status: 1,
  isCollaborator: true,
});

/** `owned`: every member is the sender's already (else nobody manages them, and the run matches the active ones). */
function setup(rosterSize: number, inactive: number, members: number, owned = false) {
  const records = memoryRecords();
  const directory = new MemberDirectory(records);
  const submitted: CanonicalEvent[] = [];
  const all = Array.from({ length: members }, (_, i) => profile(i));
  const deps: ReconcileDeps = {
    sender: 'bamboohr',
    context: senderContext({ sender: 'bamboohr', mapping: structuredClone(SENDERS.bamboohr.mapping) }),
    roster: async () => Array.from({ length: rosterSize }, (_, i) => person(i, i >= inactive)),
    people: { listMembers: async (start, count = 100) => ({ members: all.slice(start, start + count), total: all.length }) },
    owners: {
      ownersOf: async (emails) =>
        owned
          ? new Map(
              emails.map((email) => [
                email,
                { userId: all.find((p) => p.email === email)?.id ?? '', managedBy: 'bamboohr', via: 'created' as const, sinceMs: 0 },
              ]),
            )
          : directory.ownersOf(emails),
      claim: (email, userId, owner, now) => directory.remember(email, userId, owner, 'matched', now),
    },
    cursor: recordCursorStore(records, manualClock()),
    submit: { kind: 'pipeline', process: async (event) => (submitted.push(event), { outcome: 'updated' }) },
    clock: manualClock(),
    threshold: { maxDisable: 25, maxDisablePercent: 10 },
    remainingMs: () => 600_000,
  };
  return { deps, records, submitted };
}

describe('a reconcile run', () => {
  it('writes only through its ports: with no-op ownership and cursor stores and a recording submit, nothing is stored', async () => {
    const { deps, records, submitted } = setup(12, 0, 10);
    const report = await reconcile({
      ...deps,
      owners: { ownersOf: deps.owners.ownersOf, claim: async () => undefined },
      cursor: { get: async () => undefined, put: async () => undefined },
    });
    expect(report).toMatchObject({ matched: 10, drift: { missing: 2 }, applied: 2 });
    expect(submitted.map((e) => e.type)).toEqual(['user.created', 'user.created']);
    expect(records.dump().size).toBe(0);
  });

  it('keeps the ownership of matched members and the cursor through the real stores', async () => {
    const { deps, records } = setup(3, 0, 3);
    const report = await reconcile(deps);
    expect(report.matched).toBe(3);
    expect([...records.dump().keys()].sort()).toEqual(
      [
        'member#email:p0@x.io',
        'member#email:p1@x.io',
        'member#email:p2@x.io',
        ...['0', '1', '2'].map((i) => `member#id:${profile(Number(i)).id}`),
        'reconcile#bamboohr',
      ].sort(),
    );
    expect(records.dump().get('reconcile#bamboohr')?.value).toMatchObject({ runId: report.runId, state: 'done' });
  });

  it('holds back more than 25 disables, or more than 10 % of the managed members from 3 on; --force applies them', async () => {
    const cases: [roster: number, inactive: number, tripped: boolean][] = [
      [10, 2, false], // 20 %, but only 2
      [10, 3, true], // 30 %
      [40, 4, false], // 10 %: not more than
      [1000, 25, false], // 2.5 %, 25: not more than
      [1000, 26, true], // more than 25
    ];
    for (const [size, inactive, expected] of cases) {
      const { deps, submitted } = setup(size, inactive, size, true);
      const report = await reconcile(deps);
      expect({ size, inactive, tripped: report.threshold.tripped, heldBack: report.heldBack, disabled: submitted.length }).toEqual({
        size,
        inactive,
        tripped: expected,
        heldBack: expected ? inactive : 0,
        disabled: expected ? 0 : inactive,
      });
    }
    const { deps, submitted } = setup(10, 3, 10, true);
    expect(await reconcile(deps, { force: true })).toMatchObject({ heldBack: 0, applied: 3, threshold: { tripped: true } });
    expect(submitted.map((e) => e.type)).toEqual(Array(3).fill('user.deactivated'));
  });
});
