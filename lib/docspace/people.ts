/**
 * The People API calls the sync makes, typed. What DocSpace does on each route, with the server source it was read
 * from: docs/docspace-caveats.md.
 */
import * as z from 'zod';
import type { DocSpacePort } from './client';
import { DocSpaceError } from './errors';
import { MemberStatus, profileSchema, taskProgressSchema, UserType, type NewMember, type Profile, type TaskProgress } from './types';

const enc = encodeURIComponent;
const profilesSchema = z.array(profileSchema);

/** The server's answer to an existing e-mail on create (ErrorEmailAlreadyExists, with the default "User" naming). */
export const isEmailTakenError = (error: unknown): boolean =>
  error instanceof DocSpaceError && error.status === 400 && /already registered/i.test(error.message);

/**
 * The route itself does not exist: 405, or a 404 that is not DocSpace's "could not be found" for a member (a
 * removed route answers from the framework, without DocSpace's error envelope).
 */
export const isMissingRouteError = (error: unknown): boolean =>
  error instanceof DocSpaceError && (error.status === 405 || (error.status === 404 && !/could not be found/i.test(error.message)));

async function nullWhenNotFound<T>(call: Promise<T>): Promise<T | null> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof DocSpaceError && error.notFound) return null;
    throw error;
  }
}

/** The most `people/filter` answers at once (`ApiContext.MaxCount`; docs/docspace-caveats.md#listing-members-peoplefilter). */
export const MEMBERS_PAGE_SIZE = 100;

/** One page of `people/filter`: the members, and the number of matches (the envelope's `total`). */
export interface MembersPage {
  members: Profile[];
  total: number;
}

export class People {
  constructor(private readonly client: DocSpacePort) {}

  /** `POST api/2.0/people`. The type is always sent: omitted, the server files the member as a paid RoomAdmin. */
  createMember(member: NewMember): Promise<Profile> {
    return this.client.request('POST', 'api/2.0/people', { body: member, schema: profileSchema });
  }

  /**
   * `GET api/2.0/people/@self`: the member the API key belongs to (the call DocSpace's own API-key guide makes,
   * api.onlyoffice.com/docspace/api-backend/get-started/authentication/api-keys). Read-only.
   */
  self(): Promise<Profile> {
    return this.client.request('GET', 'api/2.0/people/@self', { schema: profileSchema });
  }

  getMember(userId: string): Promise<Profile | null> {
    return nullWhenNotFound(this.client.request('GET', `api/2.0/people/${enc(userId)}`, { schema: profileSchema }));
  }

  findMemberByEmail(email: string): Promise<Profile | null> {
    return nullWhenNotFound(this.client.request('GET', 'api/2.0/people/email', { query: { email }, schema: profileSchema }));
  }

  /**
   * `GET api/2.0/people/filter` with `startIndex`/`count` (at most 100) and `employeeStatus=7` (all: active,
   * disabled, pending; omitted, only an admin caller would see the disabled ones), ordered by
   * first name, the owner among them. The envelope's `total` says how many match; without it, a short page is the last.
   */
  async listMembers(startIndex: number, count = MEMBERS_PAGE_SIZE): Promise<MembersPage> {
    let total: number | undefined;
    const members = await this.client.request('GET', 'api/2.0/people/filter', {
      query: { employeeStatus: '7', sortBy: 'firstName', startIndex: String(startIndex), count: String(count) },
      schema: profilesSchema,
      onTotal: (t) => (total = t),
    });
    return { members, total: total ?? (members.length < count ? startIndex + members.length : startIndex + members.length + 1) };
  }

  /** `PUT api/2.0/people/type/{type}`: upgrades only, and a 403 when the type is already that one. */
  async upgradeType(userId: string, type: UserType): Promise<Profile> {
    const updated = await this.client.request('PUT', `api/2.0/people/type/${type}`, {
      body: { userIds: [userId] },
      schema: profilesSchema,
    });
    const profile = updated.find((p) => p.id === userId);
    if (!profile) throw new DocSpaceError(502, 'DocSpace did not return the re-typed member', 'PUT', 'api/2.0/people/type');
    return profile;
  }

  /** `POST api/2.0/people/type`: the asynchronous downgrade to User or Guest; the member's rooms go to `reassignUserId`. */
  startTypeDowngrade(userId: string, type: typeof UserType.User | typeof UserType.Guest, reassignUserId?: string): Promise<TaskProgress> {
    return this.client.request('POST', 'api/2.0/people/type', {
      body: { type, userId, ...(reassignUserId ? { reassignUserId } : {}) },
      schema: taskProgressSchema,
    });
  }

  typeChangeProgress(userId: string): Promise<TaskProgress> {
    return this.client.request('GET', `api/2.0/people/type/progress/${enc(userId)}`, { schema: taskProgressSchema });
  }

  /** `PUT api/2.0/people/status/{status}`: 2 disables (Terminated), 1 enables (Active). */
  async setStatus(userId: string, status: typeof MemberStatus.Active | typeof MemberStatus.Disabled): Promise<void> {
    await this.client.request('PUT', `api/2.0/people/status/${status}`, { body: { userIds: [userId] }, schema: profilesSchema });
  }

  /** `PUT api/2.0/people/{id}/contacts` replaces the whole list (servers up to v3.1.1; gone since v3.2.1). */
  setContacts(userId: string, contacts: { type: string; value: string }[]): Promise<Profile> {
    return this.client.request('PUT', `api/2.0/people/${enc(userId)}/contacts`, {
      body: { contacts },
      schema: profileSchema,
    });
  }

  /**
   * `PUT api/2.0/people/{id}` with the names. DocSpace applies names only when members edit themselves; for anybody
   * else it answers 200 and keeps theirs (docs/docspace-caveats.md#another-members-names-and-contacts), so the caller
   * compares the profile it gets back.
   */
  updateNames(userId: string, firstName: string, lastName: string): Promise<Profile> {
    return this.client.request('PUT', `api/2.0/people/${enc(userId)}`, { body: { userId, firstName, lastName }, schema: profileSchema });
  }

  /**
   * `DELETE api/2.0/people/{id}`: only a disabled member (403 otherwise); the server then removes the member's data in
   * a background task (docs/docspace-caveats.md#disabling-and-deleting).
   */
  async deleteMember(userId: string): Promise<void> {
    await this.client.request('DELETE', `api/2.0/people/${enc(userId)}`, { schema: z.unknown() });
  }
}
