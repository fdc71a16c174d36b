/**
 * Role names from senders → DocSpace user types. The default map knows DocSpace's own type names (any case) and the
 * vendor's example "Manager"; ROLE_MAP (JSON) adds to it or overrides it, for example {"Engineer": "User"}.
 */
import * as z from 'zod';
import { privilegeOf, UserType, type UserTypeName } from './docspace/types';
import { RefusedEvent } from './outcome';

export type RoleMap = ReadonlyMap<string, UserType>;

const typeNames = Object.keys(UserType) as [UserTypeName, ...UserTypeName[]];
const typeByName = new Map(typeNames.map((name) => [name.toLowerCase(), UserType[name]]));

const DEFAULT_ROLES: Record<string, UserType> = {
  docspaceadmin: UserType.DocSpaceAdmin,
  admin: UserType.DocSpaceAdmin,
  roomadmin: UserType.RoomAdmin,
  user: UserType.User,
  guest: UserType.Guest,
  manager: UserType.RoomAdmin,
};

/** A type given as its DocSpace name (any case) or its number. */
const userTypeValue = z.union([
  z.literal([UserType.RoomAdmin, UserType.Guest, UserType.DocSpaceAdmin, UserType.User]),
  z.string().transform((s, ctx) => {
    const type = typeByName.get(s.trim().toLowerCase());
    if (type === undefined) {
      ctx.addIssue({ code: 'custom', message: `"${s}" is not a DocSpace user type (${typeNames.join(', ')} or 1-4)` });
      return z.NEVER;
    }
    return type;
  }),
]);

export const roleMapOverridesSchema = z.record(z.string().min(1), userTypeValue);

const normalise = (role: string) => role.trim().toLowerCase();

export function buildRoleMap(overrides: Record<string, UserType> = {}): RoleMap {
  const map = new Map<string, UserType>(Object.entries(DEFAULT_ROLES));
  for (const [role, type] of Object.entries(overrides)) map.set(normalise(role), type);
  return map;
}

/** The DocSpace type for a role, or undefined when the map does not know it (the sender's error). */
export const userTypeForRole = (roles: RoleMap, role: string): UserType | undefined => roles.get(normalise(role));

/** The DocSpace type for the event's role; an unknown role is the sender's error (422), found before any call. */
export function typeForRoleOrRefuse(roles: RoleMap, role: string): UserType {
  const type = userTypeForRole(roles, role);
  if (type === undefined) {
    throw new RefusedEvent('unknown_role', `role "${role}" is not in the role map; add it to ROLE_MAP`, [
      `data.role: unknown role "${role}"`,
    ]);
  }
  return type;
}

/** How privileged a role's DocSpace type is (a higher number is more), or undefined when the map does not know the role. */
export function rolePrivilege(roles: RoleMap, role: string): number | undefined {
  const type = userTypeForRole(roles, role);
  return type === undefined ? undefined : privilegeOf(type);
}
