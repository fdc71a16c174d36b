/**
 * A SCIM User ↔ a DocSpace member. The member's e-mail is the primary (else the `work`) e-mail of the resource, else
 * its userName when that is an e-mail address; the names are name.givenName/familyName (else displayName, else the
 * e-mail's local part); `active: false` is a disabled member; the user type follows the highest-privilege role the
 * role map knows. Everything else is kept as the IdP sent it (lib/scim/store.ts), and read back so.
 */
import * as z from 'zod';
import { privilegeOf, type Profile, type UserType } from '../docspace/types';
import { userTypeForRole, type RoleMap } from '../roles';
import { badRequest } from './errors';
import { canonicalUser, ENTERPRISE_SCHEMA, USER_SCHEMA } from './schema';
import type { UserRecord } from './store';

const email = z.email().max(255);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Entra without the aadOptscim062020 flag sends booleans as the strings "True" and "False". */
export function booleanOf(value: unknown, what: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
  throw badRequest(`${what} must be a boolean`);
}

export interface UserInput {
  /** The resource to keep: the schema's attributes as sent, without id, meta, active, password. */
  resource: Record<string, unknown>;
  active?: boolean;
  userName: string;
  /** The e-mail the member has (or gets) in DocSpace. */
  email: string;
  firstName: string;
  lastName: string;
}

const stringOrUndefined = (value: unknown, what: string, max = 255): string | undefined => {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length > max) throw badRequest(`${what} must be a string of at most ${max} characters`);
  return value.trim() === '' ? undefined : value.trim();
};

/** A request's User resource, checked: a 400 names the first thing wrong, before any DocSpace call. */
export function readUserInput(body: unknown): UserInput {
  if (!isObject(body)) throw badRequest('the body must be a SCIM User resource (a JSON object)', 'invalidSyntax');
  const resource = canonicalUser(body);
  const active = booleanOf(resource.active, 'active');
  delete resource.active;
  const userName = stringOrUndefined(resource.userName, 'userName');
  if (!userName) throw badRequest('userName is required');
  resource.userName = userName;
  if (resource.externalId !== undefined && resource.externalId !== null && typeof resource.externalId !== 'string')
    throw badRequest('externalId must be a string');
  if (resource.name !== undefined && resource.name !== null && !isObject(resource.name)) throw badRequest('name must be an object');
  const name = isObject(resource.name) ? resource.name : {};
  const displayName = stringOrUndefined(resource.displayName, 'displayName');
  for (const attr of ['emails', 'roles', 'phoneNumbers', 'addresses'] as const) {
    const list = resource[attr];
    if (list !== undefined && (!Array.isArray(list) || list.some((item) => !isObject(item))))
      throw badRequest(`${attr} must be a list of objects`);
    for (const item of (list ?? []) as Record<string, unknown>[]) {
      if ('primary' in item) item.primary = booleanOf(item.primary, `${attr}.primary`) ?? false;
    }
  }
  const emails = (resource.emails ?? []) as Record<string, unknown>[];
  const chosen =
    emails.find((e) => e.primary === true) ??
    emails.find((e) => typeof e.type === 'string' && e.type.toLowerCase() === 'work') ??
    emails[0];
  const candidates = [chosen?.value, userName].filter((v): v is string => typeof v === 'string');
  const address = candidates.map((c) => c.trim()).find((c) => email.safeParse(c).success);
  if (!address)
    throw badRequest('the user needs an e-mail address: a primary or work value of emails, or a userName that is an e-mail address');

  const [displayFirst, ...displayRest] = (displayName ?? '').split(/\s+/).filter(Boolean);
  const firstName = stringOrUndefined(name.givenName, 'name.givenName') ?? displayFirst ?? address.split('@')[0] ?? address;
  const lastName = stringOrUndefined(name.familyName, 'name.familyName') ?? (displayRest.length ? displayRest.join(' ') : firstName);
  return { resource, ...(active === undefined ? {} : { active }), userName, email: address, firstName, lastName };
}

/** The role names a roles attribute carries: `value` (Entra may send an app role as a JSON string), then `display`. */
function roleNames(roles: unknown): string[] {
  if (!Array.isArray(roles)) return [];
  return roles.flatMap((role) => {
    if (typeof role === 'string') return [role];
    if (!isObject(role)) return [];
    const names: string[] = [];
    if (typeof role.value === 'string') {
      const value = role.value.trim();
      if (value.startsWith('{')) {
        try {
          const parsed = JSON.parse(value) as Record<string, unknown>;
          for (const key of ['value', 'displayName']) if (typeof parsed[key] === 'string') names.push(parsed[key]);
        } catch {
          names.push(value);
        }
      } else names.push(value);
    }
    if (typeof role.display === 'string') names.push(role.display);
    return names;
  });
}

/** The highest-privilege DocSpace type among the roles the role map knows, with the role name that maps to it. */
export function typeOfRoles(roles: unknown, map: RoleMap): { role: string; type: UserType } | undefined {
  let best: { role: string; type: UserType } | undefined;
  for (const role of roleNames(roles)) {
    const type = userTypeForRole(map, role);
    if (type !== undefined && (best === undefined || privilegeOf(type) > privilegeOf(best.type))) best = { role, type };
  }
  return best;
}

/** A member who exists in DocSpace, as a resource, when this door meets them first (a filter that matched them). */
export function recordFromProfile(profile: Profile, now: number): UserRecord {
  const address = (profile.email ?? '').toLowerCase();
  const first = profile.firstName ?? '';
  const last = profile.lastName ?? '';
  return {
    resource: {
      userName: address,
      name: { givenName: first, familyName: last },
      displayName: `${first} ${last}`.trim(),
      emails: [{ value: address, type: 'work', primary: true }],
    },
    email: address,
    createdMs: now,
    modifiedMs: now,
  };
}

/** The resource an IdP reads: what it provisioned, the member's status from DocSpace, and meta. */
export function resourceOf(id: string, record: UserRecord, version: number, active: boolean, location: string): Record<string, unknown> {
  const { userName, ...rest } = record.resource;
  const emails =
    Array.isArray(rest.emails) && rest.emails.length > 0 ? rest.emails : [{ value: record.email, type: 'work', primary: true }];
  return {
    schemas: [USER_SCHEMA, ...(rest[ENTERPRISE_SCHEMA] ? [ENTERPRISE_SCHEMA] : [])],
    id,
    userName,
    ...rest,
    emails,
    active,
    meta: {
      resourceType: 'User',
      created: new Date(record.createdMs).toISOString(),
      lastModified: new Date(record.modifiedMs).toISOString(),
      version: `W/"${version}"`,
      location,
    },
  };
}
