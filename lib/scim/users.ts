/**
 * The /Users operations. Writes go through the pipeline as canonical events (`user.created`, `user.role_changed`,
 * `user.deactivated`, `user.reactivated`), so SCIM gets the same rules as every other door — user types, guests
 * created as User then changed, type changes deferred while a member is disabled, leases and stale marks — and stays
 * synchronous: the IdP reads the resource in the answer. Reads use the DocSpace People port directly.
 * The owner is never listed or touched.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { Groups } from '../docspace/groups';
import type { People } from '../docspace/people';
import { MemberStatus, privilegeOf, userTypeName, type Profile, type UserType } from '../docspace/types';
import { parseEventFor, type CanonicalEventType } from '../events';
import { emailHash, logger } from '../log';
import type { SyncResult } from '../outcome';
import type { ProcessEvent } from '../pipeline/exactlyOnce';
import type { MemberDirectory } from '../pipeline/member';
import type { RoleMap } from '../roles';
import type { Clock } from '../store/ports';
import { badRequest, conflict, integerOf, notFound, ScimFailure } from './errors';
import { planFilter, type Lookup } from './filter';
import { applyPatch, operationsOf } from './patch';
import { listResponse, MAX_COUNT } from './schema';
import type { ScimStore, UserRecord } from './store';
import { readUserInput, recordFromProfile, resourceOf, typeOfRoles, type UserInput } from './user';
import { textOf } from '../json';

/** The event source of this door: the ownership record says `scim` for the members it manages. */
const SCIM_SOURCE = 'scim';
/** Filters other than direct look-ups read every managed member; above this many, they are refused. */
const MAX_SCAN = 500;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type ScimDeleteMode = 'disable' | 'delete';

export interface ScimUsersDeps {
  process: ProcessEvent;
  store: ScimStore;
  directory: MemberDirectory;
  roles: RoleMap;
  deleteMode: ScimDeleteMode;
  clock: Clock;
  /** The highest type the member's SCIM_GROUP_TYPES groups give, if any. */
  groupType?(userId: string): Promise<UserType | undefined>;
  /** After a member's change: the groups they wait to join are asked again (lib/scim/groups.ts). */
  rejoin?(userId: string, request: ScimRequest): Promise<void>;
}

/** One request's view: DocSpace's People and Groups for it, its Lambda context, and where a resource lives. */
export interface ScimRequest {
  people: People;
  groups: Groups;
  context: Context;
  location(id: string): string;
  /** What the request applied, for its log line. */
  events: { type: string; outcome: string }[];
}

export interface ScimReply {
  status: number;
  body?: unknown;
  location?: string;
}

interface Live {
  id: string;
  record: UserRecord;
  version: number;
}

const isActive = (profile: Profile) => profile.status !== MemberStatus.Disabled;
const sameAddress = (a: string | undefined, b: string | undefined) => (a ?? '').toLowerCase() === (b ?? '').toLowerCase();

export class ScimUsers {
  private lastOccurredMs = 0;

  constructor(private readonly deps: ScimUsersDeps) {}

  async get(id: string, request: ScimRequest): Promise<ScimReply> {
    const live = await this.live(id);
    const profile = await this.memberOf(live, request);
    return { status: 200, body: resourceOf(live.id, live.record, live.version, isActive(profile), request.location(live.id)) };
  }

  async list(query: URLSearchParams, request: ScimRequest): Promise<ScimReply> {
    const startIndex = Math.max(1, integerOf(query, 'startIndex') ?? 1);
    const count = Math.min(MAX_COUNT, Math.max(0, integerOf(query, 'count') ?? MAX_COUNT));
    const filterText = query.get('filter');
    let resources: Record<string, unknown>[];
    if (filterText === null || filterText.trim() === '') {
      const ids = await this.deps.store.managedIds();
      const page = await this.resourcesOf(ids.slice(startIndex - 1, startIndex - 1 + count), request);
      return { status: 200, body: listResponse(page, ids.length, startIndex) };
    }
    const plan = planFilter(filterText);
    if (plan.lookup) {
      const found = await this.lookUp(plan.lookup, request);
      resources = found.filter((r) => plan.matches(r));
    } else {
      // Evaluated over the managed members as stored (their status as this door last saw it), then read afresh.
      const ids = await this.deps.store.managedIds();
      if (ids.length > MAX_SCAN)
        throw badRequest(
          `this filter is evaluated over every managed user, and there are more than ${MAX_SCAN}; filter with eq on userName, externalId, id or emails`,
          'invalidFilter',
        );
      const matched: string[] = [];
      for (const id of ids) {
        const user = await this.deps.store.user(id);
        if (user && !user.record.deleted && plan.matches(resourceOf(id, user.record, user.version, user.record.active ?? true, '')))
          matched.push(id);
      }
      resources = await this.resourcesOf(matched, request);
    }
    const page = resources.slice(startIndex - 1, startIndex - 1 + count);
    return { status: 200, body: listResponse(page, resources.length, startIndex) };
  }

