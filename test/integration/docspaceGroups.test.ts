/**
 * The Groups port (lib/docspace/groups.ts) over HTTP against the emulator: the calls and payloads DocSpace's source
 * gives (docs/docspace-caveats.md#groups), the envelope unwrapped, DELETE's 204 without a body, search paged past
 * DocSpace's 100 per page.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DocSpaceClient, openDocSpacePool } from '../../lib/docspace/client';
import { DocSpaceError } from '../../lib/docspace/errors';
import { Groups, isSystem } from '../../lib/docspace/groups';
import { manualClock } from '../../lib/store/memory';
import { DocSpaceEmulator } from '../../local/emulators/docspace';

const KEY = `sk-${'9'.repeat(64)}`;
const docspace = new DocSpaceEmulator({ apiKeys: [KEY] });
let groups: Groups;
let pool: ReturnType<typeof openDocSpacePool>;

beforeAll(async () => {
  await docspace.start(0);
  pool = openDocSpacePool(docspace.url);
  groups = new Groups(
    new DocSpaceClient({
      baseUrl: docspace.url,
      pool,
      apiKey: () => Promise.resolve(KEY),
      remainingMs: () => 30_000,
      clock: manualClock(),
    }),
  );
});
afterAll(async () => {
  await pool.close();
  await docspace.stop();
});
beforeEach(() => docspace.reset());

describe('Groups port', () => {
  it('creates with groupName and members, reads with members, renames and changes members in one PUT, deletes (204) and reads null after', async () => {
    const ann = docspace.addMember({ email: 'ann@example.com' });
    const bob = docspace.addMember({ email: 'bob@example.com' });
    const made = await groups.create('Sales', [ann.id]);
    expect(docspace.requests.at(-1)).toMatchObject({
      method: 'POST',
      path: '/api/2.0/group',
      body: { groupName: 'Sales', members: [ann.id] },
    });
    expect(made.members?.map((m) => m.id)).toEqual([ann.id]);
    const changed = await groups.update(made.id, { groupName: 'Sales EU', membersToAdd: [bob.id], membersToRemove: [ann.id] });
    expect(docspace.requests.at(-1)).toMatchObject({
      method: 'PUT',
      path: `/api/2.0/group/${made.id}`,
      body: { groupName: 'Sales EU', membersToAdd: [bob.id], membersToRemove: [ann.id] },
    });
    expect(changed).toMatchObject({ name: 'Sales EU', membersCount: 1 });
    expect((await groups.get(made.id))?.members?.map((m) => m.id)).toEqual([bob.id]);
    expect(await groups.delete(made.id)).toBe(true);
    expect(docspace.requests.at(-1)?.status).toBe(204);
    expect(await groups.get(made.id)).toBeNull();
    expect(await groups.delete(made.id)).toBe(false);
  });

  it('searches by substring through every page (more than 100 groups), never a system group', async () => {
    for (let i = 0; i < 150; i += 1) docspace.addGroup(`Team ${String(i).padStart(3, '0')}`);
    docspace.addGroup('Other');
    const found = await groups.search('team');
    expect(found).toHaveLength(150);
    expect(docspace.requests.filter((r) => r.path === '/api/2.0/group').map((r) => r.query.startIndex)).toEqual(['0', '100']);
    expect(found.some(isSystem)).toBe(false);
  });

  it('reads a system-group id as a system group, and passes a create refused for a Guest on as a 400 DocSpaceError', async () => {
    const system = await groups.get('88f11e7c-7407-4bea-b4cb-070010cdbb6b');
    expect(system && isSystem(system)).toBe(true);
    const guest = docspace.addMember({ email: 'guest@example.com', type: 2 });
    const refused = await groups.create('X', [guest.id]).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DocSpaceError);
    expect(refused).toMatchObject({ status: 400, message: 'The user could not be found' });
  });
});
