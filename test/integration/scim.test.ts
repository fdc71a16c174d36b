/**
 * The SCIM door against the emulators, with the request shapes Entra ID and Okta send (the samples in events/scim/,
 * from Microsoft's and Okta's SCIM documentation; see events/README.md): members, types and status asserted in the DocSpace emulator's state, answers in SCIM's terms.
 */
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { OWNER_ID } from '../../local/emulators/docspace';
import { composedHandlers, invokeScim, lambdaContext as realContext, scimEvent, setEnv, virtualClock } from '../../local/lambda';
import { LOCAL } from '../../local/stack';
import { capturedLogLines } from '../setup/logGuard';
import { freshScimState, useLocalStack } from '../support/localStack';

const local = useLocalStack({
  DOCSPACE_REASSIGN_USER_ID: OWNER_ID,
  ROLE_MAP: JSON.stringify({ Admin: 'DocSpaceAdmin', 'Room Admin': 'RoomAdmin', Visitor: 'Guest' }),
});
const clock = virtualClock();
const functions = composedHandlers(clock);
const scim = functions.scim();
const followUp = functions.followUp();
const call = (method: string, target: string, body?: unknown, options?: Parameters<typeof scimEvent>[3]) =>
  invokeScim(scim, scimEvent(method, target, body, options), realContext('scim', 30_000, clock));
const sample = (name: string) => JSON.parse(readFileSync(`events/scim/${name}`, 'utf8')) as Record<string, unknown>;
const member = (email: string) => local.stack.docspace.memberByEmail(email);
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

const entraUser = (n: string, extra: Record<string, unknown> = {}) => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
  externalId: `ext-${n}`,
  userName: `${n}@contoso.example`,
  active: true,
  emails: [{ primary: true, type: 'work', value: `${n}@contoso.example` }],
  meta: { resourceType: 'User' },
  name: { formatted: 'Ada Lovelace', familyName: 'Lovelace', givenName: 'Ada' },
  roles: [],
  ...extra,
});

beforeEach(() => freshScimState(local.stack));

