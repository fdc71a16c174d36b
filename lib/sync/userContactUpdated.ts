import { isMissingRouteError } from '../docspace/people';
import { mergeContacts } from './contacts';
import type { UserContactUpdatedEvent } from '../events';
import type { SyncResult } from '../outcome';
import type { SyncDeps } from './deps';
import { findMember, notFoundMessage } from './findMember';

const CONTACTS_UNSUPPORTED_MESSAGE =
  "this DocSpace server (v3.2.1 or later) has no route to change another member's contacts; " +
  'contacts can only be set when the member is created';

/**
 * user.contact_updated: DocSpace only replaces the whole list, so read, merge here, and write only on a change.
 * Servers from v3.2.1 on removed the contacts route (and `PUT people/{id}` ignores other users' contacts while
 * answering 200), so a missing route is a permanent `unsupported_by_server`, never a retry.
 */
export async function syncUserContactUpdated(event: UserContactUpdatedEvent, deps: SyncDeps): Promise<SyncResult> {
  const member = await findMember(deps.people, event.data);
  if (!member) return { outcome: 'not_found', message: notFoundMessage(event.data) };

  const merge = mergeContacts(member.contacts ?? [], event.data.contacts);
  if (!merge.changed) return { outcome: 'unchanged', userId: member.id, message: 'contacts already up to date' };

  try {
    await deps.people.setContacts(member.id, merge.contacts);
  } catch (error) {
    if (isMissingRouteError(error)) {
      return { outcome: 'unsupported_by_server', userId: member.id, message: CONTACTS_UNSUPPORTED_MESSAGE };
    }
    throw error;
  }
  return { outcome: 'updated', userId: member.id, message: `${merge.contacts.length} contact(s) stored` };
}
