import type { CanonicalEvent } from '../events';
import type { SyncResult } from '../outcome';
import type { SyncDeps } from './deps';
import { syncUserContactUpdated } from './userContactUpdated';
import { syncUserCreated } from './userCreated';
import { syncUserRoleChanged } from './userRoleChanged';
import { syncUserStatus } from './userStatus';

/** Runs the rule that fits the event: the single entry into the sync for every handler and sender. */
export function syncEvent(event: CanonicalEvent, deps: SyncDeps): Promise<SyncResult> {
  switch (event.type) {
    case 'user.created':
      return syncUserCreated(event, deps);
    case 'user.role_changed':
      return syncUserRoleChanged(event, deps);
    case 'user.contact_updated':
      return syncUserContactUpdated(event, deps);
    case 'user.deactivated':
    case 'user.reactivated':
      return syncUserStatus(event, deps);
  }
}

export type { SyncDeps } from './deps';
