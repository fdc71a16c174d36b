/**
 * The SCIM door's users and groups over the events table, built together (each needs the other: a user's type
 * follows their groups, a group's members rejoin when a user can), and the follow-ups' offers to the members still
 * waiting to join a group. The composition root imports this module on first use only, so that the functions that
 * never serve SCIM do not evaluate it, its schemas or its libraries.
 */
import type { DocSpaceFor } from '../docspace/ports';
import type { UserType } from '../docspace/types';
import type { ProcessEvent } from '../pipeline/exactlyOnce';
import type { MemberDirectory } from '../pipeline/member';
import type { RoleMap } from '../roles';
import type { Clock, KeySet, RecordStore } from '../store/ports';
import { mappedGroupType, ScimGroups } from './groups';
import { ScimStore } from './store';
import { ScimUsers } from './users';

export interface ScimDeps {
  records: RecordStore;
  keySet: (itemId: string) => KeySet;
  process: ProcessEvent;
  directory: MemberDirectory;
  roles: RoleMap;
  deleteMode: 'disable' | 'delete';
  groupTypes: ReadonlyMap<string, UserType>;
  clock: Clock;
  /** DocSpace for the follow-ups' group offers (a request brings its own). */
  docspace: DocSpaceFor;
}

interface Scim {
  users: ScimUsers;
  groups: ScimGroups;
  /** The members of SCIM groups who could not join (Guests, disabled), offered again: one follow-up run's part. */
  offerPending(remainingMs: () => number): Promise<{ joined: number; waiting: number }>;
}

export function openScim(deps: ScimDeps): Scim {
  const { keySet, clock, groupTypes } = deps;
  const store = new ScimStore(deps.records, keySet('scim#users'), keySet('scim#groups'), keySet('scim#groups#pending'), deps.clock);
  const users: ScimUsers = new ScimUsers({
    process: deps.process,
    store,
    directory: deps.directory,
    roles: deps.roles,
    deleteMode: deps.deleteMode,
    clock,
    groupType: (userId) => mappedGroupType(store, groupTypes, userId),
    rejoin: (userId, request): Promise<void> => groups.rejoin(userId, request),
  });
  const groups: ScimGroups = new ScimGroups({
    store,
    mappedNames: new Set(groupTypes.keys()),
    retype: (userId, request): Promise<void> => users.retype(userId, request),
    clock,
  });
  return { users, groups, offerPending: (remainingMs) => groups.offerPending(deps.docspace(remainingMs).groups, remainingMs) };
}