describe('SCIM /Users: Microsoft Entra ID', () => {
  it('creates a member with POST (201, Location, id = DocSpace id) and reads it back as provisioned', async () => {
    const created = await call('POST', '/Users', sample('entra-create-user.json'));
    expect(created.status).toBe(201);
    expect(created.headers['content-type']).toMatch(/^application\/scim\+json/);
    const ada = member('ada.lovelace@contoso.example');
    expect(ada).toMatchObject({ firstName: 'Ada', lastName: 'Lovelace', type: 4, status: 1 });
    expect(created.body).toMatchObject({
      id: ada?.id,
      userName: 'ada.lovelace@contoso.example',
      externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
      active: true,
      meta: { resourceType: 'User' },
    });
    expect(created.headers.location).toBe(`http://localhost:3000/scim/v2/Users/${ada?.id}`);
    expect(created.body.meta.location).toBe(created.headers.location);

    const read = await call('GET', `/Users/${ada?.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      id: ada?.id,
      name: { givenName: 'Ada', familyName: 'Lovelace' },
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Analytical Engines' },
    });
  });

  it('finds users with Entra\'s filters: userName (any case), externalId, id, emails[type eq "work"].value, joined by and', async () => {
    const { body } = await call('POST', '/Users', entraUser('grace'));
    const id = body.id as string;
    for (const filter of [
      'userName eq "GRACE@contoso.example"',
      'externalId eq "ext-grace"',
      `id eq "${id}"`,
      'emails[type eq "work"].value eq "grace@contoso.example"',
      'userName eq "grace@contoso.example" and externalId eq "ext-grace"',
    ]) {
      const found = await call('GET', `/Users?filter=${encodeURIComponent(filter)}`);
      expect(found.status, filter).toBe(200);
      expect(found.body, filter).toMatchObject({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
        totalResults: 1,
        Resources: [{ id }],
      });
    }
    expect((await call('GET', `/Users?filter=${encodeURIComponent('externalId eq "EXT-GRACE"')}`)).body.totalResults).toBe(0);
    expect((await call('GET', `/Users?filter=${encodeURIComponent('userName eq "nobody@contoso.example"')}`)).body).toMatchObject({
      totalResults: 0,
      Resources: [],
    });
  });

  it('matches an existing DocSpace member by filter and from then on manages them; the owner is never found', async () => {
    const existing = local.stack.docspace.addMember({ email: 'linus@contoso.example', firstName: 'Linus', lastName: 'Pauling', type: 1 });
    expect((await call('GET', '/Users')).body.totalResults).toBe(0);
    const found = await call('GET', `/Users?filter=${encodeURIComponent('userName eq "linus@contoso.example"')}`);
    expect(found.body).toMatchObject({ totalResults: 1, Resources: [{ id: existing.id, name: { givenName: 'Linus' }, active: true }] });
    expect((await call('GET', '/Users')).body).toMatchObject({ totalResults: 1, Resources: [{ id: existing.id }] });
    expect((await call('GET', `/Users?filter=${encodeURIComponent('userName eq "owner@docspace.local"')}`)).body.totalResults).toBe(0);
    expect((await call('GET', `/Users/${OWNER_ID}`)).status).toBe(404);
    expect(local.stack.docspace.calls({ writes: true })).toEqual([]);
  });

  it('applies both PATCH shapes: capitalised ops with "False" (default) and the aadOptscim062020 path-less replace', async () => {
    const { body } = await call('POST', '/Users', entraUser('hedy'));
    const id = body.id as string;
    const replaced = await call('PATCH', `/Users/${id}`, sample('entra-patch-replace-default.json'));
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({
      displayName: 'Pvlo',
      externalId: 'Eqpj',
      name: { givenName: 'Gtfd', familyName: 'Pkqf' },
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { employeeNumber: 'Eqpj' },
    });
    expect(replaced.body.emails).toEqual([{ primary: true, type: 'work', value: 'TestBcwqnm@test.microsoft.com' }]);
    // DocSpace keeps its e-mail and (current servers) its names; the resource keeps the IdP's.
    expect(member('hedy@contoso.example')).toMatchObject({ firstName: 'Ada', status: 1 });

    const flagged = await call('PATCH', `/Users/${id}`, sample('entra-patch-replace-aadOptscim062020.json'));
    expect(flagged.body).toMatchObject({
      displayName: 'Bjfe',
      name: { givenName: 'Kkom', familyName: 'Unua' },
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { employeeNumber: 'Aklq' },
    });
    const manager = await call('PATCH', `/Users/${id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'Add', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager', value: 'boss-1' }],
    });
    expect(manager.body['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'].manager).toEqual({ value: 'boss-1' });

    const disabled = await call('PATCH', `/Users/${id}`, sample('entra-patch-disable.json'));
    expect(disabled.body.active).toBe(false);
    expect(member('hedy@contoso.example')?.status).toBe(2);
    expect((await call('GET', `/Users/${id}`)).body.active).toBe(false);
  });

  it('maps app roles to the highest-privilege user type, JSON-string roles included; no roles mentioned leaves the type', async () => {
    const { body } = await call(
      'POST',
      '/Users',
      entraUser('alan', { roles: [{ value: 'Room Admin', primary: false, type: 'WindowsAzureActiveDirectoryRole' }] }),
    );
    const id = body.id as string;
    expect(member('alan@contoso.example')?.type).toBe(1);
    await call('PATCH', `/Users/${id}`, sample('entra-patch-roles-add.json'));
    expect(member('alan@contoso.example')?.type).toBe(3);
    await call('PATCH', `/Users/${id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'Replace', path: 'displayName', value: 'Alan T' }],
    });
    expect(member('alan@contoso.example')?.type).toBe(3);
    await call('PATCH', `/Users/${id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'Remove', path: 'roles' }],
    });
    expect(member('alan@contoso.example')?.type).toBe(4);
  });

  it('answers a retried POST (the first answer lost) with the same user, and creates nobody twice', async () => {
    const first = await call('POST', '/Users', entraUser('tim'));
    const retry = await call('POST', '/Users', entraUser('tim'));
    expect(retry.status).toBe(201);
    expect(retry.body.id).toBe(first.body.id);
    expect(local.stack.docspace.calls({ writes: true }).filter((c) => c.method === 'POST' && c.path === '/api/2.0/people')).toHaveLength(1);
  });

  it('refuses an existing active userName or e-mail with 409 uniqueness', async () => {
    await call('POST', '/Users', entraUser('ken'));
    const sameMail = await call('POST', '/Users', entraUser('ken', { externalId: 'other', userName: 'kenny' }));
    expect(sameMail).toMatchObject({ status: 409, body: { schemas: [ERROR], status: '409', scimType: 'uniqueness' } });
    const sameName = await call('POST', '/Users', entraUser('dennis', { userName: 'KEN@contoso.example' }));
    expect(sameName.status).toBe(409);
    local.stack.docspace.addMember({ email: 'bjarne@contoso.example' });
    expect((await call('POST', '/Users', entraUser('bjarne'))).status).toBe(409);
  });

  it('DELETE disables the member (204, then 404); a POST for the same person re-enables and re-links them (201)', async () => {
    const { body } = await call('POST', '/Users', entraUser('joan', { roles: [{ value: 'Room Admin' }] }));
    const id = body.id as string;
    expect((await call('DELETE', `/Users/${id}`)).status).toBe(204);
    expect(member('joan@contoso.example')).toMatchObject({ status: 2 });
    expect((await call('GET', `/Users/${id}`)).status).toBe(404);
    expect((await call('GET', `/Users?filter=${encodeURIComponent('userName eq "joan@contoso.example"')}`)).body.totalResults).toBe(0);
    expect((await call('GET', '/Users')).body.totalResults).toBe(0);

    const again = await call('POST', '/Users', entraUser('joan', { externalId: 'ext-joan-2' }));
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ id, active: true, externalId: 'ext-joan-2' });
    expect(member('joan@contoso.example')).toMatchObject({ id, status: 1, type: 1 });
    expect(local.stack.docspace.members.size).toBe(2);
  });

  it('with SCIM_DELETE=delete, deletes the member from DocSpace after disabling them', async () => {
    const restore = setEnv({ SCIM_DELETE: 'delete' });
    try {
      const deleting = composedHandlers(clock).scim();
      const created = await invokeScim(deleting, scimEvent('POST', '/Users', entraUser('barbara')), realContext('scim', 30_000, clock));
      expect(
        (await invokeScim(deleting, scimEvent('DELETE', `/Users/${created.body.id}`), realContext('scim', 30_000, clock))).status,
      ).toBe(204);
      expect(member('barbara@contoso.example')).toBeUndefined();
      expect(
        local.stack.docspace
          .calls({ writes: true })
          .map((c) => `${c.method} ${c.path}`)
          .slice(-2),
      ).toEqual(['PUT /api/2.0/people/status/2', `DELETE /api/2.0/people/${created.body.id}`]);
    } finally {
      restore();
    }
  });
});

