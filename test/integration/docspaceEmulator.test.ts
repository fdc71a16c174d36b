/**
 * The DocSpace emulator keeps the server's rules (docs/docspace-caveats.md, with the server source of each), over HTTP
 * as the client meets them: if the emulator were easier than the server, the handler tests and the chaos run would
 * prove less than they claim.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DocSpaceEmulator, OWNER_ID, type Member } from '../../local/emulators/docspace';

const OWNER_KEY = `sk-${'a'.repeat(64)}`;
/** The key of a DocSpaceAdmin who is not the owner. */
const ADMIN_KEY = `sk-${'b'.repeat(64)}`;
const GUEST_KEY = `sk-${'c'.repeat(64)}`;

const docspace = new DocSpaceEmulator({ apiKeys: [OWNER_KEY] });

interface Answer {
  status: number;
  text: string;
  json: { response?: Record<string, unknown>; error?: { message: string }; statusCode?: number };
}

async function api(method: string, path: string, body?: unknown, key = OWNER_KEY): Promise<Answer> {
  const res = await fetch(`${docspace.url}/api/2.0/${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, text, json: text ? (JSON.parse(text) as Answer['json']) : {} };
}

const denied = { status: 403, json: { error: { message: 'Access denied' }, statusCode: 403 } };
const NAMES: Record<number, string> = { 1: 'RoomAdmin', 2: 'Guest', 3: 'DocSpaceAdmin', 4: 'User' };
let admin: Member;

beforeAll(async () => {
  await docspace.start(0);
});
afterAll(() => docspace.stop());
beforeEach(() => {
  docspace.reset({ profile: 'v3.1' });
  docspace.setApiKeys([OWNER_KEY]);
  admin = docspace.addMember({ email: 'admin@example.com', type: 3 });
  docspace.addApiKey(ADMIN_KEY, admin.id);
});

describe('POST people: who may create which type', () => {
  const hire = (email: string, extra: Record<string, unknown> = {}) => ({ email, firstName: 'Sam', lastName: 'Lee', ...extra });

  it('never creates a Guest (403), even for the owner', async () => {
    expect(await api('POST', 'people', hire('guest@example.com', { type: 2 }))).toMatchObject(denied);
    expect(await api('POST', 'people', hire('guest@example.com', { type: 'Guest' }))).toMatchObject(denied);
    expect(docspace.memberByEmail('guest@example.com')).toBeUndefined();
  });

  it('creates a DocSpaceAdmin for the owner only; a DocSpaceAdmin may create a RoomAdmin', async () => {
    expect(await api('POST', 'people', hire('boss@example.com', { type: 3 }))).toMatchObject({
      status: 200,
      json: { response: { isAdmin: true, isOwner: false } },
    });
    expect(await api('POST', 'people', hire('boss2@example.com', { type: 3 }), ADMIN_KEY)).toMatchObject(denied);
    expect(await api('POST', 'people', hire('ra@example.com', { type: 1 }), ADMIN_KEY)).toMatchObject({
      status: 200,
      json: { response: { isRoomAdmin: true } },
    });
    expect(docspace.memberByEmail('boss2@example.com')).toBeUndefined();
  });

  it('reads an omitted type back as RoomAdmin', async () => {
    const created = await api('POST', 'people', hire('plain@example.com'));
    expect(created).toMatchObject({
      status: 200,
      json: { response: { isRoomAdmin: true, isCollaborator: false, isVisitor: false, isAdmin: false } },
    });
    expect(docspace.memberByEmail('plain@example.com')?.type).toBe(1);
  });

  it('lets no User or Guest create anybody', async () => {
    const guest = docspace.addMember({ email: 'g@example.com', type: 2 });
    docspace.addApiKey(GUEST_KEY, guest.id);
    expect(await api('POST', 'people', hire('x@example.com', { type: 4 }), GUEST_KEY)).toMatchObject(denied);
  });
});

describe('the unique e-mail check races as on the server (check, then save)', () => {
  it('lets two concurrent creates of one new address both succeed, leaving two members; GET people/email answers the first', async () => {
    // Both requests reach the server before either is processed, as two containers' creates can.
    const gates = [0, 1].map(() => docspace.holdNext({ method: 'POST', path: '/api/2.0/people' }));
    const both = Promise.all(
      [0, 1].map((i) => api('POST', 'people', { email: 'Twin@example.com', firstName: 'Twin', lastName: i ? 'Two' : 'One', type: 4 })),
    );
    await Promise.all(gates.map((g) => g.reached));
    for (const g of gates) g.open();
    const answers = await both;
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    const twins = [...docspace.members.values()].filter((m) => m.email.toLowerCase() === 'twin@example.com');
    expect(twins).toHaveLength(2);
    const first = twins[0] as Member;
    expect(await api('GET', 'people/email?email=twin@example.com')).toMatchObject({ status: 200, json: { response: { id: first.id } } });
    // Once saved, the address is taken: a later create is refused with the server's message.
    expect(await api('POST', 'people', { email: 'twin@example.com', firstName: 'Twin', lastName: 'Three', type: 4 })).toMatchObject({
      status: 400,
      json: { error: { message: 'User with this email is already registered' } },
    });
  });

  it('can duplicate even without help: two creates fired together', async () => {
    let duplicated = 0;
    for (let i = 0; i < 20 && duplicated === 0; i += 1) {
      const email = `pair${i}@example.com`;
      await Promise.all([0, 1].map(() => api('POST', 'people', { email, firstName: 'Pair', lastName: 'Member', type: 4 })));
      if ([...docspace.members.values()].filter((m) => m.email === email).length === 2) duplicated += 1;
    }
    expect(duplicated).toBe(1);
  });
});

describe('user type routes', () => {
  /** → DocSpaceAdmin from RoomAdmin/User/Guest; → RoomAdmin from User/Guest/DocSpaceAdmin; → User only from Guest. */
  const allowed: Record<number, number[]> = { 3: [1, 4, 2], 1: [4, 2, 3], 4: [2], 2: [] };

  for (const to of [1, 2, 3, 4]) {
    for (const from of [1, 2, 3, 4]) {
      const ok = allowed[to]?.includes(from) ?? false;
      it(`PUT people/type/${to}: ${NAMES[from]} → ${NAMES[to]} ${ok ? 'is done' : 'is a 403'} for the owner`, async () => {
        const m = docspace.addMember({ email: `m${from}${to}@example.com`, type: from as Member['type'] });
        const answer = await api('PUT', `people/type/${to}`, { userIds: [m.id] });
        if (ok) expect(answer).toMatchObject({ status: 200, json: { response: [{ id: m.id }] } });
        else expect(answer).toMatchObject(denied);
        expect(m.type).toBe(ok ? to : from);
      });
    }
  }

  it('refuses the owner and the caller themself (403)', async () => {
    expect(await api('PUT', 'people/type/1', { userIds: [OWNER_ID] }, ADMIN_KEY)).toMatchObject(denied);
    expect(await api('PUT', 'people/type/1', { userIds: [admin.id] }, ADMIN_KEY)).toMatchObject(denied);
    expect(await api('POST', 'people/type', { type: 4, userId: OWNER_ID }, ADMIN_KEY)).toMatchObject(denied);
    expect(await api('POST', 'people/type', { type: 4, userId: admin.id }, ADMIN_KEY)).toMatchObject(denied);
    expect(docspace.members.get(OWNER_ID)?.type).toBe(3);
    expect(admin.type).toBe(3);
  });

  it('leaves → DocSpaceAdmin and DocSpaceAdmin → RoomAdmin to the owner; a Guest caller may retype nobody', async () => {
    const user = docspace.addMember({ email: 'u@example.com', type: 4 });
    const other = docspace.addMember({ email: 'o@example.com', type: 3 });
    expect(await api('PUT', 'people/type/3', { userIds: [user.id] }, ADMIN_KEY)).toMatchObject(denied);
    expect(await api('PUT', 'people/type/1', { userIds: [other.id] }, ADMIN_KEY)).toMatchObject(denied);
    expect(await api('PUT', 'people/type/1', { userIds: [user.id] }, ADMIN_KEY)).toMatchObject({ status: 200 });
    const guest = docspace.addMember({ email: 'g@example.com', type: 2 });
    const guest2 = docspace.addMember({ email: 'g2@example.com', type: 2 });
    docspace.addApiKey(GUEST_KEY, guest.id);
    expect(await api('PUT', 'people/type/4', { userIds: [guest2.id] }, GUEST_KEY)).toMatchObject(denied);
    expect([user.type, other.type, guest2.type]).toEqual([1, 3, 2]);
  });

  it('retypes no disabled member: 403 on PUT people/type/{type} and on the asynchronous POST people/type', async () => {
    const off = docspace.addMember({ email: 'off@example.com', type: 1, status: 2 });
    expect(await api('PUT', 'people/type/3', { userIds: [off.id] })).toMatchObject(denied);
    expect(await api('POST', 'people/type', { type: 4, userId: off.id })).toMatchObject(denied);
    expect(await api('POST', 'people/type', { type: 2, userId: off.id })).toMatchObject(denied);
    expect(await api('GET', `people/type/progress/${off.id}`)).toMatchObject({ status: 404 });
    expect(off.type).toBe(1);
    // Enabled again, the same calls go through.
    expect(await api('PUT', 'people/status/1', { userIds: [off.id] })).toMatchObject({ status: 200 });
    expect(await api('PUT', 'people/type/3', { userIds: [off.id] })).toMatchObject({ status: 200 });
    expect(off.type).toBe(3);
  });

  it('POST people/type goes only to User or Guest (else 400 "Can not update to …") and completes as a task', async () => {
    const m = docspace.addMember({ email: 'down@example.com', type: 3 });
    expect(await api('POST', 'people/type', { type: 1, userId: m.id })).toMatchObject({
      status: 400,
      json: { error: { message: 'Can not update to RoomAdmin' } },
    });
    expect(await api('POST', 'people/type', { type: 3, userId: m.id })).toMatchObject({
      status: 400,
      json: { error: { message: 'Can not update to DocSpaceAdmin' } },
    });
    expect(await api('POST', 'people/type', { type: 2, userId: m.id })).toMatchObject({
      status: 200,
      json: { response: { isCompleted: false } },
    });
    expect(m.type).toBe(3); // a background task: the type changes when it completes
    docspace.finishTypeTasks();
    expect(m.type).toBe(2);
    expect(await api('GET', `people/type/progress/${m.id}`)).toMatchObject({
      status: 200,
      json: { response: { isCompleted: true, percentage: 100 } },
    });
  });
});

describe('status and the owner', () => {
  it('leaves the owner untouchable: status, type and update are 403, and nothing changes', async () => {
    expect(await api('PUT', 'people/status/2', { userIds: [OWNER_ID] })).toMatchObject(denied);
    expect(await api('PUT', 'people/status/2', { userIds: [OWNER_ID] }, ADMIN_KEY)).toMatchObject(denied);
    expect(await api('PUT', 'people/type/1', { userIds: [OWNER_ID] })).toMatchObject(denied);
    expect(await api('PUT', `people/${OWNER_ID}`, { disable: true }, ADMIN_KEY)).toMatchObject(denied);
    expect(
      await api('PUT', `people/${OWNER_ID}/contacts`, { contacts: [{ type: 'mail', value: 'x@example.com' }] }, ADMIN_KEY),
    ).toMatchObject(denied);
    expect(docspace.members.get(OWNER_ID)).toMatchObject({ status: 1, type: 3, isOwner: true, contacts: [] });
  });

  it("disables and enables with 2 and 1 only; a DocSpaceAdmin is the owner's to disable", async () => {
    const m = docspace.addMember({ email: 'm@example.com', type: 4 });
    const other = docspace.addMember({ email: 'o@example.com', type: 3 });
    expect(await api('PUT', 'people/status/3', { userIds: [m.id] })).toMatchObject({
      status: 400,
      json: { error: { message: 'Incorrect status' } },
    });
    expect(await api('PUT', 'people/status/2', { userIds: [other.id] }, ADMIN_KEY)).toMatchObject(denied);
    expect(await api('PUT', 'people/status/2', { userIds: [m.id] }, ADMIN_KEY)).toMatchObject({
      status: 200,
      json: { response: [{ status: 2 }] },
    });
    expect(await api('PUT', 'people/status/2', { userIds: [other.id] })).toMatchObject({ status: 200 });
    expect([m.status, other.status]).toEqual([2, 2]);
  });
});

describe('contacts and profiles', () => {
  it('replaces the whole list on PUT people/{id}/contacts (v3.1), dropping empty values', async () => {
    const m = docspace.addMember({
      email: 'c@example.com',
      contacts: [
        { type: 'mail', value: 'a@example.org' },
        { type: 'phone', value: '+1 555 0100' },
      ],
    });
    const answer = await api('PUT', `people/${m.id}/contacts`, {
      contacts: [
        { type: 'mobphone', value: '+1 555 0199' },
        { type: 'skype', value: '' },
      ],
    });
    expect(answer).toMatchObject({ status: 200, json: { response: { contacts: [{ type: 'mobphone', value: '+1 555 0199' }] } } });
    expect(m.contacts).toEqual([{ type: 'mobphone', value: '+1 555 0199' }]);
  });

  it("has no contacts routes on the current profile (404 without envelope), and PUT people/{id} ignores another member's contacts", async () => {
    docspace.reset({ profile: 'current' });
    docspace.setApiKeys([OWNER_KEY]);
    const m = docspace.addMember({ email: 'c@example.com', contacts: [{ type: 'mail', value: 'a@example.org' }] });
    for (const method of ['PUT', 'POST']) {
      expect(await api(method, `people/${m.id}/contacts`, { contacts: [{ type: 'mobphone', value: '+1 555 0199' }] })).toMatchObject({
        status: 404,
        text: '',
      });
    }
    expect(await api('PUT', `people/${m.id}`, { firstName: 'New', contacts: [{ type: 'mobphone', value: '+1 555 0199' }] })).toMatchObject({
      status: 200,
    });
    expect(m).toMatchObject({ firstName: 'Test', contacts: [{ type: 'mail', value: 'a@example.org' }] });
  });
});

describe('Groups API', () => {
  const SYSTEM_USER_GROUP = '88f11e7c-7407-4bea-b4cb-070010cdbb6b';
  const idsOf = (answer: Answer) => ((answer.json.response?.members ?? []) as { id: string }[]).map((m) => m.id);
  let ann: Member;
  let bob: Member;

  beforeEach(() => {
    ann = docspace.addMember({ email: 'ann@example.com', type: 4 });
    bob = docspace.addMember({ email: 'bob@example.com', type: 1 });
  });

  it('creates groups with POST group; names are not unique (a second group, 200); the answer holds the members', async () => {
    const first = await api('POST', 'group', { groupName: 'Sales', members: [ann.id, bob.id] });
    const second = await api('POST', 'group', { groupName: 'Sales' });
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(first.json.response).toMatchObject({ name: 'Sales', membersCount: 2, isLDAP: false });
    expect(idsOf(first)).toEqual([ann.id, bob.id]);
    expect(second.json.response?.id).not.toBe(first.json.response?.id);
    expect(docspace.groups.size).toBe(2);
  });

  it('refuses a create with a Guest or a disabled member (400 "The user could not be found"), creating nothing; and a name missing, empty, blank or over 128', async () => {
    const guest = docspace.addMember({ email: 'guest@example.com', type: 2 });
    const disabled = docspace.addMember({ email: 'off@example.com', status: 2 });
    for (const id of [guest.id, disabled.id, '0e0e0e0e-0000-4000-8000-000000000000']) {
      const refused = await api('POST', 'group', { groupName: 'Team', members: [ann.id, id] });
      expect(refused).toMatchObject({ status: 400, json: { error: { message: 'The user could not be found' } } });
    }
    for (const body of [{}, { groupName: '' }, { groupName: '   ' }, { groupName: 'x'.repeat(129) }])
      expect((await api('POST', 'group', body)).status).toBe(400);
    expect(docspace.groups.size).toBe(0);
  });

  it('skips a Guest or a disabled member silently on PUT group/{id} (200), renames (even to ""), adds then removes', async () => {
    const guest = docspace.addMember({ email: 'guest@example.com', type: 2 });
    const disabled = docspace.addMember({ email: 'off@example.com', status: 2 });
    const group = docspace.addGroup('Team', [ann.id]);
    const added = await api('PUT', `group/${group.id}`, { groupName: 'Team 2', membersToAdd: [bob.id, guest.id, disabled.id] });
    expect(added.status).toBe(200);
    expect(idsOf(added)).toEqual([ann.id, bob.id]);
    expect(added.json.response?.name).toBe('Team 2');
    const removed = await api('PUT', `group/${group.id}`, { groupName: '', membersToRemove: [ann.id] });
    expect(idsOf(removed)).toEqual([bob.id]);
    expect(removed.json.response?.name).toBe('');
  });

  it('keeps a disabled member in the group but hides them from members and membersCount; they reappear when enabled', async () => {
    const group = docspace.addGroup('Team', [ann.id, bob.id]);
    await api('PUT', 'people/status/2', { userIds: [ann.id] });
    const hidden = await api('GET', `group/${group.id}`);
    expect(idsOf(hidden)).toEqual([bob.id]);
    expect(hidden.json.response?.membersCount).toBe(1);
    expect(docspace.groupsOf(ann.id)).toHaveLength(1);
    await api('PUT', 'people/status/1', { userIds: [ann.id] });
    expect(idsOf(await api('GET', `group/${group.id}`))).toEqual([ann.id, bob.id]);
  });

  it('drops every membership when a member is downgraded to Guest (POST people/type), not on the legacy isUser route', async () => {
    const a = docspace.addGroup('A', [ann.id, bob.id]);
    docspace.addGroup('B', [ann.id]);
    await api('POST', 'people/type', { type: 2, userId: ann.id });
    docspace.finishTypeTasks();
    expect(docspace.groupsOf(ann.id)).toEqual([]);
    expect(idsOf(await api('GET', `group/${a.id}`))).toEqual([bob.id]);
    await api('PUT', `people/${bob.id}`, { isUser: true });
    expect(docspace.groupsOf(bob.id)).toHaveLength(1);
  });

  it('searches names as a lower-cased substring, pages with total, never lists system groups, items without members', async () => {
    for (const name of ['Legal', 'legal ops', 'Paralegal', 'Sales']) docspace.addGroup(name, [ann.id]);
    const found = await fetch(`${docspace.url}/api/2.0/group?filterValue=%20LEGAL%20&startIndex=1&count=1`, {
      headers: { authorization: `Bearer ${OWNER_KEY}` },
    });
    const page = (await found.json()) as { response: Record<string, unknown>[]; total: number; count: number };
    expect(page.total).toBe(3);
    expect(page.count).toBe(1);
    expect(page.response[0]).not.toHaveProperty('members');
    expect(page.response[0]).toMatchObject({ membersCount: 1 });
    const all = await fetch(`${docspace.url}/api/2.0/group`, { headers: { authorization: `Bearer ${OWNER_KEY}` } });
    expect(((await all.json()) as { total: number }).total).toBe(4);
  });

  it('resolves a system-group id on GET (isSystem) and answers 404 for an unknown group; deletes with 204 and no body, then 404', async () => {
    expect((await api('GET', `group/${SYSTEM_USER_GROUP}`)).json.response).toMatchObject({
      id: SYSTEM_USER_GROUP,
      name: 'User',
      isSystem: true,
      category: '7717039d-fbe9-45ad-81c1-68a1aa10ce1f',
    });
    expect(await api('GET', 'group/0e0e0e0e-0000-4000-8000-000000000000')).toMatchObject({
      status: 404,
      json: { error: { message: 'The group could not be found' } },
    });
    const group = docspace.addGroup('Gone', [ann.id]);
    expect(await api('DELETE', `group/${group.id}`)).toMatchObject({ status: 204, text: '' });
    expect((await api('DELETE', `group/${group.id}`)).status).toBe(404);
    expect(docspace.members.has(ann.id)).toBe(true);
  });

  it('lets a RoomAdmin read and only admins write (403); a key with scopes needs accounts:read to read (403 without a body)', async () => {
    const ROOM_ADMIN_KEY = `sk-${'d'.repeat(64)}`;
    const SCOPED_KEY = `sk-${'e'.repeat(64)}`;
    const READ_KEY = `sk-${'f'.repeat(64)}`;
    docspace.addApiKey(ROOM_ADMIN_KEY, bob.id);
    docspace.addApiKey(GUEST_KEY, ann.id);
    docspace.addApiKey(SCOPED_KEY, admin.id, ['accounts:write']);
    docspace.addApiKey(READ_KEY, admin.id, ['accounts:read', 'accounts:write']);
    expect((await api('GET', 'group', undefined, ROOM_ADMIN_KEY)).status).toBe(200);
    expect(await api('POST', 'group', { groupName: 'X' }, ROOM_ADMIN_KEY)).toMatchObject(denied);
    expect(await api('GET', 'group', undefined, GUEST_KEY)).toMatchObject(denied);
    expect(await api('GET', 'group', undefined, SCOPED_KEY)).toMatchObject({ status: 403, text: '' });
    expect((await api('POST', 'group', { groupName: 'X' }, SCOPED_KEY)).status).toBe(200);
    expect((await api('GET', 'group', undefined, READ_KEY)).status).toBe(200);
  });

  it('never changes a system group: DELETE answers 204 and does nothing (UserManager.DeleteGroupAsync); a PUT, whose effect the source does not settle, fails loudly (500)', async () => {
    expect(await api('DELETE', `group/${SYSTEM_USER_GROUP}`)).toMatchObject({ status: 204, text: '' });
    expect((await api('PUT', `group/${SYSTEM_USER_GROUP}`, { membersToAdd: [ann.id] })).status).toBe(500);
    expect((await api('GET', `group/${SYSTEM_USER_GROUP}`)).json.response).toMatchObject({ name: 'User', membersCount: 0 });
    expect(((await api('GET', 'group')).json as { total?: number }).total).toBe(0);
  });

  it('has no replace or member routes here (404): the project adds and removes with PUT group/{id}', async () => {
    const group = docspace.addGroup('Team', [ann.id]);
    expect((await api('POST', `group/${group.id}/members`, { members: [bob.id] })).status).toBe(404);
    expect(docspace.groups.get(group.id)?.members).toEqual([ann.id]);
  });
});

describe('GET people/filter pages as the server does', () => {
  it('answers count and total in the envelope, at most 100 a page, by first name, with the disabled for an admin', async () => {
    for (let i = 0; i < 150; i += 1)
      docspace.addMember({
        email: `p${i}@example.com`,
        firstName: `N${String(i).padStart(3, '0')}`.replace(/\d/g, (d) => 'abcdefghij'[Number(d)] ?? ''),
        lastName: 'Page',
        status: i === 7 ? 2 : 1,
      });
    const page = async (query: string, key = OWNER_KEY) => {
      const res = await fetch(`${docspace.url}/api/2.0/people/filter?${query}`, { headers: { authorization: `Bearer ${key}` } });
      return {
        status: res.status,
        json: (await res.json()) as { response: { email: string; firstName: string; status: number }[]; count: number; total: number },
      };
    };
    const first = await page('startIndex=0&count=500&employeeStatus=7');
    expect(first.status).toBe(200);
    expect(first.json.count).toBe(100);
    expect(first.json.total).toBe(152); // the owner, the admin and 150
    const names = first.json.response.map((m) => m.firstName);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
    const second = await page('startIndex=100&count=100&employeeStatus=7');
    expect(second.json.response).toHaveLength(52);
    expect([...first.json.response, ...second.json.response].find((m) => m.email === 'p7@example.com')?.status).toBe(2);
    expect((await page('startIndex=0&count=100&employeeStatus=1')).json.total).toBe(151);
    // A User may not list people.
    const user = docspace.addMember({ email: 'user@example.com', type: 4 });
    docspace.addApiKey(GUEST_KEY, user.id);
    expect((await page('startIndex=0', GUEST_KEY)).status).toBe(403);
  });
});
