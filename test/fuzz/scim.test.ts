/**
 * Property tests on the SCIM routes: arbitrary methods, paths, queries, bodies and tokens, against the emulators with
 * one user already provisioned (so PUT, PATCH and DELETE by id meet a real user too).
 * - never a 5xx;
 * - every refusal is a SCIM Error body with the status as a string and a detail;
 * - a request without the right token is a 401 and reaches neither DocSpace nor anything else;
 * - a refused request writes nothing in DocSpace, and a refused POST does not even read.
 * The group routes get the same properties on their own run, with a known group (one known member) and a group in
 * SCIM_GROUP_TYPES, so member changes retype members through the pipeline too.
 * FUZZ_RUNS sets the cases for each run: 300 by default, for the edit loop; the long suite runs 10,000.
 */
// The functions' JSON lines are checked for secrets and personal data here too (npm test applies it to every file).
import '../setup/logGuard';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../../lib/http/rawBody';
import { composedHandlers, invokeScim, scimEvent, setEnv, virtualClock, type LambdaHandler } from '../../local/lambda';
import { LOCAL, startLocalStack, type LocalStack } from '../../local/stack';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
let stack: LocalStack;
let restoreEnv: () => void;
let scim: LambdaHandler;
let knownId = '';
const knownUser = { userName: 'fuzz.known@example.com', name: { givenName: 'Fuzz', familyName: 'Known' } };

beforeAll(async () => {
  stack = await startLocalStack();
  restoreEnv = setEnv({
    ...stack.env,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    SCIM_GROUP_TYPES: JSON.stringify({ Admins: 'DocSpaceAdmin', Fuzz: 'RoomAdmin' }),
  });
  scim = composedHandlers(virtualClock()).scim();
  const created = await invokeScim(scim, scimEvent('POST', '/Users', knownUser));
  knownId = created.body.id as string;
});

afterAll(async () => {
  restoreEnv?.();
  await stack?.stop();
});

const text = fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('True', 'False', 'true', '', 'ada@example.com', 'Ada', 'emailName357'));
const userLike = fc.record(
  {
    schemas: fc.oneof(fc.constant(['urn:ietf:params:scim:schemas:core:2.0:User']), fc.jsonValue()),
    userName: fc.oneof(fc.emailAddress(), text, fc.integer(), fc.constant(null)),
    UserName: text,
    externalId: fc.oneof(text, fc.integer()),
    active: fc.oneof(fc.boolean(), text, fc.integer()),
    displayName: text,
    name: fc.oneof(
      fc.record({ givenName: text, familyName: fc.oneof(text, fc.constant(null)), formatted: text }, { requiredKeys: [] }),
      text,
    ),
    emails: fc.oneof(
      fc.array(
        fc.record(
          {
            value: fc.oneof(fc.emailAddress(), text),
            type: fc.constantFrom('work', 'home', 'WORK'),
            primary: fc.oneof(fc.boolean(), text),
            Primary: fc.boolean(),
          },
          { requiredKeys: [] },
        ),
        { maxLength: 3 },
      ),
      fc.jsonValue(),
    ),
    roles: fc.oneof(
      fc.array(
        fc.record(
          { value: fc.oneof(fc.constantFrom('Admin', 'User', 'Guest', 'RoomAdmin', '{"value":"Admin"}', '{bad'), text), display: text },
          { requiredKeys: [] },
        ),
        { maxLength: 3 },
      ),
      fc.jsonValue(),
    ),
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': fc.oneof(
      fc.record({ department: text, manager: fc.oneof(text, fc.record({ value: text })) }, { requiredKeys: [] }),
      fc.jsonValue(),
    ),
    password: text,
  },
  { requiredKeys: [] },
);
const path = fc.constantFrom(
  'active',
  'Active',
  'userName',
  'displayName',
  'name.givenName',
  'emails[type eq "work"].value',
  'emails[type eq',
  'roles',
  'roles[value eq "Admin"]',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber',
  'phoneNumbers[type eq "mobile"].value',
  'meta',
  'id',
  '',
  'x.y.z',
);
const patchLike = fc.record(
  {
    schemas: fc.constant(['urn:ietf:params:scim:api:messages:2.0:PatchOp']),
    Operations: fc.oneof(
      fc.array(
        fc.record(
          {
            op: fc.oneof(fc.constantFrom('add', 'Add', 'replace', 'Replace', 'remove', 'Remove', 'move'), text),
            path,
            value: fc.oneof(text, fc.boolean(), fc.jsonValue(), userLike),
          },
          { requiredKeys: ['op'] },
        ),
        { maxLength: 4 },
      ),
      fc.jsonValue(),
    ),
  },
  { requiredKeys: [] },
);
/** A user DocSpace can take, with optional extras from userLike: the creates and updates that succeed. */
const plainName = fc.constantFrom('Ada', 'Grace', "O'Brien", 'Jean-Luc', 'Zoë', 'Li');
const validUser = fc
  .record(
    {
      local: fc.stringMatching(/^[a-z][a-z0-9.]{0,12}$/),
      givenName: plainName,
      familyName: plainName,
      active: fc.oneof(fc.boolean(), fc.constantFrom('True', 'False')),
      roles: fc.array(fc.record({ value: fc.constantFrom('Admin', 'User', 'RoomAdmin', 'Guest', 'Nobody', '{"value":"RoomAdmin"}') }), {
        maxLength: 2,
      }),
      externalId: fc.uuid(),
    },
    { requiredKeys: ['local', 'givenName', 'familyName'] },
  )
  .map(({ local, givenName, familyName, ...rest }) => ({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName: `${local}@fuzz.example`,
    name: { givenName, familyName },
    ...rest,
  }));
