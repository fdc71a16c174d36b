/**
 * A DocSpace People API emulator that behaves like the real server for every call this project makes (each rule,
 * with the server source it was read from, in docs/docspace-caveats.md; "UserController" below is
 * products/ASC.People/Server/Api/UserController.cs and "GroupsController" products/ASC.People/Server/Api/
 * GroupsController.cs of github.com/ONLYOFFICE/DocSpace-server, line numbers at tag v3.7.2-server): the
 * `{response, status, statusCode}` envelope and error shapes, Bearer
 * API keys (401), unique e-mails (400 with the real message), 404 for unknown ids, the user-type rules and the
 * asynchronous downgrade with progress, contacts stored as a list and replaced whole.
 *
 * Profiles: `v3.1` (contacts routes live, the default) and `current` (v3.2.1+: no contacts routes, and
 * `PUT people/{id}` ignores other members' names and contacts while answering 200).
 *
 * The rules enforced, each from the server's source: who may create which type (Guest never, DocSpaceAdmin only by
 * the owner), the type routes' caller and target rules and the refusal of a disabled member (here a 403 on both
 * routes; the server's asynchronous route answers 400), the status rules, the owner untouchable by anybody else,
 * contacts replaced whole, and the unique e-mail check that is a check then a save, so two concurrent creates of one
 * address can both succeed, as on the real server (`GET people/email` then answers the first).
 *
 * Every API key belongs to a member: those given in `apiKeys` or `setApiKeys` to the portal owner (as our key
 * does), others through `addApiKey`.
 *
 * The Groups API (docs/docspace-caveats.md#groups) with its awkward parts: names are not unique, the list
 * searches names as a lower-cased substring and pages with `total`, Guests and disabled members cannot join (400 on
 * create, skipped silently on `PUT group/{id}`), disabled members keep their membership but are hidden from
 * `members`, a downgrade to Guest (`POST people/type`) drops every membership, system-group ids resolve on GET but
 * are never listed, reads need a RoomAdmin or admin caller and writes an admin, a key with scopes needs
 * `accounts:read` (or `*:read`, `*:write`, `*`) to read groups, and DELETE answers 204 with no body. The replace,
 * add, remove and manager member routes are not emulated (404): this project does not use them.
 *
 * Test hooks, outside the API: `GET /__emulator/state`, `POST /__emulator/reset`, `PUT /__emulator/keys`,
 * `PUT /__emulator/outage` (`{"down": true}`: every API call answers 503 until `{"down": false}`).
 */
import { randomUUID } from 'node:crypto';
import { setImmediate as yieldToOthers } from 'node:timers/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FaultInjector, gate, RateLimiter, type Fault, type FaultOptions, type Gate } from './faults';
import { HttpEmulator, readBody, sendJson } from './http';
import { textOf } from '../../lib/json';

export type DocSpaceProfile = 'v3.1' | 'current';
type TypeNumber = 1 | 2 | 3 | 4;

export interface Member {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  type: TypeNumber;
  isOwner: boolean;
  /** 1 Active, 2 Terminated (disabled). */
  status: 1 | 2;
  /** 0 NotActivated, 1 Activated, 2 Pending. */
  activationStatus: 0 | 1 | 2;
  contacts: { type: string; value: string }[];
  registrationDate: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  /** The status answered; 0 when the connection was dropped unapplied, minus the status when applied then dropped. */
  status: number;
}

export interface EmulatedGroup {
  id: string;
  name: string;
  /** Member ids in the order they joined (disabled members stay, hidden from the DTO). */
  members: string[];
  managerId?: string;
}

/** A list answer with the envelope's `total` (GroupsController L88–90). */
class Page {
  constructor(
    readonly items: unknown[],
    readonly total: number,
  ) {}
}
/** `NoContent()`: 204 with an empty body, no envelope. */
const NO_CONTENT = Symbol('no content');

interface TypeTask {
  id: string;
  userId: string;
  type: TypeNumber;
  pollsLeft: number;
  error?: string;
}

export interface DocSpaceEmulatorOptions {
  profile?: DocSpaceProfile;
  apiKeys?: string[];
  /** Progress polls before an asynchronous downgrade completes. */
  downgradePolls?: number;
  faults?: FaultOptions;
  /** Requests per second before the limiter answers 429. */
  rateLimitPerSecond?: number;
}

