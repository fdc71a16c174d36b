/**
 * The DocSpace port of plan mode: reads go to DocSpace, writes are recorded — method, path and body, in order — and
 * answered with what DocSpace would have answered, so the real sync rules run on and produce the plan themselves.
 *
 * What the plan changed is kept in an overlay that later reads see: a created member gets a placeholder id the plan
 * names (`{{member:1}}`) and is found by that id and by e-mail; a member whose type, status, contacts or names the
 * plan changed reads back changed. An asynchronous downgrade (`POST people/type`) answers "completed" at once, so a
 * rule never polls for a task that was never started.
 *
 * The recorder works on the request level, below People and Groups: both run unchanged on it.
 */
import type { z } from 'zod';
import type { DocSpacePort, RequestOptions } from '../docspace/client';
import { DocSpaceError } from '../docspace/errors';
import type { Profile } from '../docspace/types';
import { textOf } from '../json';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** One write of the plan, as it would be sent (the path from the API root, e.g. `/api/2.0/people`). */
export interface PlannedWrite {
  method: Exclude<Method, 'GET'>;
  path: string;
  body?: unknown;
  /** The placeholder this write's result gets (a created member or group); later writes name it in paths and bodies. */
  creates?: string;
}

interface PlannedGroup {
  id: string;
  name: string;
  members: Profile[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const PLACEHOLDER = /^\{\{(member|group):\d+\}\}$/;
/** A placeholder as encodeURIComponent leaves it in a path, shown back as itself. */
const ENCODED_PLACEHOLDER = /%7B%7B(member|group)%3A(\d+)%7D%7D/g;

/** A profile's type flags for a DocSpace user type (RoomAdmin 1, Guest 2, DocSpaceAdmin 3, User 4). */
const typeFlags = (type: number) => ({ isAdmin: type === 3, isRoomAdmin: type === 1, isVisitor: type === 2, isCollaborator: type === 4 });

const stringsOf = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

/** The plan of one session: every write in order, and the state it leaves, for the reads after it. */
export class PlanRecorder {
  readonly writes: PlannedWrite[] = [];
  /** Members as the plan left them, by id (lower case). */
  private readonly members = new Map<string, Profile | 'deleted'>();
  /** Members as DocSpace last answered them: the base a planned change starts from. */
  private readonly seen = new Map<string, Profile>();
  private readonly createdByEmail = new Map<string, string>();
  private readonly groups = new Map<string, PlannedGroup | 'deleted'>();
  /** Members whose asynchronous type change the plan started. */
  private readonly tasks = new Set<string>();
  private created = { member: 0, group: 0 };

  /** A port over `inner` (the invocation's DocSpace client) that records into this plan. */
  port(inner: DocSpacePort): DocSpacePort {
    return {
      request: <T>(method: Method, path: string, options: RequestOptions<T>): Promise<T> =>
        method === 'GET' ? this.read(inner, path, options) : this.write(inner, method, path, options),
    };
  }

  private async read<T>(inner: DocSpacePort, path: string, options: RequestOptions<T>): Promise<T> {
    const [, area, rest = ''] = /^api\/2\.0\/(people|group)\/?(.*)$/.exec(path) ?? [];
    if (area === 'people' && rest === 'email') {
      const email = (options.query?.email ?? '').trim().toLowerCase();
      const created = this.createdByEmail.get(email);
      if (created) return this.answerMember(created, options.schema, 'GET', path);
      return this.overlaid(await inner.request('GET', path, options));
    }
    if (area === 'people' && rest.startsWith('type/progress/')) {
      const id = decodeURIComponent(rest.slice('type/progress/'.length)).toLowerCase();
      if (this.tasks.has(id)) return options.schema.parse({ isCompleted: true, percentage: 100, error: null });
      return inner.request('GET', path, options);
    }
    if (area === 'people' && rest !== '' && !rest.includes('/')) {
      const id = decodeURIComponent(rest).toLowerCase();
      if (this.members.has(id) || PLACEHOLDER.test(id)) return this.answerMember(id, options.schema, 'GET', path);
      return this.overlaid(await inner.request('GET', path, options));
    }
    if (area === 'group' && rest !== '' && !rest.includes('/')) {
      const id = decodeURIComponent(rest).toLowerCase();
      if (this.groups.has(id) || PLACEHOLDER.test(id)) return options.schema.parse(this.plannedGroup(id, 'GET', path));
    }
    return inner.request('GET', path, options);
  }

  /** DocSpace's answer with what the plan changed laid over it (a member's, or a list of members'). */
  private overlaid<T>(answer: T): T {
    const one = (profile: unknown): unknown => {
      if (!isObject(profile) || typeof profile.id !== 'string') return profile;
      const id = profile.id.toLowerCase();
      const planned = this.members.get(id);
      if (planned === undefined) {
        this.seen.set(id, profile as Profile);
        return profile;
      }
      if (planned === 'deleted') throw new DocSpaceError(404, 'The user could not be found', 'GET', `api/2.0/people/${id}`);
      return { ...profile, ...planned };
    };
    return (Array.isArray(answer) ? answer.map(one) : one(answer)) as T;
  }

  private memberOf(id: string, method: string, path: string): Profile {
    const planned = this.members.get(id);
    if (planned === 'deleted' || (planned === undefined && PLACEHOLDER.test(id)))
      throw new DocSpaceError(404, 'The user could not be found', method, path);
    return planned ?? this.seen.get(id) ?? { id };
  }

  private answerMember<T>(id: string, schema: z.ZodType<T>, method: string, path: string): T {
    return schema.parse(this.memberOf(id, method, path));
  }

  private plannedGroup(id: string, method: string, path: string): PlannedGroup {
    const group = this.groups.get(id);
    if (group === undefined || group === 'deleted') throw new DocSpaceError(404, 'The group could not be found', method, path);
    return group;
  }

  /** Changes a member in the plan's overlay and gives the changed profile. */
  private change(id: string, edit: Partial<Profile>, path: string): Profile {
    const key = id.toLowerCase();
    const next = { ...this.memberOf(key, 'PUT', path), ...edit };
    this.members.set(key, next);
    return next;
  }

  private record(method: PlannedWrite['method'], path: string, options: RequestOptions<unknown>, creates?: string): void {
    const query = options.query ? `?${new URLSearchParams(options.query).toString()}` : '';
    this.writes.push({
      method,
      path: `/${path}${query}`.replace(ENCODED_PLACEHOLDER, '{{$1:$2}}'),
      ...(options.body === undefined ? {} : { body: structuredClone(options.body) }),
      ...(creates ? { creates } : {}),
    });
  }

  private async write<T>(inner: DocSpacePort, method: Exclude<Method, 'GET'>, path: string, options: RequestOptions<T>): Promise<T> {
    const body = isObject(options.body) ? options.body : {};
    const [, area, rest = ''] = /^api\/2\.0\/(people|group)\/?(.*)$/.exec(path) ?? [];
    const userIds = stringsOf(body.userIds);
    let answer: unknown;
    let creates: string | undefined;

    if (area === 'people' && method === 'POST' && rest === '') {
      creates = `{{member:${(this.created.member += 1)}}}`;
      const email = textOf(body.email);
      const contacts = Array.isArray(body.contacts) ? (body.contacts as Profile['contacts']) : undefined;
      const profile: Profile = {
        id: creates,
        email,
        firstName: textOf(body.firstName),
        lastName: textOf(body.lastName),
        ...(contacts?.length ? { contacts } : {}),
        status: 1,
        isOwner: false,
        ...typeFlags(Number(body.type ?? 1)),
      };
      this.members.set(creates, profile);
      this.createdByEmail.set(email.trim().toLowerCase(), creates);
      answer = profile;
    } else if (area === 'people' && method === 'PUT' && /^type\/\d$/.test(rest)) {
      answer = userIds.map((id) => this.change(id, typeFlags(Number(rest.slice(5))), path));
    } else if (area === 'people' && method === 'POST' && rest === 'type') {
      const userId = textOf(body.userId).toLowerCase();
      this.change(userId, typeFlags(Number(body.type)), path);
      this.tasks.add(userId);
      answer = { isCompleted: true, percentage: 100, error: null };
    } else if (area === 'people' && method === 'PUT' && /^status\/\d$/.test(rest)) {
      answer = userIds.map((id) => this.change(id, { status: Number(rest.slice(7)) }, path));
    } else if (area === 'people' && method === 'PUT' && rest.endsWith('/contacts')) {
      answer = this.change(
        decodeURIComponent(rest.slice(0, -'/contacts'.length)),
        { contacts: (body.contacts as Profile['contacts']) ?? [] },
        path,
      );
    } else if (area === 'people' && method === 'PUT' && rest !== '' && !rest.includes('/')) {
      answer = this.change(decodeURIComponent(rest), { firstName: textOf(body.firstName), lastName: textOf(body.lastName) }, path);
    } else if (area === 'people' && method === 'DELETE' && rest !== '' && !rest.includes('/')) {
      this.memberOf(decodeURIComponent(rest).toLowerCase(), method, path);
      this.members.set(decodeURIComponent(rest).toLowerCase(), 'deleted');
      answer = undefined;
    } else if (area === 'group' && method === 'POST' && rest === '') {
      creates = `{{group:${(this.created.group += 1)}}}`;
      const group: PlannedGroup = {
        id: creates,
        name: textOf(body.groupName),
        members: stringsOf(body.members).map((id) => this.memberOf(id.toLowerCase(), method, path)),
      };
      this.groups.set(creates, group);
      answer = group;
    } else if (area === 'group' && method === 'PUT' && rest !== '' && !rest.includes('/')) {
      const id = decodeURIComponent(rest).toLowerCase();
      const current: PlannedGroup =
        this.groups.has(id) || PLACEHOLDER.test(id)
          ? this.plannedGroup(id, method, path)
          : await inner.request('GET', path, { query: { includeMembers: 'true' }, schema: plannedGroupSchema(options.schema) });
      const removed = new Set(stringsOf(body.membersToRemove).map((m) => m.toLowerCase()));
      const kept = (current.members ?? []).filter((m) => !removed.has(m.id.toLowerCase()));
      const added = stringsOf(body.membersToAdd)
        .filter((m) => !kept.some((k) => k.id.toLowerCase() === m.toLowerCase()))
        .map((m) => this.memberOf(m.toLowerCase(), method, path));
      const group: PlannedGroup = {
        id: current.id,
        name: typeof body.groupName === 'string' ? body.groupName : current.name,
        members: [...kept, ...added],
      };
      this.groups.set(id, group);
      answer = group;
    } else if (area === 'group' && method === 'DELETE' && rest !== '' && !rest.includes('/')) {
      this.groups.set(decodeURIComponent(rest).toLowerCase(), 'deleted');
      answer = undefined;
    } else {
      throw new Error(`plan mode does not know what DocSpace answers to ${method} /${path}`);
    }
    this.record(method, path, options, creates);
    return options.schema.parse(answer);
  }
}

/** The group read before a planned group change: the change's own answer schema is a group's. */
const plannedGroupSchema = <T>(schema: z.ZodType<T>) => schema as unknown as z.ZodType<PlannedGroup>;
