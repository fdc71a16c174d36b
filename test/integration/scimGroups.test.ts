/**
 * SCIM /Groups against the emulators (docs/docspace-caveats.md#groups), with the request shapes Entra ID and Okta send: groups and
 * members asserted in the DocSpace emulator's state, user types from SCIM_GROUP_TYPES through the pipeline.
 */
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { OWNER_ID } from '../../local/emulators/docspace';
import { composedHandlers, invokeScim, lambdaContext as realContext, scimEvent, virtualClock } from '../../local/lambda';
import { LOCAL } from '../../local/stack';
import { capturedLogLines } from '../setup/logGuard';
import { freshScimState, useLocalStack } from '../support/localStack';

const local = useLocalStack({
  DOCSPACE_REASSIGN_USER_ID: OWNER_ID,
  ROLE_MAP: JSON.stringify({ 'Room Admin': 'RoomAdmin', Visitor: 'Guest' }),
  SCIM_GROUP_TYPES: JSON.stringify({ 'DocSpace Admins': 'DocSpaceAdmin', 'Room Admins': 'RoomAdmin', Visitors: 'Guest' }),
});
const clock = virtualClock();
const functions = composedHandlers(clock);
const scim = functions.scim();
const call = (method: string, target: string, body?: unknown) =>
  invokeScim(scim, scimEvent(method, target, body), realContext('scim', 30_000, clock));
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const EXTENSION = 'urn:onlyoffice:params:scim:schemas:extension:docspace:2.0:Group';
const SYSTEM_USER_GROUP = '88f11e7c-7407-4bea-b4cb-070010cdbb6b';

