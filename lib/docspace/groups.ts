/**
 * The Groups API calls SCIM makes, typed, as DocSpace's source shows them (docs/docspace-caveats.md#groups): create
 * (`POST api/2.0/group`, where a Guest or disabled member is a 400), get (with members), search (the name as a
 * substring, lower-cased by the server; paged by 100), rename and change members in one `PUT api/2.0/group/{id}`
 * with `membersToAdd`/`membersToRemove` (never the replace route, which drops the manager and refuses an empty list;
 * members who cannot join are skipped there without an error, so callers compare the answer), and delete (204).
 */
import * as z from 'zod';
import type { DocSpacePort } from './client';
import { DocSpaceError } from './errors';
import { profileSchema } from './types';

const enc = encodeURIComponent;

/** DocSpace's system groups (Constants.SystemGroups): membership in them is a user type; never written. */
const SYSTEM_GROUP_IDS: ReadonlySet<string> = new Set([
  'c5cc67d1-c3e8-43c0-a3ad-3928ae3e5b5e', // Everyone
  'aced04fa-dd96-4b35-af3e-346bf1eb972d', // Guest
  'abef62db-11a8-4673-9d32-ef1d8af19dc0', // RoomAdmin
  'cd84e66b-b803-40fc-99f9-b2969a54a1de', // DocSpaceAdmin
  '88f11e7c-7407-4bea-b4cb-070010cdbb6b', // User
]);
export const isSystemGroup = (id: string) => SYSTEM_GROUP_IDS.has(id.toLowerCase());
const SYSTEM_CATEGORY = '7717039d-fbe9-45ad-81c1-68a1aa10ce1f';

const groupSchema = z.object({
  id: z.string(),
  name: z.string(),
  category: z.string().optional(),
  isLDAP: z.boolean().optional(),
  isSystem: z.boolean().optional(),
  manager: profileSchema.optional(),
  /** Active and Pending members only (disabled members keep their membership, hidden); absent on list items. */
  members: z.array(profileSchema).optional(),
  membersCount: z.number().optional(),
});
export type Group = z.infer<typeof groupSchema>;

/** A system group (by id, flag or category): never written by this service. */
export const isSystem = (group: Group) => isSystemGroup(group.id) || group.isSystem === true || group.category === SYSTEM_CATEGORY;

const PAGE = 100;
/** Search pages read at most: 100 × 50 groups whose names contain the text. */
const MAX_PAGES = 50;

export interface GroupChange {
  /** Omitted: the name stays. */
  groupName?: string;
  membersToAdd?: string[];
  membersToRemove?: string[];
}

export class Groups {
  constructor(private readonly client: DocSpacePort) {}

  /** `POST api/2.0/group`: a second group of the same name is created without complaint (names are not unique). */
  create(name: string, members: string[]): Promise<Group> {
    return this.client.request('POST', 'api/2.0/group', {
      body: { groupName: name, ...(members.length ? { members } : {}) },
      schema: groupSchema,
    });
  }

  /** `GET api/2.0/group/{id}` with its members; null for an unknown or deleted group. */
  async get(id: string, includeMembers = true): Promise<Group | null> {
    try {
      return await this.client.request('GET', `api/2.0/group/${enc(id)}`, {
        query: { includeMembers: String(includeMembers) },
        schema: groupSchema,
      });
    } catch (error) {
      if (error instanceof DocSpaceError && error.notFound) return null;
      throw error;
    }
  }

  /**
   * `GET api/2.0/group?filterValue=`: every group whose name contains the text (any case), system groups never among
   * them; items carry no members. Paged through (100 a page).
   */
  async search(text: string): Promise<Group[]> {
    const found: Group[] = [];
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const batch = await this.client.request('GET', 'api/2.0/group', {
        query: { filterValue: text, startIndex: String(page * PAGE), count: String(PAGE) },
        schema: z.array(groupSchema),
      });
      found.push(...batch);
      if (batch.length < PAGE) break;
    }
    return found;
  }

  /** `PUT api/2.0/group/{id}`: rename, then add, then remove; members who cannot join are skipped silently. */
  update(id: string, change: GroupChange): Promise<Group> {
    return this.client.request('PUT', `api/2.0/group/${enc(id)}`, { body: change, schema: groupSchema });
  }

  /** `DELETE api/2.0/group/{id}`: 204; the group's room shares go with it; false when it was already gone. */
  async delete(id: string): Promise<boolean> {
    try {
      await this.client.request('DELETE', `api/2.0/group/${enc(id)}`, { schema: z.unknown() });
      return true;
    } catch (error) {
      if (error instanceof DocSpaceError && error.notFound) return false;
      throw error;
    }
  }
}
