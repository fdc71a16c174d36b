/**
 * What DocSpace cannot hold, kept in the events table beside the member directory: per SCIM user (= DocSpace member
 * id) the resource as the IdP provisioned it — externalId, a userName that is not an e-mail, displayName, the IdP's
 * names and e-mails when DocSpace keeps its own, roles, and every other attribute it sent — with meta timestamps and
 * version; lookups by userName (case-insensitive), externalId and e-mail; and the set of members this door manages.
 *
 * Items: `scim#user#<id>`, `scim#userName#<lower>`, `scim#externalId#<value>`, `scim#email#<lower>` (each `{userId}`), and
 * the key set `scim#users`. No index: lookups are items, so the role needs no new permission.
 *
 * Groups: per SCIM Group (= DocSpace group id) `scim#group#<id>` with its displayName, externalId, meta
 * and the members the IdP assigned (those DocSpace has not let join yet included); `scim#groupName#<lower>` (each
 * `{groupId}`) for the duplicate check and SCIM_GROUP_TYPES; the key sets `scim#groups` and `scim#groups#pending` (groups
 * whose assigned members have not all joined).
 */
import { compareAndSet } from '../store/compareAndSet';
import type { Clock, KeySet, RecordStore } from '../store/ports';
import { textOf } from '../json';

export interface UserRecord {
  /** The resource as provisioned, in the schema's spelling, without id, meta and active. */
  resource: Record<string, unknown>;
  /** The member's e-mail in DocSpace (lower case): the member key of the pipeline. */
  email: string;
  createdMs: number;
  modifiedMs: number;
  /** The member's status as this door last saw or set it (reads take DocSpace's own). */
  active?: boolean;
  /** DELETEd through this door: DocSpace keeps the disabled member (and their e-mail) until a re-hire. */
  deleted?: boolean;
}

export interface GroupRecord {
  displayName: string;
  externalId?: string;
  /** The members the IdP assigned (DocSpace ids, lower case; the IdP's display), whether or not DocSpace let them join. */
  members: { value: string; display?: string }[];
  createdMs: number;
  modifiedMs: number;
  /** DELETEd through this door (DocSpace's group is gone). */
  deleted?: boolean;
}

export type LookupKind = 'userName' | 'externalId' | 'email';

const userKey = (id: string) => `scim#user#${id.toLowerCase()}`;
const groupKey = (id: string) => `scim#group#${id.toLowerCase()}`;
const groupNameKey = (name: string) => `scim#groupName#${name.trim().toLowerCase()}`;
const lookupKey = (kind: LookupKind, value: string) => `scim#${kind}#${kind === 'externalId' ? value : value.toLowerCase()}`;

export class ScimStore {
  constructor(
    private readonly records: RecordStore,
    private readonly managed: KeySet,
    private readonly managedGroups: KeySet,
    /** Groups with assigned members DocSpace has not let join yet: the follow-ups offer them again. */
    private readonly pendingGroups: KeySet,
    private readonly clock: Clock,
  ) {}

  async markPending(id: string, pending: boolean): Promise<void> {
    if (pending) await this.pendingGroups.add(id.toLowerCase());
    else await this.pendingGroups.remove(id.toLowerCase());
  }

  async pendingGroupIds(): Promise<string[]> {
    return (await this.pendingGroups.list()).sort();
  }

  async group(id: string): Promise<{ record: GroupRecord; version: number } | undefined> {
    const found = await this.records.get<GroupRecord>(groupKey(id));
    return found ? { record: found.value, version: found.version } : undefined;
  }

  /** Writes the group (compare-and-set at `version`), its name lookup, and keeps it in (or out of) the set. */
  async saveGroup(id: string, record: GroupRecord, version: number | undefined): Promise<number | undefined> {
    if (!(await this.records.put(groupKey(id), record, version))) return undefined;
    if (record.deleted) await this.managedGroups.remove(id.toLowerCase());
    else {
      await this.managedGroups.add(id.toLowerCase());
      const groupId = id.toLowerCase();
      await compareAndSet<{ groupId: string }>(this.records, this.clock, groupNameKey(record.displayName), (current) =>
        current?.groupId === groupId ? undefined : { groupId },
      );
    }
    return (version ?? 0) + 1;
  }

  /** The live group this door keeps under a display name (any case), when its record still has that name. */
  async groupNamed(name: string): Promise<{ id: string; record: GroupRecord; version: number } | undefined> {
    const entry = await this.records.get<{ groupId: string }>(groupNameKey(name));
    if (!entry?.value.groupId) return undefined;
    const group = await this.group(entry.value.groupId);
    if (!group || group.record.deleted || group.record.displayName.trim().toLowerCase() !== name.trim().toLowerCase()) return undefined;
    return { id: entry.value.groupId, ...group };
  }

  /** The ids of the groups this door manages, in a stable order (for paging). */
  async managedGroupIds(): Promise<string[]> {
    return (await this.managedGroups.list()).sort();
  }

  async user(id: string): Promise<{ record: UserRecord; version: number } | undefined> {
    const found = await this.records.get<UserRecord>(userKey(id));
    return found ? { record: found.value, version: found.version } : undefined;
  }

  /** Writes the record (compare-and-set at `version`), its lookups, and keeps the member in (or out of) the set. */
  async save(id: string, record: UserRecord, version: number | undefined): Promise<number | undefined> {
    if (!(await this.records.put(userKey(id), record, version))) return undefined;
    if (record.deleted) {
      await this.managed.remove(id.toLowerCase());
    } else {
      await this.managed.add(id.toLowerCase());
      const userName = typeof record.resource.userName === 'string' ? record.resource.userName : undefined;
      const externalId = typeof record.resource.externalId === 'string' ? record.resource.externalId : undefined;
      if (userName) await this.link('userName', userName, id);
      if (externalId) await this.link('externalId', externalId, id);
      for (const email of emailsOf(record)) await this.link('email', email, id);
    }
    return (version ?? 0) + 1;
  }

  /** The member a lookup names, when its record is live and still says so. */
  async find(kind: LookupKind, value: string): Promise<string | undefined> {
    const entry = await this.records.get<{ userId: string }>(lookupKey(kind, value));
    if (!entry?.value.userId) return undefined;
    const user = await this.user(entry.value.userId);
    if (!user || user.record.deleted) return undefined;
    const matches =
      kind === 'email'
        ? emailsOf(user.record).includes(value.toLowerCase())
        : kind === 'userName'
          ? textOf(user.record.resource.userName).toLowerCase() === value.toLowerCase()
          : user.record.resource.externalId === value;
    return matches ? entry.value.userId : undefined;
  }

  /** The ids of the members this door manages, in a stable order (for paging). */
  async managedIds(): Promise<string[]> {
    return (await this.managed.list()).sort();
  }

  private async link(kind: LookupKind, value: string, id: string): Promise<void> {
    // Not `id`: that is the item's key attribute in the table.
    await compareAndSet<{ userId: string }>(this.records, this.clock, lookupKey(kind, value), (current) =>
      current?.userId === id ? undefined : { userId: id },
    );
  }
}

/** Every e-mail the record names, lower case: the IdP's values and DocSpace's own. */
function emailsOf(record: UserRecord): string[] {
  const emails = Array.isArray(record.resource.emails) ? record.resource.emails : [];
  const values = emails
    .map((e) => (typeof e === 'object' && e !== null ? (e as { value?: unknown }).value : undefined))
    .filter((v): v is string => typeof v === 'string');
  return [...new Set([record.email, ...values].map((v) => v.toLowerCase()))];
}