const body = fc.oneof(
  { weight: 4, arbitrary: validUser.map((u) => JSON.stringify(u)) },
  { weight: 4, arbitrary: userLike.map((u) => JSON.stringify(u)) },
  { weight: 4, arbitrary: patchLike.map((p) => JSON.stringify(p)) },
  { weight: 1, arbitrary: fc.json() },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  { weight: 1, arbitrary: fc.constantFrom('', '{', 'null', '[]', '{"acve": tre,') },
  {
    weight: 1,
    arbitrary: fc.integer({ min: MAX_BODY_BYTES - 10, max: MAX_BODY_BYTES + 100 }).map((n) => `{"userName":"${'a'.repeat(n)}"}`),
  },
);
const filter = fc.oneof(
  fc.constantFrom(
    'userName eq "fuzz.known@example.com"',
    'userName eq "X"',
    'externalId eq "x"',
    'emails[type eq "work"].value eq "a@b.example"',
    'userName sw O',
    'meta.created gt 2015-10-10',
    'id eq "not-a-guid"',
    '(',
    'userName eq',
    'displayName co "a" or not (active eq true)',
  ),
  fc.string({ maxLength: 40 }),
);
const target = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('/Users', '/Users/', '/users'),
      fc.option(filter),
      fc.option(fc.oneof(fc.integer({ min: -5, max: 200 }).map(String), fc.string({ maxLength: 5 }))),
      fc.option(fc.constantFrom('userName,emails', 'emails[type eq "work"]', '')),
    )
    .map(
      ([p, f, n, a]) =>
        `${p}?${new URLSearchParams({ ...(f !== null ? { filter: f } : {}), ...(n !== null ? { count: n, startIndex: n } : {}), ...(a !== null ? { attributes: a } : {}) }).toString()}`,
    ),
  fc
    .oneof(fc.constant('known'), fc.uuid(), fc.string({ maxLength: 20 }), fc.constantFrom('%E0%A4%A', '..', 'undefined'))
    .map((id) => `/Users/${id}`),
  fc.constantFrom(
    '/Groups',
    '/Groups/1',
    '/ServiceProviderConfig',
    '/serviceConfiguration',
    '/ResourceTypes',
    '/ResourceTypes/User',
    '/Schemas',
    '/Schemas/urn:x',
    '',
    '/Bulk',
    '/Me',
  ),
);
type Token = 'valid' | 'none' | 'wrong' | 'basic';
const token = fc.oneof({ weight: 9, arbitrary: fc.constant<Token>('valid') }, fc.constantFrom<Token>('none', 'wrong', 'basic'));