  async create(body: unknown, request: ScimRequest): Promise<ScimReply> {
    const input = readUserInput(body);
    const role = typeOfRoles(input.resource.roles, this.deps.roles)?.role;
    const sameName = await this.deps.store.find('userName', input.userName);
    const existing = await request.people.findMemberByEmail(input.email.toLowerCase());
    if (existing?.isOwner) throw conflict('a DocSpace member with this e-mail already exists (the portal owner)');
    if (sameName && sameName !== existing?.id) throw conflict('a user with this userName already exists');

    if (existing) {
      const user = await this.deps.store.user(existing.id);
      if (user && !user.record.deleted) {
        // The same create again (an IdP retrying a POST whose answer it lost): the same resource, not a conflict.
        if (sameCreate(user.record, input)) return this.created(existing.id, user.record, user.version, isActive(existing), request);
        throw conflict('a user with this e-mail already exists');
      }
      const ours =
        user?.record.deleted === true || (await this.deps.directory.ownerOf(existing.email ?? input.email))?.managedBy === SCIM_SOURCE;
      if (!ours)
        throw conflict(
          isActive(existing)
            ? 'a DocSpace member with this e-mail already exists; match them with a filter'
            : 'a disabled DocSpace member has this e-mail; enable or delete them in DocSpace, or match them with a filter',
        );
      // A re-hire: DocSpace kept the member this door deleted (disabled, with their e-mail). Enable and re-link them.
      const member = { userId: existing.id, email: existing.email ?? input.email };
      if (input.active !== false && !isActive(existing)) await this.apply('user.reactivated', member, request);
      if (role) await this.apply('user.role_changed', { ...member, role }, request);
      if (input.active === false && isActive(existing)) await this.apply('user.deactivated', member, request);
      const now = this.deps.clock.now();
      const record: UserRecord = {
        resource: input.resource,
        email: (existing.email ?? input.email).toLowerCase(),
        createdMs: now,
        modifiedMs: now,
        active: input.active ?? true,
      };
      const version = await this.save(existing.id, record, user?.version);
      await this.deps.directory.remember(record.email, existing.id, SCIM_SOURCE, 'matched', now);
      return this.created(existing.id, record, version, record.active ?? true, request);
    }

    const created = await this.apply(
      'user.created',
      { email: input.email, firstName: input.firstName, lastName: input.lastName, ...(role ? { role } : {}) },
      request,
    );
    if (created.outcome !== 'created' || !created.userId) throw conflict('a user with this e-mail already exists');
    const id = created.userId;
    if (input.active === false) await this.apply('user.deactivated', { userId: id, email: input.email }, request);
    const now = this.deps.clock.now();
    const record: UserRecord = {
      resource: input.resource,
      email: input.email.toLowerCase(),
      createdMs: now,
      modifiedMs: now,
      active: input.active ?? true,
    };
    const prior = await this.deps.store.user(id);
    const version = await this.save(id, record, prior?.version);
    return this.created(id, record, version, record.active ?? true, request);
  }

  /** PUT: the resource replaced whole; the user type changes only when the request carries `roles`. */
  async replace(id: string, body: unknown, request: ScimRequest): Promise<ScimReply> {
    const input = readUserInput(body);
    const live = await this.live(id);
    const mentionsRoles = typeof body === 'object' && body !== null && Object.keys(body).some((k) => k.toLowerCase() === 'roles');
    return this.update(live, input, mentionsRoles, request);
  }

  async patch(id: string, body: unknown, request: ScimRequest): Promise<ScimReply> {
    const operations = operationsOf(body);
    const live = await this.live(id);
    const profile = await this.memberOf(live, request);
    const current = resourceOf(live.id, live.record, live.version, isActive(profile), request.location(live.id));
    const patched = applyPatch(current, operations);
    return this.update(live, readUserInput(patched.resource), patched.rolesMentioned, request, profile);
  }

