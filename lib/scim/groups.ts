/**
 * The /Groups operations ↔ DocSpace groups (docs/docspace-caveats.md#groups). The SCIM Group id is the
 * DocSpace group id; displayName, externalId, meta and the members the IdP assigned are kept in the SCIM store.
 *
 * - Writes: `POST api/2.0/group` to create; every later change of name or members is one `PUT api/2.0/group/{id}`
 *   with `membersToAdd`/`membersToRemove`, computed against the group as DocSpace has it (never the replace route).
 * - DocSpace names are not unique: a displayName another group has (this door's, any case, or a DocSpace group of
 *   exactly that name, any case) is a 409 `uniqueness`. The check reads then writes, so two creates at once can both
 *   pass it (DocSpace would then hold two groups of that name).
 * - Guests and disabled members cannot join a DocSpace group: they stay assigned in the store, the answer lists them
 *   under the DocSpace extension's `pendingMembers` with the reason, the log line names them, and every later write
 *   to the group, the member's next change through /Users, and the follow-ups (every minute, the groups that wait
 *   only) ask DocSpace to add them again.
 * - SCIM_GROUP_TYPES: a member's type is the highest privilege among their mapped roles and mapped groups; a write
 *   that changes who is in a mapped group retypes those members through the pipeline (user.role_changed).
 * - System groups and LDAP groups are never written; system ids are never listed or served.
 */
import type { Group, Groups } from '../docspace/groups';
import { isSystem, isSystemGroup } from '../docspace/groups';
import { MemberStatus, privilegeOf, UserType, userTypeOf, type Profile } from '../docspace/types';
import { logger } from '../log';
import type { Clock } from '../store/ports';
import { badRequest, conflict, integerOf, notFound, ScimFailure } from './errors';
import { operationsOf, type Operation } from './patch';
import { GROUP_EXTENSION, GROUP_SCHEMA, listResponse, MAX_COUNT } from './schema';
import type { GroupRecord, ScimStore } from './store';
import type { ScimReply, ScimRequest } from './users';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_NAME = 128;
/** Members one request may name: DocSpace reads each new one before the write. */
const MAX_MEMBERS = 1_000;
/** Time the follow-ups keep back from the group pass for answering. */
const FOLLOW_UP_MARGIN_MS = 5_000;

type Member = GroupRecord['members'][number];
type Pending = { value: string; reason: 'guest' | 'disabled' };

export interface ScimGroupsDeps {
  store: ScimStore;
  /** Display names (lower case) of the groups that give their members a DocSpace type. */
  mappedNames: ReadonlySet<string>;
  /** Sets a SCIM-managed member's type from their roles and mapped groups (through the pipeline). */
  retype(userId: string, request: ScimRequest): Promise<void>;
  clock: Clock;
}

type ScimGroupRequest = ScimRequest;

interface Live {
  id: string;
  record: GroupRecord;
  version: number;
}

interface Desired {
  displayName: string;
  externalId?: string;
  members: Member[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const field = (body: Record<string, unknown>, name: string) =>
  body[Object.keys(body).find((k) => k.toLowerCase() === name.toLowerCase()) ?? name];
const lower = (name: string) => name.trim().toLowerCase();

/** The highest type the SCIM_GROUP_TYPES groups a member is assigned to give (by the group's name), if any. */
export async function mappedGroupType(
  store: ScimStore,
  types: ReadonlyMap<string, UserType>,
  userId: string,
): Promise<UserType | undefined> {
  let best: UserType | undefined;
  for (const [name, type] of types) {
    const group = await store.groupNamed(name);
    if (!group?.record.members.some((m) => m.value === userId.toLowerCase())) continue;
    if (best === undefined || privilegeOf(type) > privilegeOf(best)) best = type;
  }
  return best;
}

function displayNameOf(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw badRequest('displayName is required (a non-empty string)');
  if (value.trim().length > MAX_NAME) throw badRequest(`displayName must be at most ${MAX_NAME} characters (DocSpace's limit)`);
  return value.trim();
}

function externalIdOf(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length > 255) throw badRequest('externalId must be a string of at most 255 characters');
  return value;
}

/** `members` values: `{value, display}` objects (Entra, Okta), or bare ids; each a DocSpace member id. */
function membersOf(value: unknown): Member[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  if (list.length > MAX_MEMBERS) throw badRequest(`at most ${MAX_MEMBERS} members in one request`);
  return list.map((item) => {
    const id: unknown = isObject(item) ? field(item, 'value') : item;
    if (typeof id !== 'string' || !GUID.test(id.trim()))
      throw badRequest(
        `members[].value must be the id of a SCIM User (a DocSpace member id): ${JSON.stringify(id)?.slice(0, 80) ?? 'missing'}`,
      );
    const display = isObject(item) ? (field(item, 'display') ?? field(item, 'displayName')) : undefined;
    return {
      value: id.trim().toLowerCase(),
      ...(typeof display === 'string' && display.trim() ? { display: display.trim().slice(0, 255) } : {}),
    };
  });
}

const unique = (members: Member[]): Member[] => {
  const seen = new Map<string, Member>();
  for (const m of members) seen.set(m.value, { ...seen.get(m.value), ...m });
  return [...seen.values()];
};

const idsOf = (group: Group) => new Set((group.members ?? []).map((m) => m.id.toLowerCase()));

export class ScimGroups {
  constructor(private readonly deps: ScimGroupsDeps) {}

