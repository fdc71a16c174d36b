import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { DocSpacePort, RequestOptions } from '../../lib/docspace/client';
import { DocSpaceError } from '../../lib/docspace/errors';
import { Groups } from '../../lib/docspace/groups';
import { People } from '../../lib/docspace/people';
import { userTypeOf, UserType, type Profile } from '../../lib/docspace/types';
import { maskEmails } from '../../lib/log';
import { copyOnWriteKeySet, copyOnWriteRecords, planIdempotency } from '../../lib/plan/stores';
import { PlanRecorder } from '../../lib/plan/recorder';
import { parseSettings } from '../../lib/settings';
import { memoryIdempotency, memoryKeySet, memoryRecords } from '../../lib/store/memory';

const ANN: Profile = {
  id: '0b1c2d3e-0000-4000-8000-0000000000a1',
  email: 'ann@example.com',
  firstName: 'Ann',
  lastName: 'Lee',
  status: 1,
  isCollaborator: true,
};
const GROUP = { id: '0b1c2d3e-0000-4000-8000-0000000000f1', name: 'Legal', members: [ANN] };

/** A DocSpace that knows Ann and the Legal group, and refuses every write (a plan must never send one). */
function fakeDocSpace(): DocSpacePort & { sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    request<T>(method: string, path: string, options: RequestOptions<T>): Promise<T> {
      sent.push(`${method} ${path}`);
      if (method !== 'GET') throw new Error(`a write reached DocSpace: ${method} ${path}`);
      if (path === 'api/2.0/people/email' && options.query?.email === ANN.email) return Promise.resolve(options.schema.parse(ANN));
      if (path === `api/2.0/people/${ANN.id}`) return Promise.resolve(options.schema.parse(ANN));
      if (path === `api/2.0/group/${GROUP.id}`) return Promise.resolve(options.schema.parse(GROUP));
      return Promise.reject(new DocSpaceError(404, 'The user could not be found', method, path));
    },
  };
}

describe('the recording DocSpace port', () => {
  it('records writes in order and lets later reads see the planned state, for existing and planned members', async () => {
    const recorder = new PlanRecorder();
    const inner = fakeDocSpace();
    const people = new People(recorder.port(inner));

    const created = await people.createMember({ email: 'Bo@example.com', firstName: 'Bo', lastName: 'Ek', type: UserType.RoomAdmin });
    expect(created.id).toBe('{{member:1}}');
    expect(await people.findMemberByEmail('bo@example.com')).toMatchObject({ id: '{{member:1}}', isRoomAdmin: true });
    await people.setContacts(created.id, [{ type: 'phone', value: '1' }]);
    expect(await people.getMember('{{member:1}}')).toMatchObject({ contacts: [{ type: 'phone', value: '1' }] });
    expect(await people.getMember('{{member:2}}')).toBeNull();

    await people.setStatus(ANN.id, 2);
    expect((await people.findMemberByEmail('ann@example.com'))?.status).toBe(2);
    const task = await people.startTypeDowngrade(ANN.id, UserType.Guest);
    expect(task.isCompleted).toBe(true);
    expect(await people.typeChangeProgress(ANN.id)).toMatchObject({ isCompleted: true });
    expect(userTypeOf((await people.getMember(ANN.id)) as Profile)).toBe(UserType.Guest);
    await people.deleteMember(ANN.id);
    expect(await people.getMember(ANN.id)).toBeNull();

    expect(recorder.writes).toEqual([
      {
        method: 'POST',
        path: '/api/2.0/people',
        body: { email: 'Bo@example.com', firstName: 'Bo', lastName: 'Ek', type: 1 },
        creates: '{{member:1}}',
      },
      { method: 'PUT', path: '/api/2.0/people/{{member:1}}/contacts', body: { contacts: [{ type: 'phone', value: '1' }] } },
      { method: 'PUT', path: '/api/2.0/people/status/2', body: { userIds: [ANN.id] } },
      { method: 'POST', path: '/api/2.0/people/type', body: { type: 2, userId: ANN.id } },
      { method: 'DELETE', path: `/api/2.0/people/${ANN.id}` },
    ]);
    expect(inner.sent.every((s) => s.startsWith('GET '))).toBe(true);
    // Reads of planned members never reach DocSpace.
    expect(inner.sent.some((s) => s.includes('{{') || s.includes('%7B'))).toBe(false);
  });

  it('plans group writes the same way', async () => {
    const recorder = new PlanRecorder();
    const groups = new Groups(recorder.port(fakeDocSpace()));
    const made = await groups.create('Sales', [ANN.id]);
    expect(made).toMatchObject({ id: '{{group:1}}', name: 'Sales', members: [{ id: ANN.id }] });
    expect(await groups.update(GROUP.id, { groupName: 'Legal & Co', membersToRemove: [ANN.id] })).toMatchObject({
      name: 'Legal & Co',
      members: [],
    });
    expect(await groups.get(GROUP.id)).toMatchObject({ name: 'Legal & Co' });
    expect(await groups.delete('{{group:1}}')).toBe(true);
    expect(await groups.get('{{group:1}}')).toBeNull();
    expect(recorder.writes.map((w) => `${w.method} ${w.path}`)).toEqual([
      'POST /api/2.0/group',
      `PUT /api/2.0/group/${GROUP.id}`,
      'DELETE /api/2.0/group/{{group:1}}',
    ]);
  });

  it('refuses to guess the answer to a write it does not know', async () => {
    const port = new PlanRecorder().port(fakeDocSpace());
    await expect(port.request('POST', 'api/2.0/portal/whatever', { schema: z.unknown() })).rejects.toThrow(/plan mode does not know/);
  });
});

