/** The sync rules against an in-process People double: the cases a real server cannot be made to produce on cue. */
import { describe, expect, it, vi } from 'vitest';
import { DocSpaceError } from '../../lib/docspace/errors';
import type { People } from '../../lib/docspace/people';
import type { Profile } from '../../lib/docspace/types';
import { RefusedEvent } from '../../lib/outcome';
import { buildRoleMap } from '../../lib/roles';
import { syncEvent, type SyncDeps } from '../../lib/sync';

const jane: Profile = { id: '2b7d5a7e-0000-4000-8000-000000000001', email: 'jane@example.com', isRoomAdmin: true };
const at = { id: 'evt', occurredAt: '2026-11-22T09:30:00Z' };

function deps(people: Partial<People>, remainingMs = 30_000): SyncDeps & { people: Record<string, ReturnType<typeof vi.fn>> } {
  const all = ['createMember', 'getMember', 'findMemberByEmail', 'upgradeType', 'startTypeDowngrade', 'typeChangeProgress', 'setContacts'];
  const doubles = Object.fromEntries(
    all.map((name) => [name, vi.fn((people[name as keyof People] as never) ?? (() => Promise.reject(new Error(`unexpected ${name}`))))]),
  );
  return { people: doubles as never, roles: buildRoleMap(), remainingMs: () => remainingMs, sleep: () => Promise.resolve() };
}

describe('user.created', () => {
  it('treats losing a creation race ("already registered") as exists, with the winner\'s id', async () => {
    const find = vi.fn().mockResolvedValueOnce(null).mockResolvedValueOnce(jane);
    const d = deps({
      findMemberByEmail: find,
      createMember: () => Promise.reject(new DocSpaceError(400, 'User with this email is already registered', 'POST', 'api/2.0/people')),
    });
    const result = await syncEvent({ ...at, type: 'user.created', data: { email: 'Jane@Example.com', firstName: 'J', lastName: 'D' } }, d);
    expect(result).toMatchObject({ outcome: 'exists', userId: jane.id });
    expect(find).toHaveBeenCalledWith('jane@example.com');
  });

  it('refuses an unknown role before any DocSpace call', async () => {
    const d = deps({});
    await expect(
      syncEvent({ ...at, type: 'user.created', data: { email: 'a@example.com', firstName: 'A', lastName: 'B', role: 'Wizard' } }, d),
    ).rejects.toMatchObject({ outcome: 'unknown_role' });
    for (const call of Object.values(d.people)) expect(call).not.toHaveBeenCalled();
  });

  it('lets other DocSpace errors through to the handler', async () => {
    const d = deps({
      findMemberByEmail: () => Promise.resolve(null),
      createMember: () => Promise.reject(new DocSpaceError(403, 'Access denied', 'POST', 'api/2.0/people')),
    });
    await expect(
      syncEvent({ ...at, type: 'user.created', data: { email: 'a@example.com', firstName: 'A', lastName: 'B' } }, d),
    ).rejects.toBeInstanceOf(DocSpaceError);
  });
});

describe('user.role_changed downgrade', () => {
  it('polls progress until the task completes', async () => {
    const progress = vi.fn().mockResolvedValueOnce({ isCompleted: false }).mockResolvedValueOnce({ isCompleted: true, percentage: 100 });
    const d = deps({
      findMemberByEmail: () => Promise.resolve(jane),
      startTypeDowngrade: () => Promise.resolve({ isCompleted: false, percentage: 0 }),
      typeChangeProgress: progress,
    });
    const result = await syncEvent({ ...at, type: 'user.role_changed', data: { email: jane.email, role: 'Guest' } }, d);
    expect(result).toMatchObject({ outcome: 'updated', message: 'RoomAdmin → Guest' });
    expect(d.people.startTypeDowngrade).toHaveBeenCalledWith(jane.id, 2, undefined);
    expect(progress).toHaveBeenCalledTimes(2);
  });

  it('stops polling when the function is about to run out of time and reports in_progress', async () => {
    const d = deps(
      {
        findMemberByEmail: () => Promise.resolve(jane),
        startTypeDowngrade: () => Promise.resolve({ isCompleted: false, percentage: 0 }),
        typeChangeProgress: () => Promise.resolve({ isCompleted: false }),
      },
      1_000,
    );
    const result = await syncEvent({ ...at, type: 'user.role_changed', data: { email: jane.email, role: 'User' } }, d);
    expect(result.outcome).toBe('in_progress');
    expect(d.people.typeChangeProgress).not.toHaveBeenCalled();
  });

  it("turns a failed task into a refusal that names DocSpace's error", async () => {
    const d = deps({
      findMemberByEmail: () => Promise.resolve(jane),
      startTypeDowngrade: () => Promise.resolve({ isCompleted: true, error: 'The user could not be found' }),
    });
    const error = await syncEvent({ ...at, type: 'user.role_changed', data: { email: jane.email, role: 'User' } }, d).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RefusedEvent);
    expect((error as RefusedEvent).message).toMatch(/could not be found/);
  });
});