  async get(id: string, request: ScimGroupRequest): Promise<ScimReply> {
    const live = await this.live(id);
    const group = await this.docspaceGroup(live.id, request, live);
    const pending = await this.pendingOf(live.record.members, group, request);
    return { status: 200, body: this.resourceOf(live, pending, request) };
  }

  /**
   * The groups this door manages, paged (1-based startIndex, count ≤ 100), as stored. `displayName eq "…"` is answered
   * exactly and without regard to case over DocSpace's substring search; the one DocSpace group of that name this door
   * has not met is matched (adopted), several of one name match none.
   */
  async list(query: URLSearchParams, request: ScimGroupRequest): Promise<ScimReply> {
    const startIndex = Math.max(1, integerOf(query, 'startIndex') ?? 1);
    const count = Math.min(MAX_COUNT, Math.max(0, integerOf(query, 'count') ?? MAX_COUNT));
    const filter = (query.get('filter') ?? '').trim();
    let ids: string[];
    if (filter === '') ids = await this.deps.store.managedGroupIds();
    else {
      const match = /^(displayName|externalId|id)\s+eq\s+"((?:[^"\\]|\\.)*)"$/i.exec(filter);
      if (!match) throw badRequest('Groups are filtered by displayName eq "…", externalId eq "…" or id eq "…" only', 'invalidFilter');
      const [, attribute = '', raw = ''] = match;
      const value = JSON.parse(`"${raw}"`) as string;
      ids = await this.filtered(attribute.toLowerCase(), value, request);
    }
    const page: Record<string, unknown>[] = [];
    for (const id of ids.slice(startIndex - 1, startIndex - 1 + count)) {
      const group = await this.deps.store.group(id);
      if (!group || group.record.deleted) continue;
      page.push(this.resourceOf({ id, ...group }, [], request));
    }
    return { status: 200, body: listResponse(page, ids.length, startIndex) };
  }

  async create(body: unknown, request: ScimGroupRequest): Promise<ScimReply> {
    if (!isObject(body)) throw badRequest('the body must be a SCIM Group resource (a JSON object)', 'invalidSyntax');
    const desired: Desired = { displayName: displayNameOf(field(body, 'displayName')), members: unique(membersOf(field(body, 'members'))) };
    const externalId = externalIdOf(field(body, 'externalId'));
    if (externalId !== undefined) desired.externalId = externalId;
    let same = await this.deps.store.groupNamed(desired.displayName);
    if (same && !(await request.groups.get(same.id, false))) {
      // Deleted in DocSpace by hand: the name is free again.
      await this.save(same.id, { ...same.record, deleted: true, modifiedMs: this.deps.clock.now() }, same.version);
      same = undefined;
    }
    if (same) {
      // The same create again (an IdP retrying a POST whose answer it lost): the same resource, not a conflict.
      if ((same.record.externalId ?? null) === (desired.externalId ?? null) && externalId !== undefined)
        return this.created(same, [], request);
      throw conflict('a group with this displayName already exists');
    }
    await this.refuseDocSpaceNamesake(desired.displayName, undefined, request);
    const profiles = await this.profilesOf(desired.members, request);
    const joining = desired.members.filter((m) => canJoin(profiles.get(m.value))).map((m) => m.value);
    const made = await request.groups.create(desired.displayName, joining);
    const id = made.id.toLowerCase();
    const now = this.deps.clock.now();
    const record: GroupRecord = {
      displayName: desired.displayName,
      ...(desired.externalId ? { externalId: desired.externalId } : {}),
      members: desired.members,
      createdMs: now,
      modifiedMs: now,
    };
    const version = await this.save(id, record, undefined);
    const after = await this.retypeAndRejoin(id, [], record, made, request);
    const pending = await this.pendingOf(record.members, after, request, profiles);
    return this.created({ id, record, version }, pending, request);
  }

  /** PUT: name, externalId and members replaced whole (members omitted: none). */
  async replace(id: string, body: unknown, request: ScimGroupRequest): Promise<ScimReply> {
    if (!isObject(body)) throw badRequest('the body must be a SCIM Group resource (a JSON object)', 'invalidSyntax');
    const desired: Desired = { displayName: displayNameOf(field(body, 'displayName')), members: unique(membersOf(field(body, 'members'))) };
    const externalId = externalIdOf(field(body, 'externalId'));
    if (externalId !== undefined) desired.externalId = externalId;
    const live = await this.live(id);
    const pending = await this.update(live, desired, request);
    return { status: 200, body: this.resourceOf(await this.live(id), pending, request) };
  }

  /**
   * PATCH: 204 No Content. Entra documents 204 for Group PATCH and Okta's Group Push takes it; the resource of a big
   * group (every member) would be a large answer nobody reads. Members who could not join are in the log line.
   */
  async patch(id: string, body: unknown, request: ScimGroupRequest): Promise<ScimReply> {
    const operations = operationsOf(body);
    const live = await this.live(id);
    const desired = patched(live.record, operations);
    await this.update(live, desired, request);
    return { status: 204 };
  }

  /** DELETE: the DocSpace group is deleted (its room shares go with it; the members stay); a group already gone is fine. */
  async remove(id: string, request: ScimGroupRequest): Promise<ScimReply> {
    const live = await this.live(id);
    await request.groups.delete(live.id);
    await this.save(live.id, { ...live.record, deleted: true, modifiedMs: this.deps.clock.now() }, live.version);
    await this.deps.store.markPending(live.id, false);
    if (this.isMapped(live.record.displayName)) for (const m of live.record.members) await this.retype(m.value, request);
    return { status: 204 };
  }

  /** The member's next change through /Users: ask DocSpace again to add them to the groups they are pending in. */
  async rejoin(userId: string, request: ScimGroupRequest): Promise<void> {
    const id = userId.toLowerCase();
    for (const groupId of await this.deps.store.managedGroupIds()) {
      const group = await this.deps.store.group(groupId);
      if (!group || group.record.deleted || !group.record.members.some((m) => m.value === id)) continue;
      const before = await request.groups.get(groupId);
      if (before && !isSystem(before) && !before.isLDAP && !idsOf(before).has(id)) {
        const after = await request.groups.update(groupId, { membersToAdd: [id] });
        if (idsOf(after).has(id)) logger.info('SCIM group member joined once eligible', { groupId, userId: id });
      }
    }
  }

  /**
   * The follow-ups' part: every group with assigned members DocSpace has not let join is offered them again (one read,
   * and one PUT when some are missing), while time is left. A member enabled or upgraded by another door, or in
   * DocSpace by hand, joins within a minute. Disabled members stay hidden (and waiting) until enabled.
   */
  async offerPending(groups: Groups, remainingMs: () => number): Promise<{ joined: number; waiting: number }> {
    let joined = 0;
    let waiting = 0;
    for (const id of await this.deps.store.pendingGroupIds()) {
      if (remainingMs() < FOLLOW_UP_MARGIN_MS) break;
      const stored = await this.deps.store.group(id);
      const group = stored && !stored.record.deleted ? await groups.get(id) : null;
      if (!stored || stored.record.deleted || !group || isSystem(group) || group.isLDAP) {
        await this.deps.store.markPending(id, false);
        continue;
      }
      const missing = stored.record.members.map((m) => m.value).filter((m) => !idsOf(group).has(m));
      const after = missing.length ? await groups.update(id, { membersToAdd: missing }) : group;
      const still = missing.filter((m) => !idsOf(after).has(m));
      joined += missing.length - still.length;
      waiting += still.length;
      if (missing.length > still.length)
        logger.info('SCIM group members joined once eligible', { groupId: id, joined: missing.filter((m) => !still.includes(m)) });
      if (still.length === 0) await this.deps.store.markPending(id, false);
    }
    return { joined, waiting };
  }

  private async update(live: Live, desired: Desired, request: ScimGroupRequest): Promise<Pending[]> {
    const group = await this.docspaceGroup(live.id, request, live);
    if (lower(desired.displayName) !== lower(live.record.displayName)) {
      const same = await this.deps.store.groupNamed(desired.displayName);
      if (same && same.id !== live.id) throw conflict('a group with this displayName already exists');
      await this.refuseDocSpaceNamesake(desired.displayName, live.id, request);
    }
    const current = idsOf(group);
    const wanted = new Set(desired.members.map((m) => m.value));
    // Members DocSpace hides (disabled) are not in `current`: remove whom the store had too.
    const toRemove = [...new Set([...current, ...live.record.members.map((m) => m.value)])].filter((m) => !wanted.has(m));
    const toAdd = desired.members.filter((m) => !current.has(m.value));
    const profiles = await this.profilesOf(toAdd, request);
    const record: GroupRecord = {
      ...live.record,
      displayName: desired.displayName,
      members: desired.members,
      modifiedMs: this.deps.clock.now(),
    };
    if (desired.externalId !== undefined) record.externalId = desired.externalId;
    else delete record.externalId;
    await this.save(live.id, record, live.version);
    const renamed = desired.displayName !== group.name;
    let after = group;
    if (renamed || toAdd.length || toRemove.length) {
      after = await request.groups.update(live.id, {
        ...(renamed ? { groupName: desired.displayName } : {}),
        ...(toAdd.length ? { membersToAdd: toAdd.map((m) => m.value) } : {}),
        ...(toRemove.length ? { membersToRemove: toRemove } : {}),
      });
    }
    after = await this.retypeAndRejoin(
      live.id,
      live.record.members.map((m) => m.value),
      record,
      after,
      request,
      live.record.displayName,
    );
    return this.pendingOf(record.members, after, request, profiles);
  }

  /**
   * Types from SCIM_GROUP_TYPES: when the group is (or was) mapped, every member who joined or left it — all of them
   * when its name moved in or out of the map — is retyped. Upgrades are synchronous, so a Guest whom the group makes
   * a User or more can join: the still-missing members are offered to DocSpace once more afterwards.
   */
  private async retypeAndRejoin(
    id: string,
    before: string[],
    record: GroupRecord,
    group: Group,
    request: ScimGroupRequest,
    oldName = record.displayName,
  ): Promise<Group> {
    const wasMapped = this.isMapped(oldName);
    const isMapped = this.isMapped(record.displayName);
    if (!wasMapped && !isMapped) return group;
    const now = record.members.map((m) => m.value);
    const typeChanged = wasMapped !== isMapped || lower(oldName) !== lower(record.displayName);
    const affected = typeChanged
      ? [...new Set([...before, ...now])]
      : [...now.filter((m) => !before.includes(m)), ...before.filter((m) => !now.includes(m))];
    for (const userId of affected) await this.retype(userId, request);
    const missing = now.filter((m) => !idsOf(group).has(m));
    if (affected.length === 0 || missing.length === 0) return group;
    return request.groups.update(id, { membersToAdd: missing });
  }

  private async retype(userId: string, request: ScimGroupRequest): Promise<void> {
    try {
      await this.deps.retype(userId, request);
    } catch (error) {
      // One member's type must not undo the group's write: the IdP sees the group as written; the log says why.
      if (!(error instanceof ScimFailure) || error.status >= 500) throw error;
      logger.warn('SCIM group could not retype a member', { userId, status: error.status, detail: error.message });
    }
  }

  private isMapped(name: string): boolean {
    return this.deps.mappedNames.has(lower(name));
  }

  /** DocSpace's own groups of exactly this name (any case), found by its substring search: a 409 when any exists. */
  private async refuseDocSpaceNamesake(name: string, self: string | undefined, request: ScimGroupRequest): Promise<void> {
    const found = await request.groups.search(name);
    if (found.some((g) => lower(g.name) === lower(name) && g.id.toLowerCase() !== self))
      throw conflict('a DocSpace group with this displayName already exists');
  }

  /** Members to be added, read from DocSpace: an id that is no member is a 400 before anything is written. */
  private async profilesOf(members: Member[], request: ScimGroupRequest): Promise<Map<string, Profile>> {
    const profiles = new Map<string, Profile>();
    for (const m of members) {
      const profile = await request.people.getMember(m.value);
      if (!profile) throw badRequest(`member ${m.value} is not a DocSpace member`);
      profiles.set(m.value, profile);
    }
    return profiles;
  }

  /** Assigned members DocSpace does not show in the group, with the reason (a Guest, or disabled); logged. */
  private async pendingOf(
    members: Member[],
    group: Group,
    request: ScimGroupRequest,
    known = new Map<string, Profile>(),
  ): Promise<Pending[]> {
    const inGroup = idsOf(group);
    const pending: Pending[] = [];
    for (const m of members) {
      if (inGroup.has(m.value)) continue;
      const profile = known.get(m.value) ?? (await request.people.getMember(m.value));
      if (!profile) continue;
      pending.push({ value: m.value, reason: profile.status === MemberStatus.Disabled ? 'disabled' : 'guest' });
    }
    if (pending.length)
      logger.warn('SCIM group members DocSpace did not let join (kept; added when eligible)', { groupId: group.id, pending });
    await this.deps.store.markPending(group.id, pending.length > 0);
    return pending;
  }

  private async filtered(attribute: string, value: string, request: ScimGroupRequest): Promise<string[]> {
    if (attribute === 'id') {
      const group = GUID.test(value) ? await this.deps.store.group(value) : undefined;
      return group && !group.record.deleted ? [value.toLowerCase()] : [];
    }
    if (attribute === 'externalid') {
      const out: string[] = [];
      for (const id of await this.deps.store.managedGroupIds())
        if ((await this.deps.store.group(id))?.record.externalId === value) out.push(id);
      return out;
    }
    // DocSpace's search is a substring match: compared exactly (any case) here.
    const exact = (await request.groups.search(value)).filter((g) => lower(g.name) === lower(value) && !isSystem(g) && !g.isLDAP);
    const named = await this.deps.store.groupNamed(value);
    if (named) return exact.some((g) => g.id.toLowerCase() === named.id) ? [named.id] : [];
    if (exact.length > 1) {
      logger.warn('SCIM found several DocSpace groups of one name; none is matched (rename all but one)', {
        groups: exact.map((g) => g.id),
      });
      return [];
    }
    const [only] = exact;
    return only ? [await this.adopt(only.id, request)] : [];
  }

  /**
   * A DocSpace group of exactly the name an IdP looks for, met for the first time: managed by this door from now on,
   * with its current members as the assigned ones (as the user filter matches existing members).
   */
  private async adopt(id: string, request: ScimGroupRequest): Promise<string> {
    const group = await this.docspaceGroup(id, request);
    const now = this.deps.clock.now();
    const members = (group.members ?? []).map((m) => ({
      value: m.id.toLowerCase(),
      ...(m.firstName || m.lastName ? { display: `${m.firstName ?? ''} ${m.lastName ?? ''}`.trim() } : {}),
    }));
    const prior = await this.deps.store.group(id);
    await this.save(id.toLowerCase(), { displayName: group.name, members, createdMs: now, modifiedMs: now }, prior?.version);
    logger.info('SCIM matched an existing DocSpace group; it is now managed by SCIM', { groupId: id.toLowerCase() });
    return id.toLowerCase();
  }

  /** A group this door manages and has not deleted, that DocSpace still has (else 404). */
  private async live(id: string): Promise<Live> {
    if (!GUID.test(id) || isSystemGroup(id)) throw notFound(id);
    const group = await this.deps.store.group(id);
    if (!group || group.record.deleted) throw notFound(id);
    return { id: id.toLowerCase(), ...group };
  }

  /** The group in DocSpace; one deleted there by hand is a 404, and its record is closed (its name free again). */
  private async docspaceGroup(id: string, request: ScimGroupRequest, live?: Live): Promise<Group> {
    const group = await request.groups.get(id);
    if (!group && live) {
      await this.deps.store.saveGroup(live.id, { ...live.record, deleted: true, modifiedMs: this.deps.clock.now() }, live.version);
      await this.deps.store.markPending(live.id, false);
    }
    if (!group || isSystem(group)) throw notFound(id);
    if (group.isLDAP) throw new ScimFailure(409, 'the DocSpace group comes from LDAP; LDAP sync owns it', 'mutability');
    return group;
  }

  private async save(id: string, record: GroupRecord, version: number | undefined): Promise<number> {
    const saved = await this.deps.store.saveGroup(id, record, version);
    if (saved === undefined)
      throw new ScimFailure(409, 'the group was changed by another request at the same time; read it and try again', 'mutability');
    return saved;
  }

  private created(live: Live, pending: Pending[], request: ScimGroupRequest): ScimReply {
    const body = this.resourceOf(live, pending, request);
    return { status: 201, body, location: request.location(live.id) };
  }

  private resourceOf(live: Live, pending: Pending[], request: ScimGroupRequest): Record<string, unknown> {
    const users = request.location('').replace(/\/Groups\/$/, '/Users/');
    return {
      schemas: [GROUP_SCHEMA, ...(pending.length ? [GROUP_EXTENSION] : [])],
      id: live.id,
      displayName: live.record.displayName,
      ...(live.record.externalId ? { externalId: live.record.externalId } : {}),
      members: live.record.members.map((m) => ({
        value: m.value,
        ...(m.display ? { display: m.display } : {}),
        type: 'User',
        $ref: `${users}${m.value}`,
      })),
      ...(pending.length ? { [GROUP_EXTENSION]: { pendingMembers: pending } } : {}),
      meta: {
        resourceType: 'Group',
        created: new Date(live.record.createdMs).toISOString(),
        lastModified: new Date(live.record.modifiedMs).toISOString(),
        version: `W/"${live.version}"`,
        location: request.location(live.id),
      },
    };
  }
}