export const OWNER_ID = '6d1a1b3c-0000-4000-8000-00000000a001';
/** Constants.SystemGroups: names and ids. */
const SYSTEM_GROUPS: Record<string, string> = {
  'c5cc67d1-c3e8-43c0-a3ad-3928ae3e5b5e': 'Everyone',
  'aced04fa-dd96-4b35-af3e-346bf1eb972d': 'Guest',
  'abef62db-11a8-4673-9d32-ef1d8af19dc0': 'RoomAdmin',
  'cd84e66b-b803-40fc-99f9-b2969a54a1de': 'DocSpaceAdmin',
  '88f11e7c-7407-4bea-b4cb-070010cdbb6b': 'User',
};
const SYSTEM_CATEGORY = '7717039d-fbe9-45ad-81c1-68a1aa10ce1f';
const EMPTY_GUID = '00000000-0000-0000-0000-000000000000';
const GROUP_READ_SCOPES = ['accounts:read', '*:read', '*:write', '*'];
const GROUP_WRITE_SCOPES = ['accounts:write', '*:write', '*'];
const TYPE_NAMES: Record<TypeNumber, string> = { 1: 'RoomAdmin', 2: 'Guest', 3: 'DocSpaceAdmin', 4: 'User' };
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// The server checks addresses with .NET's MailAddress and [EmailAddress]; this is close enough for an emulator.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
// UserFormatter.IsValidUserName accepts letters, marks, spaces, apostrophes, dots and hyphens (approximately).
const NAME = /^[\p{L}\p{M}' .-]+$/u;

class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Framework answers (no route, bad API key) carry no DocSpace envelope. */
    readonly bare = false,
  ) {
    super(message);
  }
}

const accessDenied = () => new ApiError(403, 'Access denied');
/** A DocSpace admin: the owner or a DocSpaceAdmin. */
const isAdmin = (m: Member) => m.isOwner || m.type === 3;
const userNotFound = () => new ApiError(404, 'The user could not be found');

/** Request binding in ASP.NET ignores the case of JSON property names. */
function field(body: unknown, name: string): unknown {
  if (typeof body !== 'object' || body === null) return undefined;
  const key = Object.keys(body).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : (body as Record<string, unknown>)[key];
}

function parseType(value: unknown): TypeNumber | 0 | undefined {
  if (value === undefined || value === null) return undefined;
  const n =
    typeof value === 'string' && !/^\d+$/.test(value)
      ? Number(
          Object.entries(TYPE_NAMES).find(([, name]) => name.toLowerCase() === value.toLowerCase())?.[0] ??
            (value.toLowerCase() === 'all' ? 0 : NaN),
        )
      : Number(value);
  if (n === 0 || n === 1 || n === 2 || n === 3 || n === 4) return n;
  throw new ApiError(400, `The JSON value could not be converted to ASC.Core.Users.EmployeeType.`);
}

function contactsFrom(value: unknown): { type: string; value: string }[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new ApiError(400, 'The JSON value could not be converted to Contact[].');
  // The server keeps one "type|value|…" string built from the entries whose value is not empty.
  return value.map((c) => ({ type: textOf(field(c, 'type')), value: textOf(field(c, 'value')) })).filter((c) => c.value !== '');
}

export class DocSpaceEmulator extends HttpEmulator {
  profile: DocSpaceProfile;
  readonly members = new Map<string, Member>();
  readonly groups = new Map<string, EmulatedGroup>();
  /** API key → its scopes; a key without an entry (or with an empty list) has every scope. */
  private readonly scopes = new Map<string, string[]>();
  /** The first member saved with each address (lower case): what `GET people/email` answers. */
  private readonly idByEmail = new Map<string, string>();
  readonly requests: RecordedRequest[] = [];
  /** API key → the member it belongs to. */
  private keys: Map<string, string>;
  private failures: { fault: Fault; when?: { method: string; path: string } }[] = [];
  faults: FaultInjector | undefined;
  rateLimiter: RateLimiter | undefined;
  private readonly tasks = new Map<string, TypeTask>();
  /** Progress polls before a new asynchronous downgrade completes. */
  downgradePolls: number;

  constructor(options: DocSpaceEmulatorOptions = {}) {
    super();
    this.profile = options.profile ?? 'v3.1';
    this.keys = new Map((options.apiKeys ?? []).map((key) => [key, OWNER_ID]));
    this.downgradePolls = options.downgradePolls ?? 2;
    this.setFaults(options.faults, options.rateLimitPerSecond);
    this.seedOwner();
  }

  /** TCP connections accepted so far (a warm container should open one). */
  get connections(): number {
    return this.server.connections;
  }

  reset(options: { profile?: DocSpaceProfile } = {}): void {
    if (options.profile) this.profile = options.profile;
    this.members.clear();
    this.groups.clear();
    this.scopes.clear();
    this.idByEmail.clear();
    this.tasks.clear();
    this.failures = [];
    this.requests.length = 0;
    this.seedOwner();
  }

  /** The owner's keys, replacing every key there was. */
  setApiKeys(keys: string[]): void {
    this.keys = new Map(keys.map((key) => [key, OWNER_ID]));
  }

  /** A key of another member: calls made with it are that member's (a DocSpaceAdmin who is not the owner, say). */
  addApiKey(key: string, userId: string, scopes: string[] = []): void {
    this.keys.set(key, userId);
    if (scopes.length) this.scopes.set(key, scopes);
  }

  /** A group as the Groups API would have made it (test set-up). */
  addGroup(name: string, members: string[] = []): EmulatedGroup {
    const group: EmulatedGroup = { id: randomUUID(), name, members: [...new Set(members.map((m) => m.toLowerCase()))] };
    this.groups.set(group.id, group);
    return group;
  }