describe('the SCIM routes under fuzzing', () => {
  it(`hold their properties for ${RUNS} arbitrary requests`, { timeout: 900_000 }, async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'),
        target,
        body,
        token,
        fc.constantFrom('application/scim+json', 'application/json', 'text/plain', 'application/json; charset=latin1'),
        async (method, rawTarget, raw, auth, type) => {
          const targetPath = rawTarget.replace('/Users/known', `/Users/${knownId}`);
          const withBody = method === 'POST' || method === 'PUT' || method === 'PATCH';
          const event = scimEvent(method, targetPath, undefined, {
            token: auth === 'valid' ? LOCAL.scimToken : auth === 'wrong' ? 'scimlocal_wrong' : null,
            headers: {
              ...(auth === 'basic' ? { authorization: 'Basic dXNlcjpwYXNz' } : {}),
              ...(withBody ? { 'content-type': type } : {}),
            },
            ...(withBody ? { raw } : {}),
          });
          const before = { all: stack.docspace.requests.length, writes: stack.docspace.calls({ writes: true }).length };
          const answer = await invokeScim(scim, event);
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
          if (answer.status === 204 && targetPath.includes(knownId)) {
            // The known user was deleted: provision them again (a re-hire, same id), so later cases meet them too.
            const again = await invokeScim(scim, scimEvent('POST', '/Users', knownUser));
            expect(again).toMatchObject({ status: 201, body: { id: knownId } });
          }
          const calls = stack.docspace.requests.length - before.all;
          const writes = stack.docspace.calls({ writes: true }).length - before.writes;

          expect(answer.status < 500, `${method} ${targetPath} → ${answer.status} ${JSON.stringify(answer.body)}`).toBe(true);
          if (answer.status >= 400) {
            expect(answer.body).toMatchObject({ schemas: [ERROR], status: String(answer.status) });
            expect(answer.body.detail).toMatch(/\S/);
            expect(writes).toBe(0);
          }
          const tooLarge = withBody && Buffer.byteLength(raw) > MAX_BODY_BYTES;
          if (auth !== 'valid') {
            // A body over the limit is refused unread (413) before anything else, as on every door.
            expect(answer.status).toBe(tooLarge ? 413 : 401);
            expect(calls).toBe(0);
          }
          if (tooLarge) expect(answer.status).toBe(413);
          if (method === 'POST' && answer.status === 400 && /^\/Users\/?(\?|$)/i.test(targetPath)) expect(calls).toBe(0);
        },
      ),
      { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? 20261126) },
    );
    // The cases reach the whole door, not only its refusals: reads, creates and updates succeed too.
    console.log(`SCIM fuzz statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`);
    if (RUNS >= 300)
      for (const status of [200, 201, 400, 401, 404]) expect(statuses.get(status) ?? 0, `status ${status}`).toBeGreaterThan(0);
  });
});