/** Guests and disabled members cannot join a DocSpace group (ValidateUserAsync). */
const canJoin = (profile: Profile | undefined) =>
  profile !== undefined && profile.status !== MemberStatus.Disabled && userTypeOf(profile) !== UserType.Guest;

const MEMBER_FILTER = /^members\[\s*value\s+eq\s+"([^"]*)"\s*\]$/i;

/**
 * The group after PATCH operations in Entra's shapes (capitalised ops, value arrays, a remove with a value array)
 * and Okta's (`members` add, `members[value eq "…"]` remove), and path-less replaces of displayName/externalId.
 */
function patched(record: GroupRecord, operations: Operation[]): Desired {
  let displayName = record.displayName;
  let externalId = record.externalId;
  let members = [...record.members];
  const apply = (op: Operation['op'], path: string, value: unknown) => {
    const name = path.toLowerCase();
    const filter = MEMBER_FILTER.exec(path);
    if (filter) {
      if (op !== 'remove') throw badRequest('members[value eq "…"] takes remove only', 'invalidPath');
      const id = (filter[1] ?? '').toLowerCase();
      members = members.filter((m) => m.value !== id);
    } else if (name === 'members') {
      if (op === 'remove') {
        const gone = value === undefined || value === null ? undefined : new Set(membersOf(value).map((m) => m.value));
        members = gone ? members.filter((m) => !gone.has(m.value)) : [];
      } else if (op === 'add') members = unique([...members, ...membersOf(value)]);
      else members = unique(membersOf(value));
    } else if (name === 'displayname') {
      if (op === 'remove') throw badRequest('displayName is required', 'mutability');
      displayName = displayNameOf(value);
    } else if (name === 'externalid') {
      externalId = op === 'remove' ? undefined : externalIdOf(value);
    } else if (name === 'id' || name === 'schemas' || name === 'meta') {
      // Entra repeats the id in a path-less replace; read-only, ignored.
    } else throw badRequest(`a Group has no attribute ${path} this server writes (displayName, externalId, members)`, 'invalidPath');
  };
  for (const operation of operations) {
    if (operation.path !== undefined) apply(operation.op, operation.path, operation.value);
    else if (isObject(operation.value)) for (const [key, value] of Object.entries(operation.value)) apply(operation.op, key, value);
    else throw badRequest(`${operation.op} without a path needs an object value`, 'invalidValue');
  }
  return { displayName, ...(externalId !== undefined ? { externalId } : {}), members };
}
