/**
 * Reconciliation against the emulators: the sender's roster as the vendor serves it, DocSpace paged as the server
 * pages it, the ownership records and the cursor in dynalite. Each test asserts what DocSpace received (the
 * emulator's request log) and ended with, and what the run reported.
 */
import type { Context } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ReconcileReport } from '../../lib/reconcile/run';
import type { RosterSeed } from '../../local/emulators/senderApis';
import type { CanonicalEvent } from '../../lib/events';
import { MemoryQueue } from '../../lib/queue/memory';
import { composedHandlers, lambdaContext, setEnv } from '../../local/lambda';
import { LOCAL } from '../../local/stack';
import { capturedLogLines } from '../setup/logGuard';
import { useLocalStack } from '../support/localStack';
import { receivedWrites, resolvedPlan, tableItems } from '../support/plan';
import type { ReconcileResult } from '../../lib/reconcile/door';

const local = useLocalStack({ DELIVERY_MODE: 'sync', RECONCILE_MAX_DISABLE: '25', RECONCILE_MAX_DISABLE_PERCENT: '10' });
const functions = composedHandlers({ now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) });
const reconcileFn = functions.reconcile();

const run = async (payload: unknown, context: Context = lambdaContext('reconcile', 120_000)) =>
  (await reconcileFn(payload, context)) as ReconcileReport;
const writes = () => local.stack.docspace.calls({ writes: true });
const member = (email: string) => local.stack.docspace.memberByEmail(email);
/** DocSpace takes letters only in names: 0 → "a", 27 → "bb". */
const letters = (n: number): string =>
  String(n)
    .split('')
    .map((d) => 'abcdefghij'[Number(d)])
    .join('');
const people = (n: number, prefix: string, from = 0): RosterSeed[] =>
  Array.from({ length: n }, (_, i) => ({
    id: String(1000 + from + i),
    email: `${prefix}${from + i}@example.com`,
    firstName: 'Pat',
    lastName: `Roster ${letters(from + i)}`,
    title: 'User',
    mobile: `+1 555 ${String(1000 + from + i)}`,
    active: true,
  }));

beforeEach(async () => {
  local.stack.docspace.reset({ profile: 'v3.1' });
  local.stack.senderApis.reset();
  await local.stack.dynamoDb.clearEventsTable(LOCAL.eventsTable);
});

