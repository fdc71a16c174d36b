import type { People } from '../docspace/people';
import type { Profile } from '../docspace/types';

/** The member an event is about: by DocSpace id when the sender knows it, else by e-mail (case-insensitive). */
export function findMember(people: People, ref: { userId?: string | undefined; email?: string | undefined }): Promise<Profile | null> {
  if (ref.userId) return people.getMember(ref.userId);
  if (ref.email) return people.findMemberByEmail(ref.email.toLowerCase());
  return Promise.resolve(null);
}

export const notFoundMessage = (ref: { userId?: string | undefined; email?: string | undefined }): string =>
  ref.userId ? `no DocSpace member with id ${ref.userId}` : 'no DocSpace member with that e-mail';