describe('SCIM /Users: Okta', () => {
  it('creates after a filtered GET, then updates by GET-then-PUT without roles, never downgrading an admin', async () => {
    const search = await call('GET', `/Users?filter=${encodeURIComponent('userName eq "test.user@okta.local"')}&startIndex=1&count=100`);
    expect(search.body).toMatchObject({ totalResults: 0, startIndex: 1, itemsPerPage: 0 });
    const created = await call('POST', '/Users', sample('okta-create-user.json'));
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(created.body).not.toHaveProperty('password');
    // An admin made a DocSpaceAdmin in DocSpace (or through Entra roles): Okta's PUT carries no roles.
    local.stack.docspace.members.get(id)!.type = 3;
    const current = await call('GET', `/Users/${id}`);
    const put = await call('PUT', `/Users/${id}`, { ...sample('okta-put-user.json'), id });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ id, name: { givenName: 'Another', middleName: 'Excited', familyName: 'User' }, active: true });
    expect(current.body.meta.version).not.toBe(put.body.meta.version);
    expect(member('test.user@okta.local')).toMatchObject({ type: 3, status: 1 });
    expect(local.stack.docspace.calls({ writes: true }).filter((c) => c.path.startsWith('/api/2.0/people/type'))).toEqual([]);

    const deactivated = await call('PATCH', `/Users/${id}`, sample('okta-patch-deactivate.json'));
    expect(deactivated).toMatchObject({ status: 200, body: { active: false } });
    expect(member('test.user@okta.local')).toMatchObject({ type: 3, status: 2 });
    const reactivated = await call('PATCH', `/Users/${id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', value: { active: true } }],
    });
    expect(reactivated.body.active).toBe(true);
    expect(member('test.user@okta.local')?.status).toBe(1);
  });

  it('defers a role change for a disabled user and applies it when they are enabled again (pipeline rules)', async () => {
    const { body } = await call('POST', '/Users', entraUser('mary', { active: false }));
    expect(member('mary@contoso.example')).toMatchObject({ status: 2, type: 4 });
    await call('PATCH', `/Users/${body.id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'add', path: 'roles', value: [{ value: 'Room Admin' }] }],
    });
    expect(member('mary@contoso.example')).toMatchObject({ status: 2, type: 4 });
    await call('PATCH', `/Users/${body.id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'active', value: true }],
    });
    expect(member('mary@contoso.example')).toMatchObject({ status: 1, type: 1 });
  });

  it('creates a Guest as User, then changes them to Guest', async () => {
    local.stack.docspace.downgradePolls = 1_000;
    try {
      await call('POST', '/Users', entraUser('gus', { roles: [{ value: 'Visitor' }] }));
      expect(member('gus@contoso.example')?.type).toBe(4);
      local.stack.docspace.finishTypeTasks();
      await followUp(undefined, realContext('f', 30_000, clock));
      expect(member('gus@contoso.example')?.type).toBe(2);
    } finally {
      local.stack.docspace.downgradePolls = 2;
    }
  });
});

describe('SCIM paging, discovery, auth and errors', () => {
  it('pages the managed users with startIndex and count', async () => {
    const ids: string[] = [];
    for (const n of ['u1', 'u2', 'u3', 'u4', 'u5']) ids.push((await call('POST', '/Users', entraUser(n))).body.id as string);
    const page1 = await call('GET', '/Users?startIndex=1&count=2');
    const page2 = await call('GET', '/Users?startIndex=3&count=2');
    const page3 = await call('GET', '/Users?startIndex=5&count=2');
    expect(page1.body).toMatchObject({ totalResults: 5, itemsPerPage: 2, startIndex: 1 });
    expect(page3.body).toMatchObject({ totalResults: 5, itemsPerPage: 1, startIndex: 5 });
    const seen = [...page1.body.Resources, ...page2.body.Resources, ...page3.body.Resources].map((r: { id: string }) => r.id);
    expect(seen.sort()).toEqual(ids.sort());
    expect((await call('GET', '/Users?count=0')).body).toMatchObject({ totalResults: 5, itemsPerPage: 0 });
  });

  it('evaluates other filters (co, sw, or) over the managed users; a filter that does not parse is 400 invalidFilter', async () => {
    await call('POST', '/Users', entraUser('olga', { displayName: 'Olga O' }));
    await call('POST', '/Users', entraUser('otto', { displayName: 'Otto P' }));
    expect((await call('GET', `/Users?filter=${encodeURIComponent('userName sw "O" and displayName co "P"')}`)).body.totalResults).toBe(1);
    expect(
      (await call('GET', `/Users?filter=${encodeURIComponent('displayName eq "Olga O" or displayName eq "Otto P"')}`)).body.totalResults,
    ).toBe(2);
    const before = local.stack.docspace.calls().length;
    const bad = await call('GET', `/Users?filter=${encodeURIComponent('(userName eq "x"')}`);
    expect(bad).toMatchObject({ status: 400, body: { schemas: [ERROR], scimType: 'invalidFilter' } });
    expect(local.stack.docspace.calls().length).toBe(before);
  });

  it('serves the discovery endpoints and an empty /Groups', async () => {
    expect((await call('GET', '/ServiceProviderConfig')).body).toMatchObject({
      patch: { supported: true },
      bulk: { supported: false },
      filter: { supported: true },
    });
    expect((await call('GET', '/ResourceTypes')).body.Resources[0]).toMatchObject({ endpoint: '/Users' });
    expect(JSON.stringify((await call('GET', '/Schemas')).body)).toContain('User Account');
    expect((await call('GET', '/Groups')).body).toMatchObject({ totalResults: 0, Resources: [] });
  });

  it('takes a rotated token at once, keeps the old one while it is listed, and refuses anything else with 401', async () => {
    const rotated = 'scimrotated_8f7e6d5c4b3a2918';
    expect((await call('GET', '/Users', undefined, { token: rotated })).status).toBe(401);
    local.stack.secretsManager.setSecret(
      LOCAL.webhookSecretId,
      JSON.stringify({ standardWebhooks: LOCAL.signingSecret, scim: [LOCAL.scimToken, rotated] }),
    );
    await clock.sleep(31_000);
    expect((await call('GET', '/Users', undefined, { token: rotated })).status).toBe(200);
    expect((await call('GET', '/Users')).status).toBe(200);
    for (const token of [null, '', 'wrong', `${LOCAL.scimToken}x`]) {
      const refused = await call('GET', '/Users', undefined, { token });
      expect(refused).toMatchObject({ status: 401, body: { schemas: [ERROR], status: '401' } });
    }
    expect((await call('GET', '/Users', undefined, { token: null, headers: { authorization: `Basic ${LOCAL.scimToken}` } })).status).toBe(
      401,
    );
    expect(capturedLogLines().some((l) => l.includes('scimrotated_') || l.includes(LOCAL.scimToken))).toBe(false);
  });

  it('answers bad input with a 4xx SCIM Error and no DocSpace call', async () => {
    const { body } = await call('POST', '/Users', entraUser('eve'));
    const before = local.stack.docspace.calls().length;
    const cases: [string, string, unknown, number, string?][] = [
      ['POST', '/Users', { active: true, emails: [{ value: 'x@contoso.example' }] }, 400, 'invalidValue'],
      ['POST', '/Users', { userName: 'NoMail', emails: [{ value: 'emailName357', primary: true }] }, 400, 'invalidValue'],
      ['POST', '/Users', { userName: 'a@b.example', active: 'maybe' }, 400, 'invalidValue'],
      ['POST', '/Users', [], 400, 'invalidSyntax'],
      ['POST', '/Users', 'not json', 400, 'invalidSyntax'],
      ['PATCH', `/Users/${body.id}`, { Operations: [] }, 400, 'invalidSyntax'],
      ['PATCH', `/Users/${body.id}`, { Operations: [{ op: 'move', path: 'x' }] }, 400, 'invalidSyntax'],
      ['PATCH', `/Users/${body.id}`, { Operations: [{ op: 'remove' }] }, 400, 'noTarget'],
      ['GET', '/Users?filter=userName%20eq', undefined, 400, 'invalidFilter'],
      ['GET', '/Users?startIndex=abc', undefined, 400, 'invalidValue'],
      ['GET', '/Users/not-a-guid', undefined, 404],
      ['GET', '/Nope', undefined, 404],
      ['PUT', '/Users', {}, 405],
    ];
    for (const [method, target, payload, status, scimType] of cases) {
      const raw = payload === 'not json' ? '{"acve": tre,' : undefined;
      const answer = await call(method, target, payload === 'not json' ? undefined : payload, raw ? { raw } : {});
      expect(answer.status, `${method} ${target} ${JSON.stringify(payload)}`).toBe(status);
      expect(answer.body).toMatchObject({ schemas: [ERROR], status: String(status), ...(scimType ? { scimType } : {}) });
    }
    expect(local.stack.docspace.calls().slice(before)).toEqual([]);
  });

  it('answers DocSpace 429 with 429 and 5xx with 503, each with Retry-After', async () => {
    local.stack.docspace.failNext(20, 429, { 'retry-after': '7' });
    const limited = await invokeScim(scim, scimEvent('POST', '/Users', entraUser('rita')), realContext('scim', 3_000, clock));
    expect(limited).toMatchObject({ status: 429, headers: { 'retry-after': expect.any(String) }, body: { schemas: [ERROR] } });
    local.stack.docspace.reset({ profile: 'current' });
    local.stack.docspace.failNext(20, 502);
    const down = await invokeScim(
      scim,
      scimEvent('GET', `/Users?filter=${encodeURIComponent('userName eq "rita@contoso.example"')}`),
      realContext('scim', 3_000, clock),
    );
    expect(down).toMatchObject({ status: 503, headers: { 'retry-after': expect.any(String) } });
  });
});