describe('reconcile', () => {
  it('creates the BambooHR roster unknown to DocSpace, then finds no drift and writes nothing', async () => {
    const first = await run({ sender: 'bamboohr' });
    expect(first).toMatchObject({
      complete: true,
      mode: 'pipeline',
      drift: { missing: 3, type: 0, contacts: 0, deactivate: 0, reactivate: 0 },
      applied: 3,
      heldBack: 0,
    });
    // Exactly the three creates, nothing else written.
    expect(writes().map((w) => `${w.method} ${w.path} ${w.status}`)).toEqual(Array(3).fill('POST /api/2.0/people 200'));
    expect(member('maya.patel@example.com')).toMatchObject({
      firstName: 'Maya',
      lastName: 'Patel',
      type: 1,
      status: 1,
      contacts: [
        { type: 'mobphone', value: '+1 555 0177' },
        { type: 'phone', value: '+1 555 0170' },
      ],
    });
    expect(member('bryony.hale@example.com')).toMatchObject({ type: 4 }); // "Accountant" is not in ROLE_MAP: created as User
    expect(member('tefi.adams@example.com')).toMatchObject({ type: 4, contacts: [{ type: 'phone', value: '+1 555 0105' }] });
    // The roster was read as BambooHR serves one: a custom report with inactive people, in one request.
    expect(local.stack.senderApis.calls.filter((c) => c.path.endsWith('/reports/custom'))).toHaveLength(1);

    const before = writes().length;
    const second = await run({ sender: 'bamboohr' });
    expect(second).toMatchObject({
      complete: true,
      resumed: false,
      managed: 3,
      drift: { missing: 0, type: 0, contacts: 0, deactivate: 0, reactivate: 0 },
      applied: 0,
    });
    expect(second.runId).not.toBe(first.runId);
    expect(writes()).toHaveLength(before);
  });

  it('repairs type, contacts and status of its own members, matches unmanaged ones, and leaves the owner and hand-invited people alone', async () => {
    await run({ sender: 'bamboohr' });
    const { docspace } = local.stack;
    // By hand in DocSpace: Maya demoted to User, her phone removed, Tefi disabled; someone invited who is in no roster.
    Object.assign(member('maya.patel@example.com')!, { type: 4, contacts: [{ type: 'mobphone', value: '+1 555 0177' }] });
    member('tefi.adams@example.com')!.status = 2;
    docspace.addMember({ email: 'guest.by.hand@example.com', firstName: 'Hand', lastName: 'Made', type: 2 });
    // A person already in DocSpace, managed by nobody, who joins the roster (and the owner, listed by mistake).
    docspace.addMember({ email: 'existing@example.com', firstName: 'Ex', lastName: 'Isting', type: 4 });
    local.stack.senderApis.bamboohr.set('77', {
      firstName: 'Ex',
      lastName: 'Isting',
      workEmail: 'existing@example.com',
      homeEmail: '',
      mobilePhone: '',
      workPhone: '',
      homePhone: '',
      jobTitle: 'RoomAdmin',
      department: '',
      division: '',
      status: 'Active',
    });
    local.stack.senderApis.bamboohr.set('1', {
      firstName: 'Portal',
      lastName: 'Owner',
      workEmail: 'owner@docspace.local',
      homeEmail: '',
      mobilePhone: '',
      workPhone: '',
      homePhone: '',
      jobTitle: 'User',
      department: '',
      division: '',
      status: 'Active',
    });
    const before = writes().length;

    const report = await run({ sender: 'bamboohr' });
    expect(report).toMatchObject({
      complete: true,
      matched: 1,
      drift: { missing: 0, type: 2, contacts: 1, reactivate: 1, deactivate: 0 },
      skipped: { owner: 1, unmanaged: 1 },
    });
    expect(member('maya.patel@example.com')).toMatchObject({
      type: 1,
      contacts: [
        { type: 'mobphone', value: '+1 555 0177' },
        { type: 'phone', value: '+1 555 0170' },
      ],
    });
    expect(member('tefi.adams@example.com')).toMatchObject({ status: 1 });
    expect(member('existing@example.com')).toMatchObject({ type: 1 });
    expect(member('guest.by.hand@example.com')).toMatchObject({ type: 2, status: 1 });
    const made = writes()
      .slice(before)
      .map((w) => `${w.method} ${w.path}`);
    expect(made.sort()).toEqual(
      [
        'PUT /api/2.0/people/status/1',
        'PUT /api/2.0/people/type/1',
        'PUT /api/2.0/people/type/1',
        `PUT /api/2.0/people/${member('maya.patel@example.com')!.id}/contacts`,
      ].sort(),
    );
    expect(made.some((w) => w.includes(docspace.memberByEmail('owner@docspace.local')!.id))).toBe(false);
  });

  it('an Okta run leaves the BambooHR-managed members alone', async () => {
    await run({ sender: 'bamboohr' });
    // Okta lists Maya with another title, and nobody else: her type stays, the others are not Okta's to disable.
    local.stack.senderApis.seedRoster('okta', [
      { id: '00u1', email: 'maya.patel@example.com', firstName: 'Maya', lastName: 'Patel', title: 'Admin', active: true },
    ]);
    const before = writes().length;
    const report = await run({ sender: 'okta' });
    expect(report).toMatchObject({
      complete: true,
      managed: 0,
      matched: 0,
      drift: { missing: 0, type: 0, contacts: 0, deactivate: 0, reactivate: 0 },
    });
    expect(report.skipped.otherManager).toBe(3);
    expect(writes()).toHaveLength(before);
    expect(member('maya.patel@example.com')).toMatchObject({ type: 1, status: 1 });
  });

  it('reads Okta with Link paging, waiting out its rate limit, and HiBob in one search with the inactive', async () => {
    local.stack.senderApis.seedRoster('okta', people(205, 'okta'));
    local.stack.senderApis.rateLimit.okta = { limit: 1, windowMs: 1_000 };
    const okta = await run({ sender: 'okta' });
    expect(okta).toMatchObject({
      complete: true,
      roster: { people: 205, active: 205 },
      drift: { missing: 205 },
      applied: 205,
      calls: { roster: 3 },
    });
    const lists = local.stack.senderApis.calls.filter((c) => c.path === '/api/v1/users');
    expect(lists.filter((c) => c.status === 200)).toHaveLength(2); // 200 + 5, the second from the first's Link
    expect(lists.filter((c) => c.status === 429)).toHaveLength(1);

    // Again: no drift; DocSpace read in pages of 100 (206 members with the owner).
    const readsBefore = local.stack.docspace.calls().length;
    const again = await run({ sender: 'okta' });
    expect(again).toMatchObject({
      complete: true,
      managed: 205,
      docspace: { members: 206, pages: 3 },
      drift: { missing: 0, type: 0, contacts: 0 },
    });
    expect(
      local.stack.docspace
        .calls()
        .slice(readsBefore)
        .map((c) => `${c.method} ${c.path} ${c.query.startIndex ?? ''} ${c.query.employeeStatus ?? ''}`),
    ).toEqual(['0', '100', '200'].map((i) => `GET /api/2.0/people/filter ${i} 7`));

    local.stack.senderApis.seedRoster('hibob', [...people(2, 'bob'), { ...people(1, 'bob', 2)[0]!, active: false }]);
    const bob = await run({ sender: 'hibob' });
    expect(bob).toMatchObject({ roster: { people: 3, active: 2 }, drift: { missing: 2 }, applied: 2, calls: { roster: 1 } });
    expect(member('bob2@example.com')).toBeUndefined();
    // A service user without View on Internal gets no internal.status: a second, active-only search tells who is active.
    local.stack.senderApis.hibobDenied.add('internal');
    const denied = await run({ sender: 'hibob' });
    expect(denied).toMatchObject({ roster: { people: 3, active: 2 }, drift: { missing: 0, deactivate: 0 }, calls: { roster: 2 } });
  });

  it('stops at the safety threshold: a roster that would disable 30 % of the managed members disables nobody', async () => {
    local.stack.senderApis.seedRoster('bamboohr', people(10, 'staff'));
    await run({ sender: 'bamboohr' });
    const leavers = ['1000', '1001', '1002'];
    for (const id of leavers) local.stack.senderApis.bamboohr.get(id)!.status = 'Inactive';
    const before = writes().length;

    const lines = capturedLogLines().length;
    const held = await run({ sender: 'bamboohr' });
    expect(held).toMatchObject({
      complete: true,
      managed: 10,
      drift: { deactivate: 3 },
      heldBack: 3,
      applied: 0,
      threshold: { disables: 3, tripped: true },
    });
    // The EMF figure the held-back alarm watches: one run, with the service and stage dimensions only.
    const emf = capturedLogLines()
      .slice(lines)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => 'ReconcileHeldBackRuns' in l);
    expect(emf).toHaveLength(1);
    expect(emf[0]).toMatchObject({
      ReconcileHeldBackRuns: 1,
      _aws: { CloudWatchMetrics: [{ Namespace: 'DocSpaceIdpSync', Dimensions: [['service', 'stage']] }] },
    });
    // The run's totals, each with its sender.
    const totals = capturedLogLines()
      .slice(lines)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => 'ReconcileHeldBack' in l || 'ReconcileApplied' in l || 'ReconcileFailed' in l);
    expect(totals.map((l) => [Object.keys(l).find((k) => k.startsWith('Reconcile')), l.sender])).toEqual([
      ['ReconcileApplied', 'bamboohr'],
      ['ReconcileHeldBack', 'bamboohr'],
      ['ReconcileFailed', 'bamboohr'],
    ]);
    expect(totals.find((l) => 'ReconcileHeldBack' in l)).toMatchObject({ ReconcileHeldBack: 3 });
    expect(held.items.every((i) => i.status === 'held_back')).toBe(true);
    expect(writes()).toHaveLength(before);
    expect([0, 1, 2].map((i) => member(`staff${i}@example.com`)?.status)).toEqual([1, 1, 1]);

    const forced = await run({ sender: 'bamboohr', force: true });
    expect(forced).toMatchObject({ force: true, heldBack: 0, applied: 3, threshold: { tripped: true } });
    expect([0, 1, 2].map((i) => member(`staff${i}@example.com`)?.status)).toEqual([2, 2, 2]);
    expect(
      writes()
        .slice(before)
        .map((w) => `${w.method} ${w.path}`),
    ).toEqual(Array(3).fill('PUT /api/2.0/people/status/2'));
  });

  it('counts downgrades toward the threshold too: a roster that would demote 30 % of the members changes nobody', async () => {
    local.stack.senderApis.seedRoster(
      'bamboohr',
      people(10, 'lead').map((p) => ({ ...p, title: 'RoomAdmin' })),
    );
    await run({ sender: 'bamboohr' });
    for (const id of ['1000', '1001', '1002']) local.stack.senderApis.bamboohr.get(id)!.jobTitle = 'User';
    const before = writes().length;
    const held = await run({ sender: 'bamboohr' });
    expect(held).toMatchObject({
      drift: { type: 3, deactivate: 0 },
      heldBack: 3,
      applied: 0,
      threshold: { disables: 0, downgrades: 3, tripped: true },
    });
    expect(writes()).toHaveLength(before);
    expect([0, 1, 2].map((i) => member(`lead${i}@example.com`)?.type)).toEqual([1, 1, 1]);
  });

  it('never claims someone nobody manages only to disable them: an unmanaged member the roster lists as gone is left alone', async () => {
    local.stack.docspace.addMember({ email: 'contractor@example.com', firstName: 'Con', lastName: 'Tractor', type: 4 });
    local.stack.senderApis.bamboohr.set('88', {
      firstName: 'Con',
      lastName: 'Tractor',
      workEmail: 'contractor@example.com',
      homeEmail: '',
      mobilePhone: '',
      workPhone: '',
      homePhone: '',
      jobTitle: 'User',
      department: '',
      division: '',
      status: 'Inactive',
    });
    const report = await run({ sender: 'bamboohr' });
    expect(report).toMatchObject({ matched: 0, drift: { deactivate: 0 } });
    expect(report.skipped.unmanaged).toBe(1);
    expect(writes().filter((w) => w.path.startsWith('/api/2.0/people/status'))).toEqual([]);
    expect(member('contractor@example.com')).toMatchObject({ status: 1 });
    // Not claimed: an Okta run may still match them.
    local.stack.senderApis.seedRoster('okta', [
      { id: '00u9', email: 'contractor@example.com', firstName: 'Con', lastName: 'Tractor', title: 'User', active: true },
    ]);
    expect(await run({ sender: 'okta' })).toMatchObject({ matched: 1 });
  });

  it('a chunked run resumes from its cursor (the resume schedule) without creating anyone twice', async () => {
    // The resume schedule with no unfinished run reads the cursor and nothing else.
    expect(await run({ sender: 'bamboohr', resume: true })).toEqual({
      outcome: 'unchanged',
      message: 'no unfinished bamboohr run to resume',
    });
    expect(local.stack.senderApis.calls).toHaveLength(0);
    expect(local.stack.docspace.requests).toHaveLength(0);

    local.stack.senderApis.seedRoster('bamboohr', people(30, 'wave'));
    // An invocation whose time runs short after ten creates.
    const creates = () => writes().filter((w) => w.method === 'POST').length;
    const short = { ...lambdaContext('reconcile', 120_000), getRemainingTimeInMillis: () => (creates() < 10 ? 120_000 : 5_000) } as Context;
    const first = await run({ sender: 'bamboohr' }, short);
    expect(first).toMatchObject({ complete: false, drift: { missing: 30 }, applied: 10, notAttempted: 20 });

    const second = await run({ sender: 'bamboohr', resume: true });
    expect(second).toMatchObject({ complete: true, resumed: true, runId: first.runId, drift: { missing: 20 }, applied: 20 });
    const emails = writes()
      .filter((w) => w.method === 'POST')
      .map((w) => (w.body as { email: string }).email);
    expect(emails).toHaveLength(30);
    expect(new Set(emails).size).toBe(30);

    const third = await run({ sender: 'bamboohr' });
    expect(third).toMatchObject({ complete: true, resumed: false, drift: { missing: 0 } });
    expect(third.runId).not.toBe(first.runId);
  });

  it("in queue mode hands the drift to the queue, and the worker's events keep the sender as the manager", async () => {
    const restore = setEnv({ DELIVERY_MODE: 'queue' });
    try {
      const queue = new MemoryQueue();
      const queued = composedHandlers({ now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) }, queue);
      const report = (await queued.reconcile()({ sender: 'bamboohr' }, lambdaContext('reconcile', 120_000))) as ReconcileReport;
      expect(report).toMatchObject({ mode: 'queue', complete: true, drift: { missing: 3 }, queued: 3, applied: 0 });
      expect(writes()).toHaveLength(0);
      const events = queue.messages.map((m) => JSON.parse(m.body) as CanonicalEvent);
      expect(events.map((e) => [e.type, e.source])).toEqual(Array(3).fill(['user.created', 'reconcile:bamboohr']));
      // What the worker does with each message: the pipeline, as a direct invocation does.
      const created = queued.canonical('user.created');
      for (const event of events) expect(await created(event, lambdaContext())).toMatchObject({ outcome: 'created' });
    } finally {
      restore();
    }
    const again = await run({ sender: 'bamboohr' });
    expect(again).toMatchObject({ managed: 3, matched: 0, drift: { missing: 0 } });
    const okta = await run({ sender: 'okta' });
    expect(okta.skipped.otherManager).toBe(3);
  });

  it('in queue mode, on a server without the contacts routes, applies one contacts item to learn it and queues none', async () => {
    local.stack.docspace.reset({ profile: 'current' });
    await run({ sender: 'bamboohr' });
    local.stack.docspace.requests.length = 0;
    for (const email of ['maya.patel@example.com', 'tefi.adams@example.com']) member(email)!.contacts = [];
    const restore = setEnv({ DELIVERY_MODE: 'queue' });
    try {
      const queue = new MemoryQueue();
      const queued = composedHandlers({ now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) }, queue).reconcile();
      const report = (await queued({ sender: 'bamboohr' }, lambdaContext('reconcile', 120_000))) as ReconcileReport;
      expect(report).toMatchObject({ mode: 'queue', drift: { contacts: 2 }, queued: 0 });
      expect(report.items.map((i) => [i.kind, i.status])).toEqual([
        ['contacts', 'unsupported'],
        ['contacts', 'unsupported'],
      ]);
      expect(queue.messages).toHaveLength(0);
      // The server answered for the first item only (its missing route), and the next run does not compare contacts.
      expect(writes().map((w) => `${w.method} ${w.status}`)).toEqual(['PUT 404']);
      const next = (await queued({ sender: 'bamboohr' }, lambdaContext('reconcile', 120_000))) as ReconcileReport;
      expect(next).toMatchObject({ contactsCompared: false, drift: { contacts: 0 } });
      expect(queue.messages).toHaveLength(0);
    } finally {
      restore();
    }
  });

  it("gives Okta members of a mapped group the group's role, as the webhooks do, so no admin by group is downgraded", async () => {
    const restore = setEnv({
      SENDER_MAPPING: JSON.stringify({ okta: { groups: { 'DocSpace Admins': 'DocSpaceAdmin', 'DocSpace Admins Europe': 'RoomAdmin' } } }),
    });
    try {
      const withGroups = composedHandlers({ now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) }).reconcile();
      local.stack.senderApis.seedRoster('okta', people(3, 'grp'));
      local.stack.senderApis.oktaGroups.set('00g1', { name: 'DocSpace Admins', members: ['1000'] });
      local.stack.senderApis.oktaGroups.set('00g2', { name: 'DocSpace Admins Europe', members: ['1000', '1001'] });
      const report = (await withGroups({ sender: 'okta' }, lambdaContext('reconcile', 120_000))) as ReconcileReport;
      expect(report).toMatchObject({ drift: { missing: 3 }, applied: 3 });
      expect([0, 1, 2].map((i) => member(`grp${i}@example.com`)?.type)).toEqual([3, 1, 4]);
      const again = (await withGroups({ sender: 'okta' }, lambdaContext('reconcile', 120_000))) as ReconcileReport;
      expect(again).toMatchObject({ drift: { missing: 0, type: 0 } });
      // Each group found by name ("q" also finds "DocSpace Admins Europe" for "DocSpace Admins": the exact name is taken).
      expect(local.stack.senderApis.calls.filter((c) => c.path.startsWith('/api/v1/groups')).map((c) => c.path)).toEqual(
        Array(2).fill(['/api/v1/groups', '/api/v1/groups/00g1/users', '/api/v1/groups', '/api/v1/groups/00g2/users']).flat(),
      );

      // The admins' group renamed in Okta: its members would fall back to their titles (a downgrade each); the run stops.
      local.stack.senderApis.oktaGroups.set('00g1', { name: 'DocSpace Administrators', members: ['1000'] });
      const before = writes().length;
      const renamed = await withGroups({ sender: 'okta' }, lambdaContext('reconcile', 120_000));
      expect(renamed).toMatchObject({ outcome: 'misconfigured', message: expect.stringContaining('"DocSpace Admins"') });
      expect(writes()).toHaveLength(before);
      expect(member('grp0@example.com')?.type).toBe(3);
    } finally {
      restore();
    }
  });

  it('answers misconfigured for a sender whose API is not set, and leaves no run behind', async () => {
    const restore = setEnv({ OKTA_ORG_URL: '' });
    try {
      const unset = composedHandlers({ now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) }).reconcile();
      const answer = (await unset({ sender: 'okta' }, lambdaContext('reconcile'))) as { outcome: string; message: string };
      expect(answer).toMatchObject({ outcome: 'misconfigured', message: expect.stringContaining('OKTA_ORG_URL') as string });
      expect(local.stack.docspace.calls()).toHaveLength(0);
    } finally {
      restore();
    }
    // The next run is a fresh one, not a resumed one.
    expect(await run({ sender: 'okta' })).toMatchObject({ resumed: false, complete: true });
  });

  it('creates nobody twice when DocSpace drops a create it applied, or refuses one with 503', async () => {
    local.stack.docspace.faultNext(1, { kind: 'appliedThenDrop' }, { method: 'POST', path: '/api/2.0/people' });
    local.stack.docspace.faultNext(
      1,
      { kind: 'status', status: 503, headers: { 'retry-after': '0' } },
      { method: 'POST', path: '/api/2.0/people' },
    );
    const report = await run({ sender: 'bamboohr' });
    expect(report).toMatchObject({ complete: true, drift: { missing: 3 }, applied: 3, failed: 0 });
    expect(
      [...local.stack.docspace.members.values()]
        .filter((m) => !m.isOwner)
        .map((m) => m.email)
        .sort(),
    ).toEqual(['bryony.hale@example.com', 'maya.patel@example.com', 'tefi.adams@example.com']);
    expect((await run({ sender: 'bamboohr' })).drift).toMatchObject({ missing: 0, type: 0, contacts: 0 });
  });

  it('plans a run (dryRun) with no write and nothing stored, then the real run makes exactly the planned writes', async () => {
    const plan = async () =>
      (await reconcileFn({ sender: 'bamboohr', dryRun: true }, lambdaContext('reconcile', 120_000))) as ReconcileResult;
    // A first run (three people unknown to DocSpace), then drift on its members and an unmanaged person to match.
    for (const round of ['first', 'drift']) {
      if (round === 'drift') {
        Object.assign(member('maya.patel@example.com')!, { type: 4, contacts: [] });
        member('tefi.adams@example.com')!.status = 2;
        local.stack.docspace.addMember({ email: 'existing@example.com', firstName: 'Ex', lastName: 'Isting', type: 4 });
        local.stack.senderApis.bamboohr.set('77', {
          firstName: 'Ex',
          lastName: 'Isting',
          workEmail: 'existing@example.com',
          homeEmail: '',
          mobilePhone: '',
          workPhone: '',
          homePhone: '',
          jobTitle: 'RoomAdmin',
          department: '',
          division: '',
          status: 'Active',
        });
      }
      const stored = await tableItems(local.stack.dynamoDb.url);
      local.stack.docspace.requests.length = 0;
      const planned = await plan();
      expect(planned.dryRun).toBe(true);
      expect(writes()).toEqual([]);
      expect(await tableItems(local.stack.dynamoDb.url)).toEqual(stored);
      // Planned twice, the same plan: the first stored no cursor, ownership or idempotency record.
      const again = await plan();
      expect(again.plan?.plan).toEqual(planned.plan?.plan);
      expect(again.matched).toBe(planned.matched);

      const real = await run({ sender: 'bamboohr' });
      expect(real).toMatchObject({ drift: planned.drift, matched: planned.matched, applied: planned.applied });
      expect(receivedWrites(local.stack.docspace)).toEqual(resolvedPlan(planned.plan?.plan ?? [], local.stack.docspace));
      expect(planned.plan?.plan.length).toBeGreaterThan(round === 'first' ? 2 : 3);
    }
  });

  it('refuses a payload without a known sender before reading anything', async () => {
    const answer = (await reconcileFn({ sender: 'workday' }, lambdaContext('reconcile'))) as { outcome: string };
    expect(answer.outcome).toBe('invalid');
    expect(local.stack.docspace.calls()).toHaveLength(0);
    expect(local.stack.senderApis.calls).toHaveLength(0);
  });
});