  /** DELETE: the member is disabled (or, with SCIM_DELETE=delete, disabled then deleted); the resource is gone. */
  async remove(id: string, request: ScimRequest, mode: ScimDeleteMode = this.deps.deleteMode): Promise<ScimReply> {
    const live = await this.live(id);
    const profile = await request.people.getMember(live.id);
    if (profile?.isOwner) throw notFound(id);
    if (profile && isActive(profile))
      await this.apply('user.deactivated', { userId: live.id, email: profile.email ?? live.record.email }, request);
    if (profile && mode === 'delete') await request.people.deleteMember(live.id);
    await this.save(live.id, { ...live.record, deleted: true, active: false, modifiedMs: this.deps.clock.now() }, live.version);
    return { status: 204 };
  }

  private async update(live: Live, input: UserInput, mentionsRoles: boolean, request: ScimRequest, known?: Profile): Promise<ScimReply> {
    const profile = known ?? (await this.memberOf(live, request));
    const sameName = await this.deps.store.find('userName', input.userName);
    if (sameName && sameName.toLowerCase() !== live.id.toLowerCase()) throw conflict('a user with this userName already exists');

    const member = { userId: live.id, email: profile.email ?? live.record.email };
    if (!sameAddress(input.email, profile.email)) {
      // Changing an e-mail mails the member and is rate-limited in DocSpace: the IdP's value is kept here only.
      logger.warn('SCIM e-mail change kept in the store, not applied in DocSpace', { userId: live.id, emailHash: emailHash(input.email) });
    }
    if (input.firstName !== profile.firstName || input.lastName !== profile.lastName) {
      const after = await request.people.updateNames(live.id, input.firstName, input.lastName);
      if (after.firstName !== input.firstName || after.lastName !== input.lastName) {
        logger.warn(
          "DocSpace kept the member's names (current servers let only members rename themselves); the SCIM resource keeps the IdP's",
          { userId: live.id },
        );
      }
    }
    const wasActive = isActive(profile);
    const role = mentionsRoles ? await this.roleFor(live.id, input.resource.roles) : undefined;
    // Enabled before a type change (DocSpace changes no disabled member's type), disabled after it.
    if (input.active === true && !wasActive) await this.apply('user.reactivated', member, request);
    if (role) await this.apply('user.role_changed', { ...member, role }, request);
    if (input.active === false && wasActive) await this.apply('user.deactivated', member, request);

    const active = input.active ?? wasActive;
    const record: UserRecord = { ...live.record, resource: input.resource, active, modifiedMs: this.deps.clock.now() };
    const version = await this.save(live.id, record, live.version);
    if (this.deps.rejoin && (role || (input.active === true && !wasActive))) {
      // The member's change is applied; their waiting groups are a bonus the follow-ups also give, so no failure here.
      await this.deps
        .rejoin(live.id, request)
        .catch((error: unknown) =>
          logger.warn('SCIM could not offer the member to their waiting groups; the follow-ups will', { userId: live.id, error }),
        );
    }
    return { status: 200, body: resourceOf(live.id, record, version, active, request.location(live.id)) };
  }

  /**
   * The role a member's type follows: the highest privilege among their mapped roles and their SCIM_GROUP_TYPES
   * groups (a group's type by its DocSpace name); with neither, User (the default).
   */
  private async roleFor(userId: string, roles: unknown): Promise<string> {
    const fromRoles = typeOfRoles(roles, this.deps.roles);
    const fromGroups = await this.deps.groupType?.(userId);
    if (fromGroups !== undefined && (fromRoles === undefined || privilegeOf(fromGroups) > privilegeOf(fromRoles.type)))
      return userTypeName(fromGroups);
    return fromRoles?.role ?? 'User';
  }

  /**
   * A member's type again from their roles and groups, after a change of a mapped group (through the pipeline: an
   * upgrade at once, a downgrade asynchronous, deferred while disabled). Members this door does not manage keep theirs.
   */
  async retype(userId: string, request: ScimRequest): Promise<void> {
    const user = await this.deps.store.user(userId);
    if (!user || user.record.deleted) {
      logger.info('SCIM group type not applied: the member is not managed by SCIM', { userId });
      return;
    }
    const role = await this.roleFor(userId, user.record.resource.roles);
    await this.apply('user.role_changed', { userId: userId.toLowerCase(), email: user.record.email, role }, request);
  }

