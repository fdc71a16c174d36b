/**
 * The parts of DocSpace's People API payloads the sync reads. Names follow the server (EmployeeFullDto,
 * EmployeeType); see docs/docspace-caveats.md#no-role-field-user-types.
 */
import * as z from 'zod';

/** DocSpace has no role field: a member's "role" is this user type. Send integers, the names changed in v3.0. */
export const UserType = { RoomAdmin: 1, Guest: 2, DocSpaceAdmin: 3, User: 4 } as const;
export type UserType = (typeof UserType)[keyof typeof UserType];
export type UserTypeName = keyof typeof UserType;

export const userTypeName = (type: UserType): UserTypeName =>
  (Object.keys(UserType) as UserTypeName[]).find((name) => UserType[name] === type) as UserTypeName;

/** Least to most privileged: a move to the right is an upgrade. */
const privilege: readonly UserType[] = [UserType.Guest, UserType.User, UserType.RoomAdmin, UserType.DocSpaceAdmin];
export const privilegeOf = (type: UserType): number => privilege.indexOf(type);

/** EmployeeStatus: 1 Active, 2 Terminated (a disabled member). */
export const MemberStatus = { Active: 1, Disabled: 2 } as const;

const contactEntrySchema = z.object({ type: z.string(), value: z.string() });

export const profileSchema = z.object({
  id: z.string(),
  email: z.string().optional(),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  /** Omitted by the server when empty. */
  contacts: z.array(contactEntrySchema).nullish(),
  status: z.number().optional(),
  /** 0 NotActivated, 1 Activated, 2 Pending (invited, not joined yet). */
  activationStatus: z.number().optional(),
  isOwner: z.boolean().optional(),
  isAdmin: z.boolean().optional(),
  isRoomAdmin: z.boolean().optional(),
  isVisitor: z.boolean().optional(),
  isCollaborator: z.boolean().optional(),
});
export type Profile = z.infer<typeof profileSchema>;

/**
 * The response carries no type field; it is derived from the flags. A member in no type group reads back as
 * RoomAdmin (the server's virtual group), hence the fallback.
 */
export function userTypeOf(profile: Profile): UserType {
  if (profile.isOwner || profile.isAdmin) return UserType.DocSpaceAdmin;
  if (profile.isVisitor) return UserType.Guest;
  if (profile.isCollaborator) return UserType.User;
  return UserType.RoomAdmin;
}

/** TaskProgressResponseDto of the asynchronous type change. `status` is 0 Created … 4 "Failted" (sic). */
export const taskProgressSchema = z.object({
  id: z.string().nullish(),
  error: z.string().nullish(),
  percentage: z.number().optional(),
  isCompleted: z.boolean(),
  status: z.union([z.number(), z.string()]).optional(),
});
export type TaskProgress = z.infer<typeof taskProgressSchema>;

export interface NewMember {
  email: string;
  firstName: string;
  lastName: string;
  type: UserType;
  contacts?: { type: string; value: string }[];
}