  /** A member's groups (hidden memberships of disabled members included). */
  groupsOf(userId: string): EmulatedGroup[] {
    return [...this.groups.values()].filter((g) => g.members.includes(userId.toLowerCase()));
  }

  /** UpdateUserTypeProgressItem L221–229: a member who becomes a Guest leaves every custom group. */
  private typeChanged(member: Member, type: TypeNumber): void {
    member.type = type;
    if (type === 2) for (const group of this.groups.values()) this.leave(group, member.id);
  }

  private leave(group: EmulatedGroup, userId: string): void {
    group.members = group.members.filter((m) => m !== userId);
    if (group.managerId === userId) delete group.managerId;
  }

  /** The next `count` API requests fail with `status` (and headers such as Retry-After), without any effect. */
  failNext(count: number, status: number, headers: Record<string, string> = {}): void {
    this.faultNext(count, { kind: 'status', status, headers });
  }

  /** The next `count` API requests (only those to `when`, if given) meet this fault, a dropped connection say. */
  faultNext(count: number, fault: Fault, when?: { method: string; path: string }): void {
    for (let i = 0; i < count; i += 1) this.failures.push({ fault, ...(when ? { when } : {}) });
  }

  private plannedFault(method: string, path: string): Fault | undefined {
    const index = this.failures.findIndex(({ when }) => !when || (when.method === method && when.path === path));
    return index < 0 ? undefined : this.failures.splice(index, 1)[0]?.fault;
  }

  /** Holds the next request to `when` at the door until the test opens the returned gate. */
  holdNext(when: { method: string; path: string }): Gate {
    const held = gate();
    this.faultNext(1, { kind: 'held', gate: held }, when);
    return held;
  }

  /**
   * Completes every running type-change task now, as the server's background task would whether anybody polls or
   * not: the member takes the task's type (even if another change landed meanwhile), and progress reads completed.
   */
  finishTypeTasks(): void {
    for (const task of this.tasks.values()) {
      if (task.error || task.pollsLeft === 0) continue;
      task.pollsLeft = 0;
      const member = this.members.get(task.userId);
      if (member) this.typeChanged(member, task.type);
    }
  }

  /** Random faults at a seeded rate, and a request-per-second limit; both off when undefined. */
  setFaults(faults: FaultOptions | undefined, rateLimitPerSecond?: number): void {
    this.faults = faults ? new FaultInjector(faults) : undefined;
    this.rateLimiter = rateLimitPerSecond ? new RateLimiter(rateLimitPerSecond) : undefined;
  }

  addMember(partial: Partial<Member> & Pick<Member, 'email'>): Member {
    const member: Member = {
      id: randomUUID(),
      firstName: 'Test',
      lastName: 'Member',
      type: 4,
      isOwner: false,
      status: 1,
      activationStatus: 1,
      contacts: [],
      registrationDate: new Date().toISOString(),
      ...partial,
    };
    this.members.set(member.id, member);
    if (!this.idByEmail.has(member.email.toLowerCase())) this.idByEmail.set(member.email.toLowerCase(), member.id);
    return member;
  }

  memberByEmail(email: string): Member | undefined {
    const id = this.idByEmail.get(email.toLowerCase());
    return id === undefined ? undefined : this.members.get(id);
  }

  /** Requests made to the People API (test hooks excluded), optionally only the writes. */
  calls(filter: { writes?: boolean } = {}): RecordedRequest[] {
    return filter.writes ? this.requests.filter((r) => r.method !== 'GET') : [...this.requests];
  }

  private seedOwner(): void {
    this.addMember({ id: OWNER_ID, email: 'owner@docspace.local', firstName: 'Portal', lastName: 'Owner', type: 3, isOwner: true });
  }

  private toDto(m: Member): Record<string, unknown> {
    return {
      id: m.id,
      displayName: `${m.firstName} ${m.lastName}`,
      firstName: m.firstName,
      lastName: m.lastName,
      userName: m.email.split('@')[0],
      email: m.email,
      ...(m.contacts.length ? { contacts: m.contacts } : {}),
      status: m.status,
      activationStatus: m.activationStatus,
      isAdmin: m.type === 3 && !m.isOwner,
      isOwner: m.isOwner,
      isRoomAdmin: m.type === 1,
      isVisitor: m.type === 2,
      isCollaborator: m.type === 4,
      isLDAP: false,
      isSSO: false,
      profileUrl: `${this.url}/accounts/view/${m.email.split('@')[0]}`,
      avatar: '/static/images/default_user_photo_size_82-82.png',
      hasAvatar: false,
      isAnonim: false,
      registrationDate: m.registrationDate,
    };
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const method = req.method ?? 'GET';
    const text = await readBody(req);
    if (url.pathname.startsWith('/__emulator/')) return this.handleHook(method, url.pathname, text, res);

    const query = Object.fromEntries(url.searchParams);
    const record = (status: number, body: unknown) => this.requests.push({ method, path: url.pathname, query, body, status });
    const limited = this.rateLimiter?.take();
    if (limited) {
      // The limiter answers with headers only, no JSON body.
      res.writeHead(429, limited).end();
      return void record(429, text || undefined);
    }
    const fault = this.plannedFault(method, url.pathname) ?? this.faults?.next();
    if (fault?.kind === 'status') {
      // Proxies answer 502/503 with an HTML page; 429 has headers only.
      res.writeHead(fault.status, { 'content-type': 'text/html', ...fault.headers });
      res.end(fault.status === 429 ? '' : `<html><body>${fault.status}</body></html>`);
      return void record(fault.status, text || undefined);
    }
    if (fault?.kind === 'drop') {
      res.socket?.destroy();
      return void record(0, text || undefined);
    }
    if (fault?.kind === 'slow') await new Promise((resolve) => setTimeout(resolve, fault.ms));
    if (fault?.kind === 'held') await fault.gate.pass();

    const { status, body, payload } = await this.process(method, url, query, text, req.headers.authorization);
    if (fault?.kind === 'appliedThenDrop') {
      res.socket?.destroy();
      return void record(-status, body);
    }
    sendJson(res, status, payload);
    record(status, body);
  }