  /** A canonical event through the pipeline, checked like any door's; a member who vanished is a 404. */
  private async apply(type: CanonicalEventType, data: Record<string, unknown>, request: ScimRequest): Promise<SyncResult> {
    this.lastOccurredMs = Math.max(this.deps.clock.now(), this.lastOccurredMs + 1);
    const parsed = parseEventFor([type], {
      id: `scim_${randomUUID()}`,
      type,
      occurredAt: new Date(this.lastOccurredMs).toISOString(),
      source: SCIM_SOURCE,
      data,
    });
    if (!parsed.ok) throw badRequest(`${parsed.errors.join('; ').replace(/data\./g, '')}`);
    const result = await this.deps.process(parsed.event, request.context);
    request.events.push({ type, outcome: result.outcome });
    if (result.outcome === 'parked' && type !== 'user.created') throw notFound(textOf(data.userId));
    return result;
  }

  private async save(id: string, record: UserRecord, version: number | undefined): Promise<number> {
    const saved = await this.deps.store.save(id, record, version);
    if (saved === undefined)
      throw new ScimFailure(409, 'the user was changed by another request at the same time; read it and try again', 'mutability');
    return saved;
  }

  private created(id: string, record: UserRecord, version: number, active: boolean, request: ScimRequest): ScimReply {
    const location = request.location(id);
    return { status: 201, body: resourceOf(id, record, version, active, location), location };
  }

  /** A user this door manages and has not deleted. */
  private async live(id: string): Promise<Live> {
    const user = GUID.test(id) ? await this.deps.store.user(id) : undefined;
    if (!user || user.record.deleted) throw notFound(id);
    return { id: id.toLowerCase(), ...user };
  }

  /** The member in DocSpace; a member deleted there (or the owner) is a 404. */
  private async memberOf(live: Live, request: ScimRequest): Promise<Profile> {
    const profile = await request.people.getMember(live.id);
    if (!profile || profile.isOwner) throw notFound(live.id);
    return profile;
  }

  private async resourcesOf(ids: string[], request: ScimRequest): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    for (const id of ids) {
      const user = await this.deps.store.user(id);
      if (!user || user.record.deleted) continue;
      const profile = await request.people.getMember(id);
      if (!profile || profile.isOwner) continue;
      out.push(resourceOf(id, user.record, user.version, isActive(profile), request.location(id)));
    }
    return out;
  }

  /**
   * The member a filter names, among every DocSpace member (not the owner). One this door meets for the first time
   * becomes managed by it, with a resource made from their profile; one it deleted is not found.
   */
  private async lookUp(lookup: Lookup, request: ScimRequest): Promise<Record<string, unknown>[]> {
    let profile: Profile | null = null;
    const stored =
      lookup.kind === 'id' ? (GUID.test(lookup.value) ? lookup.value : undefined) : await this.deps.store.find(lookup.kind, lookup.value);
    if (stored) profile = await request.people.getMember(stored);
    else if ((lookup.kind === 'userName' || lookup.kind === 'email') && lookup.value.includes('@'))
      profile = await request.people.findMemberByEmail(lookup.value.trim().toLowerCase());
    if (!profile || profile.isOwner) return [];
    const id = profile.id.toLowerCase();
    let user = await this.deps.store.user(id);
    if (user?.record.deleted) return [];
    if (!user) {
      const now = this.deps.clock.now();
      const record = { ...recordFromProfile(profile, now), active: isActive(profile) };
      const version = await this.save(id, record, undefined);
      await this.deps.directory.remember(record.email, id, SCIM_SOURCE, 'matched', now);
      logger.info('SCIM matched an existing DocSpace member; it is now managed by SCIM', { userId: id });
      user = { record, version };
    }
    return [resourceOf(id, user.record, user.version, isActive(profile), request.location(id))];
  }
}

/** The same create as the one stored: same userName (any case) and externalId. */
const sameCreate = (record: UserRecord, input: UserInput) =>
  textOf(record.resource.userName).toLowerCase() === input.userName.toLowerCase() &&
  (record.resource.externalId ?? null) === (input.resource.externalId ?? null);
