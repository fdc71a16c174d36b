/** The drift rules on plain values: who is left alone, what each difference becomes, and the event ids of a run. */
import { describe, expect, it } from 'vitest';
import type { Profile } from '../../lib/docspace/types';
import { managerOf, type Ownership } from '../../lib/pipeline/member';
import { driftOf, type DriftInput } from '../../lib/reconcile/drift';
import { nextLink } from '../../lib/senders/kit/api';
import { SENDERS } from '../../lib/senders/registry';
import type { RosterPerson } from '../../lib/senders/kit/adapter';
import { senderContext } from '../support/doubles';

const context = senderContext({ sender: 'bamboohr', mapping: structuredClone(SENDERS.bamboohr.mapping) });
const person = (email: string, fields: Record<string, string> = {}, active = true): RosterPerson => ({
  senderId: email,
  email,
  firstName: 'Ann',
  lastName: 'Lee',
  fields: { jobTitle: 'User', mobilePhone: '+1 555 0100', ...fields },
  active,
});
const profile = (email: string, extra: Partial<Profile> = {}): Profile => ({
  id: `id-${email}`,
  email,
  status: 1,
  isCollaborator: true,
  contacts: [{ type: 'mobphone', value: '+1 555 0100' }],
  ...extra,
});
const owned = (managedBy: string): Ownership => ({ userId: 'x', managedBy, via: 'created', sinceMs: 0 });
const input = (over: Partial<DriftInput>): DriftInput => ({
  sender: 'bamboohr',
  context,
  roster: [],
  members: [],
  owners: new Map(),
  runId: 'run1',
  occurredAt: '2026-11-26T03:15:00.000Z',
  contacts: true,
  ...over,
});

describe('reconcile drift', () => {
  it('turns each difference of its own members into the event the webhooks would send', () => {
    const drift = driftOf(
      input({
        roster: [
          person('new@x.io'),
          person('promoted@x.io', { jobTitle: 'Manager' }),
          person('phone@x.io', { mobilePhone: '+1 555 0199' }),
          person('left@x.io', {}, false),
          person('back@x.io'),
        ],
        members: [
          profile('promoted@x.io'),
          profile('phone@x.io'),
          profile('left@x.io'),
          profile('back@x.io', { status: 2 }),
          profile('gone@x.io'),
        ],
        owners: new Map(['promoted@x.io', 'phone@x.io', 'left@x.io', 'back@x.io', 'gone@x.io'].map((e) => [e, owned('bamboohr')])),
      }),
    );
    expect(drift.items.map((i) => [i.kind, i.email, i.event.type, i.destructive])).toEqual([
      ['reactivate', 'back@x.io', 'user.reactivated', false],
      ['deactivate', 'gone@x.io', 'user.deactivated', true],
      ['deactivate', 'left@x.io', 'user.deactivated', true],
      ['missing', 'new@x.io', 'user.created', false],
      ['contacts', 'phone@x.io', 'user.contact_updated', false],
      ['type', 'promoted@x.io', 'user.role_changed', false],
    ]);
    expect(drift.items.every((i) => i.event.source === 'reconcile:bamboohr')).toBe(true);
    expect(drift.items.find((i) => i.kind === 'missing')?.event.data).toEqual({
      email: 'new@x.io',
      firstName: 'Ann',
      lastName: 'Lee',
      role: 'User',
      contacts: [{ type: 'mobphone', value: '+1 555 0100' }],
    });
    expect(drift.managed).toBe(5);
  });

  it("leaves the owner, other senders' and SCIM members, and unmanaged people outside the roster alone; matches the rest", () => {
    const drift = driftOf(
      input({
        roster: [
          person('owner@x.io', { jobTitle: 'Guest' }),
          person('okta@x.io', { jobTitle: 'Admin' }),
          person('scim@x.io', {}, false),
          person('unmanaged@x.io', { jobTitle: 'RoomAdmin' }),
        ],
        members: [
          profile('owner@x.io', { isOwner: true }),
          profile('okta@x.io'),
          profile('scim@x.io'),
          profile('unmanaged@x.io'),
          profile('invited@x.io'),
          profile('oktagone@x.io'),
        ],
        owners: new Map([
          ['okta@x.io', owned('okta')],
          ['scim@x.io', owned('scim')],
          ['oktagone@x.io', owned('okta')],
        ]),
      }),
    );
    expect(drift.items.map((i) => `${i.kind} ${i.email}`)).toEqual(['type unmanaged@x.io']);
    expect(drift.matched).toEqual([{ email: 'unmanaged@x.io', userId: 'id-unmanaged@x.io' }]);
    expect(drift.skipped).toMatchObject({ owner: 1, otherManager: 3, unmanaged: 1 });
  });

  it('gives a resumed run the same event ids, a new run new ones, and changed data a new id', () => {
    const base = { roster: [person('new@x.io')] };
    const ids = (over: Partial<DriftInput>) => driftOf(input({ ...base, ...over })).items.map((i) => i.event.id);
    expect(ids({})).toEqual(ids({}));
    expect(ids({ runId: 'run2' })).not.toEqual(ids({}));
    expect(ids({ roster: [person('new@x.io', { jobTitle: 'Manager' })] })).not.toEqual(ids({}));
  });

  it('compares no contacts when the server cannot change them, and no role the role map does not know', () => {
    const drift = driftOf(
      input({
        roster: [person('a@x.io', { mobilePhone: '+1 555 0199', jobTitle: 'Accountant' })],
        members: [profile('a@x.io')],
        owners: new Map([['a@x.io', owned('bamboohr')]]),
        contacts: false,
      }),
    );
    expect(drift.items).toEqual([]);
    expect(drift.skipped.unknownRole).toBe(1);
  });

  it('keeps ownership with the sender a reconcile event acts for', () => {
    expect(managerOf('reconcile:okta')).toBe('okta');
    expect(managerOf('okta')).toBe('okta');
    expect(managerOf(undefined)).toBe('canonical');
  });

  it("reads Okta's Link header", () => {
    const header =
      '<https://acme.okta.com/api/v1/users?limit=200>; rel="self", <https://acme.okta.com/api/v1/users?after=00u2&limit=200>; rel="next"';
    expect(nextLink(header)).toBe('https://acme.okta.com/api/v1/users?after=00u2&limit=200');
    expect(nextLink('<https://acme.okta.com/api/v1/users?limit=200>; rel="self"')).toBeUndefined();
    expect(nextLink(undefined)).toBeUndefined();
  });
});
