import { MemberStatus } from '../docspace/types';
import type { UserStatusEvent } from '../events';
import type { SyncResult } from '../outcome';
import type { SyncDeps } from './deps';
import { findMember, notFoundMessage } from './findMember';

/**
 * user.deactivated / user.reactivated: offboarding disables the member (`PUT people/status/2`), which also ends
 * their sessions; reactivation enables them again. Already in that state → unchanged, no write.
 */
export async function syncUserStatus(event: UserStatusEvent, deps: SyncDeps): Promise<SyncResult> {
  const member = await findMember(deps.people, event.data);
  if (!member) return { outcome: 'not_found', message: notFoundMessage(event.data) };
  const wanted = event.type === 'user.deactivated' ? MemberStatus.Disabled : MemberStatus.Active;
  const word = wanted === MemberStatus.Disabled ? 'disabled' : 'enabled';
  if ((member.status ?? MemberStatus.Active) === wanted) return { outcome: 'unchanged', userId: member.id, message: `already ${word}` };
  await deps.people.setStatus(member.id, wanted);
  return { outcome: 'updated', userId: member.id, message: word };
}
