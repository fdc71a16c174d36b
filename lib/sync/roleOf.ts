import type { UserType } from '../docspace/types';
import { RefusedEvent } from '../outcome';
import { userTypeForRole, type RoleMap } from '../roles';

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