  /** Runs one API request against the state: the HTTP status, the parsed request body and the answer's body. */
  private async process(method: string, url: URL, query: Record<string, string>, text: string, authorization: string | undefined) {
    let body: unknown;
    try {
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        throw new ApiError(400, 'The JSON value could not be parsed.');
      }
      const caller = this.authenticate(authorization);
      const response = await this.route(method, url.pathname, query, body, caller, this.scopesOf(authorization));
      if (response === NO_CONTENT) return { status: 204, body, payload: undefined };
      const links = [{ href: url.href, action: method }];
      if (response instanceof Page) {
        return {
          status: 200,
          body,
          payload: { response: response.items, count: response.items.length, links, total: response.total, status: 0, statusCode: 200 },
        };
      }
      const count = Array.isArray(response) ? response.length : 1;
      return { status: 200, body, payload: { response, count, links, status: 0, statusCode: 200 } };
    } catch (error) {
      const e = error instanceof ApiError ? error : new ApiError(500, error instanceof Error ? error.message : String(error));
      const payload = e.bare
        ? undefined
        : { error: { message: e.message, type: 'System.Exception', hresult: -2146233088 }, status: 1, statusCode: e.status };
      return { status: e.status, body, payload };
    }
  }

  /** The member the key belongs to. */
  private authenticate(header: string | undefined): Member {
    if (!header) throw new ApiError(401, 'Unauthorized');
    const match = /^Bearer (sk-[0-9a-z]+)$/i.exec(header);
    const userId = match ? this.keys.get(match[1] as string) : undefined;
    const caller = userId === undefined ? undefined : this.members.get(userId);
    // A wrong key fails inside the auth handler: 401 without the JSON envelope. So does the key of a disabled member.
    if (!caller || caller.status !== 1) throw new ApiError(401, 'Unauthorized', true);
    return caller;
  }

  private scopesOf(header: string | undefined): string[] {
    const key = /^Bearer (sk-[0-9a-z]+)$/i.exec(header ?? '')?.[1];
    return key === undefined ? [] : (this.scopes.get(key) ?? []);
  }

  private member(id: string): Member {
    const found = this.members.get(id.toLowerCase()) ?? [...this.members.values()].find((m) => m.email.split('@')[0] === id);
    if (!found) throw userNotFound();
    return found;
  }

  private async route(
    method: string,
    path: string,
    query: Record<string, string>,
    body: unknown,
    caller: Member,
    scopes: string[],
  ): Promise<unknown> {
    const p = path.replace(/\/+$/, '').split('/').slice(1); // ['api', '2.0', 'people', ...]
    if (p[0] === 'api' && p[1] === '2.0' && p[2] === 'group') return this.routeGroup(method, p.slice(3), query, body, caller, scopes);
    if (p[0] !== 'api' || p[1] !== '2.0' || p[2] !== 'people') throw new ApiError(404, '', true);
    const segments = p.slice(3);
    const [a, b, c] = segments;
    const n = segments.length;
    if (a === 'type') {
      if (method === 'PUT' && n === 2 && b !== 'terminate') return this.upgrade(parseType(b), body, caller);
      if (method === 'POST' && n === 1) return this.startDowngrade(body, caller);
      if (method === 'GET' && n === 3 && b === 'progress') return this.progress(c as string);
    } else if (a === 'email') {
      if (method === 'GET' && n === 1) return this.byEmail(query.email);
    } else if (a === 'filter') {
      if (method === 'GET' && n === 1) return this.filterMembers(query, caller);
    } else if (a === 'status') {
      if (method === 'PUT' && n === 2) return this.setStatus(b as string, body, caller);
    } else if (n === 0) {
      if (method === 'POST') return this.create(body, caller);
    } else if (a === '@self' && n === 1) {
      // UserController's `[HttpGet("@self")]`: the caller's own profile, whatever their type.
      if (method === 'GET') return this.toDto(caller);
    } else if (n === 1) {
      if (method === 'GET') return this.toDto(this.member(a as string));
      if (method === 'PUT') return this.update(this.member(a as string), body, caller);
      if (method === 'DELETE') return this.remove(this.member(a as string), caller);
    } else if (n === 2 && b === 'contacts' && (method === 'PUT' || method === 'POST')) {
      // Removed in v3.2.1 (commented out in ContactsController): the framework answers 404.
      if (this.profile !== 'current') return this.replaceContacts(this.member(a as string), body, caller);
    }
    throw new ApiError(404, '', true);
  }

  private async create(body: unknown, caller: Member): Promise<unknown> {
    const email = field(body, 'email');
    if (email === undefined || email === null) throw new ApiError(400, "Value cannot be null. (Parameter 'address')");
    if (typeof email !== 'string' || !EMAIL.test(email) || email.length > 255) {
      throw new ApiError(400, 'Incorrect email');
    }
    const firstName = textOf(field(body, 'firstName')).trim();
    const lastName = textOf(field(body, 'lastName')).trim();
    if (!NAME.test(firstName) || !NAME.test(lastName) || firstName.length > 255 || lastName.length > 255) {
      throw new ApiError(400, 'Incorrect firstname or lastname');
    }
    const type = parseType(field(body, 'type'));
    // UserController L260–266: guests are never created on this route; a RoomAdmin needs a DocSpaceAdmin caller, a DocSpaceAdmin
    // the owner. Members of type User or Guest cannot add anybody.
    if (type === 2) throw accessDenied();
    if (!isAdmin(caller)) throw accessDenied();
    if (type === 3 && !caller.isOwner) throw accessDenied();
    // CheckUniqueEmailAsync, then SaveUserInfo: a check and a save with I/O between them and no lock, so two
    // concurrent creates of one new address can both pass the check.
    if (this.memberByEmail(email)) throw new ApiError(400, 'User with this email is already registered');
    await yieldToOthers();
    const member = this.addMember({
      email,
      firstName,
      lastName,
      // Omitted (0, All) the member lands in no type group, which reads back as RoomAdmin.
      type: type === undefined || type === 0 ? 1 : type,
      activationStatus: 2,
      contacts: contactsFrom(field(body, 'contacts')) ?? [],
    });
    return this.toDto(member);
  }

  private byEmail(email: string | undefined): unknown {
    if (!email?.trim()) throw new ApiError(400, "Value cannot be null. (Parameter 'email')");
    const member = this.memberByEmail(email.trim());
    if (!member) throw userNotFound();
    return this.toDto(member);
  }

  /** Only `disable` and `isUser` apply to other members; names and contacts only when a member edits themself. */
  private update(member: Member, body: unknown, caller: Member): unknown {
    const self = member.id === caller.id;
    if (member.isOwner && !self) throw accessDenied();
    if (!self && !isAdmin(caller)) throw accessDenied();
    if (self) {
      const firstName = field(body, 'firstName');
      const lastName = field(body, 'lastName');
      if (typeof firstName === 'string') member.firstName = firstName;
      if (typeof lastName === 'string') member.lastName = lastName;
      const contacts = contactsFrom(field(body, 'contacts'));
      if (contacts) member.contacts = contacts;
    } else {
      const disable = field(body, 'disable');
      if (typeof disable === 'boolean') {
        if (member.type === 3 && !caller.isOwner) throw accessDenied();
        member.status = disable ? 2 : 1;
      }
      // UserController L2003–2033: isUser true files the member as a Guest (never an admin), false takes a guest out of the
      // Guest group, which reads back as RoomAdmin.
      const isUser = field(body, 'isUser');
      if (isUser === true && member.type !== 3) member.type = 2;
      if (isUser === false && member.type === 2) member.type = 1;
    }
    return this.toDto(member);
  }

  /**
   * `DELETE people/{id}` (UserController L697–700): an admin removes a member who is disabled first ("The user is not suspended",
   * 403, otherwise); never the owner or the caller; a DocSpaceAdmin only by the owner.
   */
  private remove(member: Member, caller: Member): unknown {
    if (!isAdmin(caller) || member.isOwner || member.id === caller.id || (member.type === 3 && !caller.isOwner)) throw accessDenied();
    if (member.status !== 2) throw new ApiError(403, 'The user is not suspended');
    this.members.delete(member.id);
    for (const group of this.groups.values()) this.leave(group, member.id);
    if (this.idByEmail.get(member.email.toLowerCase()) === member.id) this.idByEmail.delete(member.email.toLowerCase());
    return this.toDto(member);
  }

  private userIds(body: unknown): Member[] {
    const ids = field(body, 'userIds');
    if (!Array.isArray(ids)) throw new ApiError(400, "Value cannot be null. (Parameter 'userIds')");
    return ids.map((id) => this.member(String(id)));
  }

  /**
   * `PUT people/type/{type}` (UserController L2223–2242; UserManagerWrapper.UpdateUserTypeAsync, L260–350 of
   * web/ASC.Web.Core/Users/UserManagerWrapper.cs), per member:
   * 403 for a disabled member, the owner, the caller themself, or a Guest caller; → DocSpaceAdmin only by the owner
   * and only from RoomAdmin, User or Guest; → RoomAdmin by a DocSpaceAdmin from User or Guest, or from DocSpaceAdmin
   * when the caller is the owner; → User only from Guest; → Guest never. The same type again is a 403 too: the route
   * is not idempotent. Nothing changes unless every member passes.
   */
  private upgrade(type: TypeNumber | 0 | undefined, body: unknown, caller: Member): unknown {
    const members = this.userIds(body);
    for (const m of members) {
      if (m.status === 2 || m.isOwner || m.id === caller.id || caller.type === 2) throw accessDenied();
      const allowed =
        (type === 3 && caller.isOwner && [1, 4, 2].includes(m.type)) ||
        (type === 1 && isAdmin(caller) && ([4, 2].includes(m.type) || (m.type === 3 && caller.isOwner))) ||
        (type === 4 && m.type === 2 && (isAdmin(caller) || caller.type === 1));
      if (!allowed) throw accessDenied();
    }
    for (const m of members) m.type = type as TypeNumber;
    return members.map((m) => this.toDto(m));
  }

  /**
   * `POST people/type` (UserController L2276–2325): only to User or Guest (else 400 "Can not update to …"); the owner,
   * the caller themself and a disabled member are refused with 403 as on the synchronous route (the server refuses
   * the last two with 400 "Can not update type" on this route; the sync checks for a disabled member before it calls).
   */
  private startDowngrade(body: unknown, caller: Member): unknown {
    const type = parseType(field(body, 'type'));
    if (type !== 2 && type !== 4)
      throw new ApiError(400, `Can not update to ${type === undefined ? 'All' : (TYPE_NAMES[type as TypeNumber] ?? 'All')}`);
    const userId = field(body, 'userId');
    if (typeof userId !== 'string' || !GUID.test(userId)) throw new ApiError(400, 'The JSON value could not be converted to System.Guid.');
    const member = this.member(userId);
    if (member.isOwner || member.id === caller.id || member.status === 2) throw accessDenied();
    // The rooms go to `reassignUserId`, by default the caller, who must be a RoomAdmin or DocSpaceAdmin.
    if (!isAdmin(caller) && caller.type !== 1) throw accessDenied();
    const reassign = field(body, 'reassignUserId');
    const task: TypeTask = { id: randomUUID(), userId: member.id, type, pollsLeft: this.downgradePolls };
    if (reassign !== undefined && reassign !== null && !this.members.has(textOf(reassign).toLowerCase())) {
      task.error = 'The user could not be found';
    }
    this.tasks.set(member.id, task);
    return this.progressDto(task);
  }

  private progress(userId: string): unknown {
    const task = this.tasks.get(userId.toLowerCase());
    if (!task) throw userNotFound();
    if (!task.error && task.pollsLeft > 0) {
      task.pollsLeft -= 1;
      if (task.pollsLeft === 0) this.typeChanged(this.member(task.userId), task.type);
    }
    return this.progressDto(task);
  }

  private progressDto(task: TypeTask): unknown {
    const done = task.error !== undefined || task.pollsLeft === 0;
    const percentage = task.error ? 0 : Math.round(100 * (1 - task.pollsLeft / Math.max(1, this.downgradePolls)));
    return {
      id: task.id,
      ...(task.error ? { error: task.error } : {}),
      percentage,
      isCompleted: done,
      status: task.error ? 4 : done ? 2 : 1,
    };
  }

  /** `PUT people/status/{status}` (UserController L2074–2192): never the owner or the caller; a DocSpaceAdmin only by the owner. */
  private setStatus(status: string, body: unknown, caller: Member): unknown {
    if (status !== '1' && status !== '2') throw new ApiError(400, 'Incorrect status');
    const members = this.userIds(body);
    if (!isAdmin(caller)) throw accessDenied();
    for (const m of members) if (m.isOwner || m.id === caller.id || (m.type === 3 && !caller.isOwner)) throw accessDenied();
    for (const m of members) m.status = status === '1' ? 1 : 2;
    return members.map((m) => this.toDto(m));
  }

  /** Up to v3.1.1: `UpdateContactsAsync` overwrites the whole list, whatever the doc comment says about merging. */
  private replaceContacts(member: Member, body: unknown, caller: Member): unknown {
    if (member.isOwner && member.id !== caller.id) throw accessDenied();
    member.contacts = contactsFrom(field(body, 'contacts')) ?? member.contacts;
    return this.toDto(member);
  }

  // ---- Groups API (docs/docspace-caveats.md#groups) ----

  private routeGroup(
    method: string,
    segments: string[],
    query: Record<string, string>,
    body: unknown,
    caller: Member,
    scopes: string[],
  ): unknown {
    const [id, more] = segments;
    const read = method === 'GET';
    // ScopesMap (common/ASC.Api.Core/Auth/AuthorizationExtension.cs): a key with scopes needs one of the listed ones; the refusal is a 403 with no body.
    if (scopes.length && !scopes.some((s) => (read ? GROUP_READ_SCOPES : GROUP_WRITE_SCOPES).includes(s)))
      throw new ApiError(403, 'Forbidden', true);
    // Reads: RoomAdmin allowed, User denied, Guest none; writes: admins only (Acl.cs, AzManager).
    if (read ? !(isAdmin(caller) || caller.type === 1) : !isAdmin(caller)) throw accessDenied();
    // `{id:guid}`: anything else matches no route.
    if (id !== undefined && !GUID.test(id)) throw new ApiError(404, '', true);
    if (more !== undefined) throw new ApiError(404, '', true);
    if (id === undefined && method === 'GET') return this.listGroups(query);
    if (id === undefined && method === 'POST') return this.createGroup(body);
    if (id !== undefined && method === 'GET') return this.groupDto(this.group(id), query.includeMembers?.toLowerCase() !== 'false');
    if (id !== undefined && method === 'PUT') return this.updateGroup(this.writableGroup(id), body);
    if (id !== undefined && method === 'DELETE') {
      // UserManager.DeleteGroupAsync (common/ASC.Core.Common/Context/Impl/UserManager.cs L927–930): a system id is
      // silently not deleted; the controller still answers 204.
      if (!SYSTEM_GROUPS[id.toLowerCase()]) this.groups.delete(this.group(id).id);
      return NO_CONTENT;
    }
    throw new ApiError(405, '', true);
  }

  private group(id: string): EmulatedGroup {
    const lower = id.toLowerCase();
    const system = SYSTEM_GROUPS[lower];
    if (system) return { id: lower, name: system, members: [] };
    const found = this.groups.get(lower);
    if (!found) throw new ApiError(404, 'The group could not be found');
    return found;
  }

  /** The controller does not block writes to system ids, and what they do is not known from the source: not modelled. */
  private writableGroup(id: string): EmulatedGroup {
    if (SYSTEM_GROUPS[id.toLowerCase()])
      throw new ApiError(
        500,
        'emulator: writes to a system group are not modelled (docs/docspace-caveats.md#what-the-source-does-not-settle)',
      );
    return this.group(id);
  }

  /** ValidateUserAsync (GroupsController L437–444): a known member, not disabled, not a Guest. Pending members pass. */
  private canJoin(id: unknown): Member | undefined {
    if (typeof id !== 'string' || !GUID.test(id)) return undefined;
    const member = this.members.get(id.toLowerCase());
    return member && member.status !== 2 && member.type !== 2 ? member : undefined;
  }

  private ids(value: unknown, name: string): string[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || !GUID.test(v))) {
      throw new ApiError(
        400,
        `The JSON value could not be converted to System.Collections.Generic.IEnumerable\`1[System.Guid]. Path: $.${name}`,
      );
    }
    return [...new Set(value.map((v: string) => v.toLowerCase()))];
  }

  private groupDto(group: EmulatedGroup, includeMembers: boolean): unknown {
    const system = Boolean(SYSTEM_GROUPS[group.id]);
    // GetUsersByGroupAsync defaults to EmployeeStatus.Default: Active and Pending only.
    const visible = group.members.map((m) => this.members.get(m)).filter((m): m is Member => m !== undefined && m.status !== 2);
    const manager = group.managerId ? this.members.get(group.managerId) : undefined;
    return {
      name: group.name,
      parent: EMPTY_GUID,
      category: system ? SYSTEM_CATEGORY : EMPTY_GUID,
      id: group.id,
      isLDAP: false,
      ...(system ? { isSystem: true } : {}),
      ...(manager ? { manager: this.toDto(manager) } : {}),
      ...(includeMembers ? { members: visible.map((m) => this.toDto(m)) } : {}),
      membersCount: visible.length,
    };
  }

  /**
   * `GET people/filter` (UserController L1178–1209, L2583–2689): Guest and User callers 403; `count` 1–100
   * (default 100), `startIndex`; `employeeStatus` omitted or 7: every member (a non-admin caller never sees the
   * disabled), 1 or 5: active only (pending excluded), 4: pending, 2: disabled (admins only); ordered by first name
   * as the server sorts by default (then last name; ids break ties), with `total`.
   */
  private filterMembers(query: Record<string, string>, caller: Member): Page {
    if (caller.type === 2 || caller.type === 4) throw accessDenied();
    const startIndex = query.startIndex === undefined ? 0 : Number(query.startIndex);
    const count = query.count === undefined ? 100 : Number(query.count);
    if (!Number.isInteger(startIndex) || startIndex < 0 || !Number.isInteger(count) || count < 1) throw new ApiError(400, 'Invalid paging');
    const status = query.employeeStatus === undefined ? 7 : Number(query.employeeStatus);
    const pending = (m: Member) => m.activationStatus === 2;
    const shown = (m: Member) =>
      status === 7
        ? isAdmin(caller) || m.status !== 2
        : status === 1 || status === 5
          ? m.status === 1 && !pending(m)
          : status === 4
            ? m.status === 1 && pending(m)
            : status === 2
              ? isAdmin(caller) && m.status === 2
              : false;
    const all = [...this.members.values()]
      .filter(shown)
      .sort((x, y) => x.firstName.localeCompare(y.firstName) || x.lastName.localeCompare(y.lastName) || x.id.localeCompare(y.id));
    return new Page(
      all.slice(startIndex, startIndex + Math.min(count, 100)).map((m) => this.toDto(m)),
      all.length,
    );
  }

  /** `GET group`: custom groups only, name contains the lower-cased, trimmed text; `userId`; by name; `total`. */
  private listGroups(query: Record<string, string>): Page {
    const text = (query.filterValue ?? '').trim().toLowerCase();
    const startIndex = query.startIndex === undefined ? 0 : Number(query.startIndex);
    const count = query.count === undefined ? 100 : Number(query.count);
    if (!Number.isInteger(startIndex) || startIndex < 0 || !Number.isInteger(count) || count < 1 || count > 100) {
      throw new ApiError(400, 'One or more validation errors occurred.');
    }
    const userId = query.userId?.toLowerCase();
    const all = [...this.groups.values()]
      .filter((g) => g.name.toLowerCase().includes(text) && (userId === undefined || g.members.includes(userId)))
      .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
    return new Page(
      all.slice(startIndex, startIndex + count).map((g) => this.groupDto(g, false)),
      all.length,
    );
  }

  private groupName(value: unknown, minimum: number): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw new ApiError(400, 'The JSON value could not be converted to System.String. Path: $.groupName');
    if (value.length < minimum || value.length > 128) throw new ApiError(400, 'One or more validation errors occurred.');
    return value;
  }

  /** `POST group` (GroupsController L153–197): the name checked, every member validated (the first failing one is a 400), saved. */
  private createGroup(body: unknown): unknown {
    const name = this.groupName(field(body, 'groupName'), 1);
    if (name === undefined) throw new ApiError(400, 'One or more validation errors occurred.');
    if (name.trim() === '')
      throw new ApiError(400, "The value cannot be an empty string or composed entirely of whitespace. (Parameter 'inDto.GroupName')");
    const members = this.ids(field(body, 'members'), 'members');
    const managerRaw = field(body, 'groupManager');
    const manager =
      managerRaw === undefined || managerRaw === null || managerRaw === EMPTY_GUID ? undefined : this.ids([managerRaw], 'groupManager')[0];
    for (const id of [...members, ...(manager ? [manager] : [])])
      if (!this.canJoin(id)) throw new ApiError(400, 'The user could not be found');
    const group = this.addGroup(name, manager ? [manager, ...members] : members);
    if (manager) group.managerId = manager;
    return this.groupDto(group, true);
  }

  /** `PUT group/{id}` (GroupsController L210–248): name (`""` is saved), manager, then membersToAdd (skipping who cannot join), then membersToRemove. */
  private updateGroup(group: EmulatedGroup, body: unknown): unknown {
    const name = this.groupName(field(body, 'groupName'), 0);
    const toAdd = this.ids(field(body, 'membersToAdd'), 'membersToAdd');
    const toRemove = this.ids(field(body, 'membersToRemove'), 'membersToRemove');
    const managerRaw = field(body, 'groupManager');
    if (name !== undefined) group.name = name;
    const manager = typeof managerRaw === 'string' ? this.canJoin(managerRaw) : undefined;
    if (manager) {
      group.managerId = manager.id;
      if (!group.members.includes(manager.id)) group.members.push(manager.id);
    }
    for (const id of toAdd) if (this.canJoin(id) && !group.members.includes(id)) group.members.push(id);
    for (const id of toRemove) if (this.members.has(id)) this.leave(group, id);
    return this.groupDto(group, true);
  }

  private handleHook(method: string, path: string, text: string, res: ServerResponse): void {
    const body = (text ? JSON.parse(text) : {}) as { profile?: DocSpaceProfile; keys?: string[]; down?: boolean };
    if (method === 'GET' && path === '/__emulator/state') {
      return sendJson(res, 200, {
        profile: this.profile,
        members: [...this.members.values()],
        groups: [...this.groups.values()],
        requests: this.requests,
      });
    }
    if (method === 'POST' && path === '/__emulator/reset') {
      this.reset(body);
      return sendJson(res, 200, { profile: this.profile });
    }
    if (method === 'PUT' && path === '/__emulator/keys' && Array.isArray(body.keys)) {
      this.setApiKeys(body.keys);
      return sendJson(res, 200, { keys: body.keys.length });
    }
    // An outage, from another terminal: every API call answers 503 until `{"down": false}`.
    if (method === 'PUT' && path === '/__emulator/outage' && typeof body.down === 'boolean') {
      this.setFaults(body.down ? { rate: 1, mix: { '503': 1 }, retryAfterSeconds: 1 } : undefined);
      return sendJson(res, 200, { down: body.down });
    }
    sendJson(res, 404, { message: 'unknown emulator hook' });
  }
}