const SYSTEM_GROUP = '88f11e7c-7407-4bea-b4cb-070010cdbb6b';
const memberValue = fc.oneof(fc.constantFrom('known', 'guest', SYSTEM_GROUP), fc.uuid(), text, fc.integer());
const members = fc.oneof(
  fc.array(
    fc.oneof(
      fc.record({ value: memberValue, display: text, displayName: text, type: fc.constantFrom('User', 'Group') }, { requiredKeys: [] }),
      memberValue,
    ),
    { maxLength: 4 },
  ),
  fc.jsonValue(),
);
const groupLike = fc.record(
  {
    schemas: fc.oneof(fc.constant(['urn:ietf:params:scim:schemas:core:2.0:Group']), fc.jsonValue()),
    displayName: fc.oneof(fc.constantFrom('Fuzz', 'fuzz', 'Admins', 'Other', ' ', 'x'.repeat(129)), text, fc.integer(), fc.constant(null)),
    externalId: fc.oneof(text, fc.integer()),
    members,
    id: fc.oneof(fc.uuid(), text),
  },
  { requiredKeys: [] },
);
const groupPath = fc.constantFrom(
  'members',
  'Members',
  'members[value eq "known"]',
  'members[value eq "x"]',
  'members[value eq',
  'displayName',
  'externalId',
  'id',
  'meta',
  'roles',
  '',
);
const groupPatch = fc.record(
  {
    schemas: fc.constant(['urn:ietf:params:scim:api:messages:2.0:PatchOp']),
    Operations: fc.oneof(
      fc.array(
        fc.record(
          {
            op: fc.oneof(fc.constantFrom('add', 'Add', 'replace', 'Replace', 'remove', 'Remove'), text),
            path: groupPath,
            value: fc.oneof(members, text, groupLike, fc.jsonValue()),
          },
          { requiredKeys: ['op'] },
        ),
        { maxLength: 4 },
      ),
      fc.jsonValue(),
    ),
  },
  { requiredKeys: [] },
);
/** Groups and PATCHes DocSpace can take: the creates, renames and member changes that succeed (or meet 409). */
const validMembers = fc.subarray(['known', 'guest']).map((ids) => ids.map((value) => ({ value })));
const validGroup = fc.record(
  {
    displayName: fc.oneof(
      fc.constantFrom('Fuzz', 'Admins', 'Other', 'Team A', 'team a'),
      fc.stringMatching(/^[A-Z][a-z]{2,8}( [A-Z][a-z]{1,5})?$/),
    ),
    externalId: fc.uuid(),
    members: validMembers,
  },
  { requiredKeys: ['displayName'] },
);
const validPatch = fc
  .array(
    fc.oneof(
      fc.record({ op: fc.constantFrom('add', 'Add', 'replace', 'Remove', 'remove'), path: fc.constant('members'), value: validMembers }),
      fc.record({ op: fc.constantFrom('remove'), path: fc.constantFrom('members[value eq "known"]', 'members[value eq "guest"]') }),
      fc.record({
        op: fc.constantFrom('replace', 'Replace'),
        value: fc.record({ displayName: fc.constantFrom('Fuzz', 'Admins', 'Other', 'Renamed') }),
      }),
    ),
    { minLength: 1, maxLength: 3 },
  )
  .map((Operations) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations }));
const groupBody = fc.oneof(
  { weight: 4, arbitrary: validGroup.map((g) => JSON.stringify(g)) },
  { weight: 4, arbitrary: validPatch.map((p) => JSON.stringify(p)) },
  { weight: 4, arbitrary: groupLike.map((g) => JSON.stringify(g)) },
  { weight: 4, arbitrary: groupPatch.map((p) => JSON.stringify(p)) },
  { weight: 1, arbitrary: fc.json() },
  { weight: 1, arbitrary: fc.constantFrom('', '{', 'null', '[]') },
);
const groupTarget = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('/Groups', '/groups'),
      fc.option(
        fc.oneof(
          fc.constantFrom(
            'displayName eq "Fuzz"',
            'displayName eq "fuzz"',
            'externalId eq "x"',
            'id eq "x"',
            'members[value eq "x"]',
            'displayName co "F"',
            '(',
          ),
          fc.string({ maxLength: 30 }),
        ),
      ),
      fc.option(fc.integer({ min: -5, max: 200 }).map(String)),
      fc.option(fc.constantFrom('members', 'displayName')),
    )
    .map(
      ([p, f, n, x]) =>
        `${p}?${new URLSearchParams({ ...(f !== null ? { filter: f } : {}), ...(n !== null ? { count: n, startIndex: n } : {}), ...(x !== null ? { excludedAttributes: x } : {}) }).toString()}`,
    ),
  fc
    .oneof(fc.constant('known'), fc.constant(SYSTEM_GROUP), fc.uuid(), fc.string({ maxLength: 20 }), fc.constantFrom('..', 'undefined'))
    .map((id) => `/Groups/${id}`),
);