describe('the stores of a plan', () => {
  it('read the real store and keep every write in memory', async () => {
    const real = memoryRecords();
    await real.put('a', { n: 1 }, undefined);
    const plan = copyOnWriteRecords(real);
    expect(await plan.put('a', { n: 2 }, 1)).toBe(true);
    expect(await plan.put('a', { n: 3 }, 1)).toBe(false);
    expect(await plan.put('b', { n: 1 }, undefined)).toBe(true);
    expect(await plan.get('a')).toEqual({ value: { n: 2 }, version: 2 });
    expect([...real.dump().keys()]).toEqual(['a']);
    expect(real.dump().get('a')).toEqual({ value: { n: 1 }, version: 1 });

    const set = memoryKeySet();
    await set.add('x');
    const planSet = copyOnWriteKeySet(set);
    await planSet.add('y');
    await planSet.remove('x');
    expect(await planSet.list()).toEqual(['y']);
    expect(await set.list()).toEqual(['x']);
  });

  it('answer an event finished for real from the real idempotency store, and store nothing there', async () => {
    const real = memoryIdempotency();
    const context = { getRemainingTimeInMillis: () => 10_000 } as never;
    const event = { id: 'e1', type: 'user.deactivated', occurredAt: '2026-01-01T00:00:00Z', data: { email: 'ann@example.com' } } as const;
    await real.once(event, context, async () => ({ result: { outcome: 'updated' }, final: true }));
    const plan = planIdempotency(real);
    expect(await plan.once(event, context, () => Promise.reject(new Error('must not run')))).toEqual({ outcome: 'updated' });
    const other = { ...event, id: 'e2' };
    let runs = 0;
    const run = async () => ({ result: { outcome: 'updated' as const }, final: (runs += 1) > 0 });
    await plan.once(other, context, run);
    await plan.once(other, context, run);
    expect(runs).toBe(1);
    expect(await real.lookup(other)).toBeUndefined();
  });
});

describe('plan settings and logs', () => {
  const env = { DOCSPACE_URL: 'https://portal.example.com', DOCSPACE_API_KEY_SECRET_ID: 'k', WEBHOOK_SECRET_ID: 'w' };

  it('reads DRY_RUN as true or false only (default false)', () => {
    expect(parseSettings(env).dryRun).toBe(false);
    expect(parseSettings({ ...env, DRY_RUN: 'true' }).dryRun).toBe(true);
    expect(parseSettings({ ...env, DRY_RUN: '' }).dryRun).toBe(false);
    expect(() => parseSettings({ ...env, DRY_RUN: 'yes' })).toThrow(/DRY_RUN/);
  });

  it('masks every e-mail address in a value for the log', () => {
    const masked = JSON.stringify(maskEmails([{ body: { email: 'Ann@Example.com', note: 'cc bo@example.org, please' }, n: 1 }]));
    expect(masked).not.toMatch(/@/);
    expect(masked).toMatch(/email:[0-9a-f]{16}/);
  });
});