/** A SCIM user (Entra's create), returning the DocSpace member id. */
async function user(n: string, extra: Record<string, unknown> = {}): Promise<string> {
  const created = await call('POST', '/Users', {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    externalId: `ext-${n}`,
    userName: `${n}@contoso.example`,
    active: true,
    emails: [{ primary: true, type: 'work', value: `${n}@contoso.example` }],
    name: { givenName: n, familyName: 'Tester' },
    ...extra,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id as string;
}
const typeOf = (id: string) => local.stack.docspace.members.get(id)?.type;
const membersOf = (groupId: string) => [...(local.stack.docspace.groups.get(groupId)?.members ?? [])].sort();
const group = (displayName: string, members: string[] = [], extra: Record<string, unknown> = {}) =>
  call('POST', '/Groups', { schemas: [GROUP], displayName, members: members.map((value) => ({ value })), ...extra });
/** A sample of events/scim with its MEMBER_ID and GROUP_ID placeholders filled, as `npm run send` does. */
const sample = (name: string, member = '', groupId = '') =>
  JSON.parse(readFileSync(`events/scim/${name}`, 'utf8').replaceAll('MEMBER_ID', member).replaceAll('GROUP_ID', groupId)) as Record<
    string,
    unknown
  >;
const patch = (id: string, Operations: unknown[]) => call('PATCH', `/Groups/${id}`, { schemas: [PATCH_OP], Operations });

beforeEach(() => freshScimState(local.stack));

describe('SCIM /Groups: Microsoft Entra ID', () => {
  it('creates a group with its members (201, Location, id = DocSpace group id), externalId and meta from the store', async () => {
    const ann = await user('ann');
    const bob = await user('bob');
    const created = await group('Legal', [ann, bob], { externalId: 'entra-legal' });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(local.stack.docspace.groups.get(id)).toMatchObject({ name: 'Legal' });
    expect(membersOf(id)).toEqual([ann, bob].sort());
    expect(created.headers.location).toBe(`http://localhost:3000/scim/v2/Groups/${id}`);
    expect(created.body).toMatchObject({
      schemas: [GROUP],
      displayName: 'Legal',
      externalId: 'entra-legal',
      meta: { resourceType: 'Group', location: created.headers.location },
    });
    const read = await call('GET', `/Groups/${id}`);
    expect(read.status).toBe(200);
    expect((read.body.members as { value: string }[]).map((m) => m.value).sort()).toEqual([ann, bob].sort());
    expect((await call('GET', `/Groups/${id}?excludedAttributes=members`)).body).not.toHaveProperty('members');
  });

  it('applies PATCH with capitalised ops and value arrays (Add, Remove with a value array, Replace displayName) as one PUT group/{id}; answers 204', async () => {
    const [ann, bob, cid] = [await user('ann'), await user('bob'), await user('cid')];
    const id = (await group('Sales', [ann])).body.id as string;
    local.stack.docspace.requests.length = 0;
    const added = await patch(id, [{ op: 'Add', path: 'members', value: [{ value: bob }, { value: cid }] }]);
    expect(added.status).toBe(204);
    expect(added.body).toBeUndefined();
    expect(membersOf(id)).toEqual([ann, bob, cid].sort());
    const removed = await patch(id, [
      { op: 'Remove', path: 'members', value: [{ value: ann }, { value: cid }] },
      { op: 'Replace', path: 'displayName', value: 'Sales EMEA' },
    ]);
    expect(removed.status).toBe(204);
    expect(membersOf(id)).toEqual([bob]);
    expect(local.stack.docspace.groups.get(id)?.name).toBe('Sales EMEA');
    const writes = local.stack.docspace.calls({ writes: true });
    expect(writes.map((w) => `${w.method} ${w.path}`)).toEqual([`PUT /api/2.0/group/${id}`, `PUT /api/2.0/group/${id}`]);
    expect(writes[1]?.body).toEqual({ groupName: 'Sales EMEA', membersToRemove: [ann, cid] });
  });

  it('replaces a group with PUT: the difference as membersToAdd/membersToRemove, never the replace route', async () => {
    const [ann, bob, cid] = [await user('ann'), await user('bob'), await user('cid')];
    const id = (await group('Ops', [ann, bob])).body.id as string;
    const put = await call('PUT', `/Groups/${id}`, {
      schemas: [GROUP],
      id,
      displayName: 'Operations',
      members: [{ value: bob }, { value: cid }],
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ id, displayName: 'Operations' });
    expect(membersOf(id)).toEqual([bob, cid].sort());
    const last = local.stack.docspace.calls({ writes: true }).at(-1);
    expect(last).toMatchObject({
      method: 'PUT',
      path: `/api/2.0/group/${id}`,
      body: { groupName: 'Operations', membersToAdd: [cid], membersToRemove: [ann] },
    });
    expect(local.stack.docspace.calls().some((r) => r.path.endsWith('/members'))).toBe(false);
  });
});

describe('SCIM /Groups: Okta Group Push', () => {
  it('creates, adds with `members`, removes with members[value eq "…"], renames with a path-less replace', async () => {
    const [ann, bob] = [await user('ann'), await user('bob')];
    const id = (await group('Engineering')).body.id as string;
    expect(membersOf(id)).toEqual([]);
    expect(
      (
        await patch(id, [
          {
            op: 'add',
            path: 'members',
            value: [
              { value: ann, display: 'ann' },
              { value: bob, display: 'bob' },
            ],
          },
        ])
      ).status,
    ).toBe(204);
    expect(membersOf(id)).toEqual([ann, bob].sort());
    expect((await patch(id, [{ op: 'remove', path: `members[value eq "${ann}"]` }])).status).toBe(204);
    expect(membersOf(id)).toEqual([bob]);
    expect((await patch(id, [{ op: 'replace', value: { id, displayName: 'Engineering (all)' } }])).status).toBe(204);
    expect(local.stack.docspace.groups.get(id)?.name).toBe('Engineering (all)');
    const read = await call('GET', `/Groups/${id}`);
    expect(read.body.members).toEqual([{ value: bob, display: 'bob', type: 'User', $ref: `http://localhost:3000/scim/v2/Users/${bob}` }]);
  });
});

describe('SCIM /Groups: the samples of events/scim, with SCIM_GROUP_TYPES', () => {
  it("Entra's create, member add ($ref null) and remove: the member becomes a DocSpaceAdmin in the group, and a User again", async () => {
    const ann = await user('ann');
    const created = await call('POST', '/Groups', sample('entra-create-group.json'));
    expect(created).toMatchObject({
      status: 201,
      body: { displayName: 'DocSpace Admins', externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159' },
    });
    const id = created.body.id as string;
    expect((await call('GET', `/Groups?filter=${encodeURIComponent('displayName eq "DocSpace Admins"')}`)).body).toMatchObject({
      totalResults: 1,
      Resources: [{ id }],
    });
    expect((await call('PATCH', `/Groups/${id}`, sample('entra-patch-group-add-member.json', ann))).status).toBe(204);
    expect(membersOf(id)).toEqual([ann]);
    expect(typeOf(ann)).toBe(3);
    expect((await call('PATCH', `/Groups/${id}`, sample('entra-patch-group-remove-member.json', ann))).status).toBe(204);
    local.stack.docspace.finishTypeTasks();
    expect(membersOf(id)).toEqual([]);
    expect(typeOf(ann)).toBe(4);
  });

  it("Okta's Group Push: create, add, rename, remove: the member becomes a RoomAdmin, and a User again", async () => {
    const bob = await user('bob');
    const created = await call('POST', '/Groups', sample('okta-create-group.json'));
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await call('PATCH', `/Groups/${id}`, sample('okta-patch-group-members.json', bob))).status).toBe(204);
    expect(membersOf(id)).toEqual([bob]);
    expect(typeOf(bob)).toBe(1);
    expect((await call('PATCH', `/Groups/${id}`, sample('okta-patch-group-rename.json', '', id))).status).toBe(204);
    expect(local.stack.docspace.groups.get(id)?.name).toBe('Room Admins (EMEA)');
    local.stack.docspace.finishTypeTasks();
    expect(typeOf(bob)).toBe(4);
    expect((await call('PATCH', `/Groups/${id}`, sample('okta-patch-group-remove-member.json', bob))).status).toBe(204);
    expect(membersOf(id)).toEqual([]);
  });
});

describe('SCIM /Groups: DocSpace rules', () => {
  it('needs a DocSpace key that may read groups: one with scopes but without accounts:read is refused by DocSpace (403), and the answer says so', async () => {
    const id = (await group('Scoped')).body.id as string;
    local.stack.docspace.addApiKey(LOCAL.apiKey, OWNER_ID, ['accounts:write']);
    const read = await call('GET', `/Groups/${id}`);
    expect(read.status).toBe(502);
    expect(read.body.detail).toMatch(/403/);
    local.stack.docspace.addApiKey(LOCAL.apiKey, OWNER_ID, ['accounts:read', 'accounts:write']);
    expect((await call('GET', `/Groups/${id}`)).status).toBe(200);
  });

  it('filters displayName eq exactly and without regard to case (DocSpace searches a substring), and pages', async () => {
    for (const name of ['Legal', 'Legal Ops', 'Paralegal']) expect((await group(name)).status).toBe(201);
    const found = await call('GET', `/Groups?filter=${encodeURIComponent('displayName eq "LEGAL"')}`);
    expect(found.body).toMatchObject({ totalResults: 1, Resources: [{ displayName: 'Legal' }] });
    expect((await call('GET', `/Groups?filter=${encodeURIComponent('displayName eq "Leg"')}`)).body.totalResults).toBe(0);
    const page = await call('GET', '/Groups?startIndex=2&count=1');
    expect(page.body).toMatchObject({ totalResults: 3, itemsPerPage: 1, startIndex: 2 });
    expect((await call('GET', `/Groups?filter=${encodeURIComponent('members[value eq "x"]')}`)).status).toBe(400);
  });

  it('matches a DocSpace group made by hand on displayName eq (exactly one of that name): managed by SCIM from then on, its members assigned', async () => {
    const ann = await user('ann');
    const bob = await user('bob');
    const made = local.stack.docspace.addGroup('Finance', [ann]);
    local.stack.docspace.addGroup('Finance Ops');
    const found = await call('GET', `/Groups?filter=${encodeURIComponent('displayName eq "finance"')}`);
    expect(found.body).toMatchObject({ totalResults: 1, Resources: [{ id: made.id, displayName: 'Finance', members: [{ value: ann }] }] });
    expect((await patch(made.id, [{ op: 'add', path: 'members', value: [{ value: bob }] }])).status).toBe(204);
    expect(membersOf(made.id)).toEqual([ann, bob].sort());
    // Two DocSpace groups of one name: neither is matched, and a create of that name is a 409.
    local.stack.docspace.addGroup('Board');
    local.stack.docspace.addGroup('board');
    expect((await call('GET', `/Groups?filter=${encodeURIComponent('displayName eq "Board"')}`)).body.totalResults).toBe(0);
    expect((await group('Board')).status).toBe(409);
  });

  it('frees the name of a group deleted in DocSpace by hand: its GET is 404, and a create of that name makes a new group', async () => {
    const first = (await group('Temp')).body.id as string;
    local.stack.docspace.groups.delete(first);
    expect((await call('GET', `/Groups/${first}`)).status).toBe(404);
    expect((await call('GET', '/Groups')).body.totalResults).toBe(0);
    const again = await group('Temp');
    expect(again.status).toBe(201);
    expect(again.body.id).not.toBe(first);
  });

  it("answers 409 for a duplicate displayName (this door's group in any case, or a DocSpace group of that name); DocSpace itself would allow it", async () => {
    expect((await group('Finance')).status).toBe(201);
    expect(await group('FINANCE')).toMatchObject({ status: 409, body: { scimType: 'uniqueness' } });
    local.stack.docspace.addGroup('Board');
    expect((await group('board')).status).toBe(409);
    const other = (await group('Audit')).body.id as string;
    expect((await patch(other, [{ op: 'replace', path: 'displayName', value: 'finance' }])).status).toBe(409);
    expect(local.stack.docspace.groups.size).toBe(3);
  });

  it('keeps Guests and disabled members assigned but out of the DocSpace group, reports them (answer and log), and adds them once eligible', async () => {
    const ann = await user('ann');
    const guest = await user('gus', { roles: [{ value: 'Visitor' }] });
    const off = await user('off', { active: false });
    expect(typeOf(guest)).toBe(2);
    const created = await group('Project', [ann, guest, off]);
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(membersOf(id)).toEqual([ann]);
    expect(created.body.schemas).toContain(EXTENSION);
    expect((created.body[EXTENSION] as { pendingMembers: unknown[] }).pendingMembers).toEqual(
      expect.arrayContaining([
        { value: guest, reason: 'guest' },
        { value: off, reason: 'disabled' },
      ]),
    );
    expect(capturedLogLines().some((l) => l.includes('did not let join') && l.includes(off))).toBe(true);
    // The member's next change through /Users adds them.
    expect(
      (await call('PATCH', `/Users/${off}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: true } }] })).status,
    ).toBe(200);
    expect(membersOf(id)).toEqual([ann, off].sort());
    expect(
      (
        await call('PATCH', `/Users/${guest}`, {
          schemas: [PATCH_OP],
          Operations: [{ op: 'replace', path: 'roles', value: [{ value: 'User' }] }],
        })
      ).status,
    ).toBe(200);
    expect(typeOf(guest)).toBe(4);
    expect(membersOf(id)).toEqual([ann, guest, off].sort());
    expect((await call('GET', `/Groups/${id}`)).body).not.toHaveProperty(EXTENSION);
  });

  it('the follow-ups offer waiting members again: one enabled or upgraded outside SCIM (in DocSpace by hand) joins within a run', async () => {
    const ann = await user('ann');
    const off = await user('off', { active: false });
    const guest = local.stack.docspace.addMember({ email: 'outside.guest@example.com', type: 2 });
    const id = (await group('Waiting room', [ann, off, guest.id])).body.id as string;
    expect(membersOf(id)).toEqual([ann]);
    const followUp = functions.followUp();
    expect(await followUp(undefined, realContext('followUp', 60_000, clock))).toMatchObject({
      groupMembersJoined: 0,
      groupMembersWaiting: 2,
    });
    const offMember = local.stack.docspace.members.get(off);
    if (offMember) offMember.status = 1;
    guest.type = 4;
    expect(await followUp(undefined, realContext('followUp', 60_000, clock))).toMatchObject({
      groupMembersJoined: 2,
      groupMembersWaiting: 0,
    });
    expect(membersOf(id)).toEqual([ann, off, guest.id].sort());
    // Nothing waits any more: the next run reads no group.
    local.stack.docspace.requests.length = 0;
    expect(await followUp(undefined, realContext('followUp', 60_000, clock))).toEqual({ done: 0, remaining: 0, waiting: 0 });
    expect(local.stack.docspace.calls().filter((r) => r.path.startsWith('/api/2.0/group'))).toEqual([]);
  });

  it('a member downgraded to Guest leaves every DocSpace group; the SCIM group keeps them as pending', async () => {
    const ann = await user('ann');
    const id = (await group('Crew', [ann])).body.id as string;
    expect(
      (
        await call('PATCH', `/Users/${ann}`, {
          schemas: [PATCH_OP],
          Operations: [{ op: 'replace', path: 'roles', value: [{ value: 'Visitor' }] }],
        })
      ).status,
    ).toBe(200);
    local.stack.docspace.finishTypeTasks();
    expect(typeOf(ann)).toBe(2);
    expect(membersOf(id)).toEqual([]);
    const read = await call('GET', `/Groups/${id}`);
    expect(read.body[EXTENSION]).toEqual({ pendingMembers: [{ value: ann, reason: 'guest' }] });
  });

  it('refuses a member id that is no DocSpace member (400) before writing, and never serves or writes system groups (404)', async () => {
    const id = (await group('Team')).body.id as string;
    expect(await patch(id, [{ op: 'add', path: 'members', value: [{ value: '0e0e0e0e-0000-4000-8000-000000000000' }] }])).toMatchObject({
      status: 400,
      body: { scimType: 'invalidValue' },
    });
    expect((await patch(id, [{ op: 'add', path: 'members', value: 'string id 1' }])).status).toBe(400);
    local.stack.docspace.requests.length = 0;
    for (const [method, body] of [
      ['GET'],
      ['PUT', { displayName: 'x' }],
      ['PATCH', { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'x' }] }],
      ['DELETE'],
    ] as const) {
      expect((await call(method, `/Groups/${SYSTEM_USER_GROUP}`, body)).status).toBe(404);
    }
    expect(local.stack.docspace.calls({ writes: true })).toEqual([]);
    expect((await call('GET', '/Groups')).body.totalResults).toBe(1);
  });

  it('deletes with 204: the DocSpace group is gone, its members stay; then 404', async () => {
    const ann = await user('ann');
    const id = (await group('Temp', [ann])).body.id as string;
    expect((await call('DELETE', `/Groups/${id}`)).status).toBe(204);
    expect(local.stack.docspace.groups.has(id)).toBe(false);
    expect(local.stack.docspace.members.has(ann)).toBe(true);
    expect((await call('GET', `/Groups/${id}`)).status).toBe(404);
    expect((await call('DELETE', `/Groups/${id}`)).status).toBe(404);
    expect((await call('GET', '/Groups')).body.totalResults).toBe(0);
  });
});

describe('SCIM_GROUP_TYPES: user types from group membership', () => {
  it('joining a mapped group upgrades the member; leaving the last one returns them to what their roles give', async () => {
    const ann = await user('ann', { roles: [{ value: 'Room Admin' }] });
    const bob = await user('bob');
    expect([typeOf(ann), typeOf(bob)]).toEqual([1, 4]);
    const admins = (await group('DocSpace Admins', [ann])).body.id as string;
    expect(typeOf(ann)).toBe(3);
    expect(membersOf(admins)).toEqual([ann]);
    const rooms = (await group('Room Admins')).body.id as string;
    await patch(rooms, [{ op: 'add', path: 'members', value: [{ value: bob }, { value: ann }] }]);
    expect([typeOf(ann), typeOf(bob)]).toEqual([3, 1]);
    // ann leaves the admins: Room Admins (and her role) give RoomAdmin, the synchronous route.
    await patch(admins, [{ op: 'remove', path: `members[value eq "${ann}"]` }]);
    expect(typeOf(ann)).toBe(1);
    // bob leaves his last mapped group: no role, so the default (User), an asynchronous downgrade.
    await patch(rooms, [{ op: 'remove', path: 'members', value: [{ value: bob }] }]);
    local.stack.docspace.finishTypeTasks();
    expect(typeOf(bob)).toBe(4);
    const events = capturedLogLines().filter((l) => l.includes('user.role_changed'));
    expect(events.length).toBeGreaterThan(0);
  });

  it('a role update keeps the type the groups give (the highest wins); a renamed or deleted mapped group retypes its members', async () => {
    const ann = await user('ann');
    const id = (await group('DocSpace Admins', [ann])).body.id as string;
    expect(typeOf(ann)).toBe(3);
    await call('PATCH', `/Users/${ann}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', path: 'roles', value: [{ value: 'Room Admin' }] }],
    });
    expect(typeOf(ann)).toBe(3);
    await patch(id, [{ op: 'replace', path: 'displayName', value: 'Room Admins' }]);
    expect(typeOf(ann)).toBe(1);
    await call('DELETE', `/Groups/${id}`);
    expect(typeOf(ann)).toBe(1);
    // Deleting a mapped group returns a member without roles to the default.
    const bob = await user('bob');
    const admins = (await group('DocSpace Admins', [bob])).body.id as string;
    expect(typeOf(bob)).toBe(3);
    expect((await call('DELETE', `/Groups/${admins}`)).status).toBe(204);
    local.stack.docspace.finishTypeTasks();
    expect(typeOf(bob)).toBe(4);
  });

  it("a mapped group upgrades a Guest, who can then join; a disabled member's type waits (deferred) until they are enabled", async () => {
    const gus = await user('gus', { roles: [{ value: 'Visitor' }] });
    const off = await user('off', { active: false });
    const id = (await group('Room Admins', [gus, off])).body.id as string;
    expect(typeOf(gus)).toBe(1);
    expect(membersOf(id)).toEqual([gus]);
    expect(typeOf(off)).toBe(4);
    expect(capturedLogLines().some((l) => l.includes('"deferred"'))).toBe(true);
    await call('PATCH', `/Users/${off}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: true } }] });
    await functions.followUp()({}, realContext('followUp', 60_000, clock));
    expect(typeOf(off)).toBe(1);
    expect(membersOf(id)).toEqual([gus, off].sort());
  });
});
