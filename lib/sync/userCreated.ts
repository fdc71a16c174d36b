import { isEmailTakenError } from '../docspace/people';
import { UserType } from '../docspace/types';
import type { UserCreatedEvent } from '../events';
import type { SyncResult } from '../outcome';
import { typeForRoleOrRefuse } from '../roles';
import type { SyncDeps } from './deps';

/**
 * user.created: create the member unless one with that e-mail exists. Looking first keeps a redelivered hire from
 * creating anybody twice; a lost race with another delivery shows up as the server's "already registered" 400.
 * DocSpace never creates a Guest (403 on that route): a guest hire is created as User, and the pipeline follows it
 * with the asynchronous change to Guest (see lib/pipeline/exactlyOnce.ts).
 */
export async function syncUserCreated(event: UserCreatedEvent, deps: SyncDeps): Promise<SyncResult> {
  const { data } = event;
  const wanted = data.role === undefined ? UserType.User : typeForRoleOrRefuse(deps.roles, data.role);
  const type = wanted === UserType.Guest ? UserType.User : wanted;

  const existing = await deps.people.findMemberByEmail(data.email.toLowerCase());
  if (existing) return { outcome: 'exists', userId: existing.id, message: 'a member with this e-mail already exists' };

  const contacts = data.contacts?.filter((c) => c.value !== '');
  try {
    const created = await deps.people.createMember({
      email: data.email,
      firstName: data.firstName,
      lastName: data.lastName,
      type,
      ...(contacts?.length ? { contacts } : {}),
    });
    return {
      outcome: 'created',
      userId: created.id,
      ...(wanted !== type ? { message: 'created as User; the change to Guest follows' } : {}),
    };
  } catch (error) {
    if (!isEmailTakenError(error)) throw error;
    const winner = await deps.people.findMemberByEmail(data.email.toLowerCase());
    return { outcome: 'exists', ...(winner ? { userId: winner.id } : {}), message: 'a member with this e-mail already exists' };
  }
}