describe('the SCIM group routes under fuzzing', () => {
  it(`hold their properties for ${RUNS} arbitrary requests`, { timeout: 900_000 }, async () => {
    const guest = stack.docspace.addMember({ email: 'fuzz.guest@example.com', type: 2 });
    const makeGroup = async () => {
      let created = await invokeScim(
        scim,
        scimEvent('POST', '/Groups', { displayName: `Known ${Math.random()}`, members: [{ value: knownId }] }),
      );
      if (created.status === 404) created = await invokeScim(scim, scimEvent('POST', '/Groups', { displayName: `Known ${Math.random()}` }));
      expect(created.status).toBe(201);
      return created.body.id as string;
    };
    let knownGroup = await makeGroup();
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'),
        groupTarget,
        groupBody,
        token,
        async (method, rawTarget, raw, auth) => {
          const targetPath = rawTarget.replace('/Groups/known', `/Groups/${knownGroup}`);
          const withBody = method === 'POST' || method === 'PUT' || method === 'PATCH';
          const body = raw
            .replaceAll('"known"', JSON.stringify(knownId))
            .replaceAll('"guest"', JSON.stringify(guest.id))
            .replaceAll('eq \\"known\\"', `eq \\"${knownId}\\"`)
            .replaceAll('eq \\"guest\\"', `eq \\"${guest.id}\\"`);
          const event = scimEvent(method, targetPath, undefined, {
            token: auth === 'valid' ? LOCAL.scimToken : auth === 'wrong' ? 'scimlocal_wrong' : null,
            headers: auth === 'basic' ? { authorization: 'Basic dXNlcjpwYXNz' } : {},
            ...(withBody ? { raw: body } : {}),
          });
          const before = { all: stack.docspace.requests.length, writes: stack.docspace.calls({ writes: true }).length };
          const answer = await invokeScim(scim, event);
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
          const calls = stack.docspace.requests.length - before.all;
          const writes = stack.docspace.calls({ writes: true }).length - before.writes;
          expect(
            answer.status < 500,
            `${method} ${targetPath} ${body.slice(0, 200)} → ${answer.status} ${JSON.stringify(answer.body)}`,
          ).toBe(true);
          if (answer.status >= 400) {
            expect(answer.body).toMatchObject({ schemas: [ERROR], status: String(answer.status) });
            expect(answer.body.detail).toMatch(/\S/);
            expect(writes, `${method} ${targetPath} ${body.slice(0, 200)} → ${answer.status}`).toBe(0);
          }
          if (auth !== 'valid') {
            expect(answer.status).toBe(401);
            expect(calls).toBe(0);
          }
          if (targetPath.includes(SYSTEM_GROUP) && auth === 'valid' && answer.status !== 413)
            expect([400, 404, 405], `${method} ${targetPath} → ${answer.status}`).toContain(answer.status);
          if (answer.status === 204 && method === 'DELETE' && targetPath.includes(knownGroup)) knownGroup = await makeGroup();
          if (!(await invokeScim(scim, scimEvent('GET', `/Users/${knownId}`))).status.toString().startsWith('2')) {
            const again = await invokeScim(scim, scimEvent('POST', '/Users', knownUser));
            expect(again.status).toBe(201);
          }
        },
      ),
      { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? 20261126) },
    );
    console.log(`SCIM group fuzz statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`);
    if (RUNS >= 300)
      for (const status of [200, 201, 204, 400, 401, 404, 409]) expect(statuses.get(status) ?? 0, `status ${status}`).toBeGreaterThan(0);
  });
});
