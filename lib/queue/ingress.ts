/**
 * Queue mode at the door: each verified, translated event goes to the queue under its member's group, and the
 * door answers at once. A queue that does not take the events is `unavailable` (503 with Retry-After): the sender
 * delivers again, and SQS (by the deduplication id) and the pipeline (by the idempotency key) keep that harmless.
 */
import type { CanonicalEvent } from '../events';
import { DEFAULT_RETRY_AFTER_SECONDS, RefusedEvent } from '../outcome';
import type { MemberDirectory } from '../pipeline/member';
import type { RoleMap } from '../roles';
import { typeForRoleOrRefuse } from '../sync/roleOf';
import { messageFor, type Queue } from './queue';

export interface Ingress {
  /**
   * Refuses (a RefusedEvent) what the worker could never apply and the door can tell already: a role the role map
   * does not know (422 `unknown_role`, as in sync mode), rather than five failed receives and the DLQ.
   */
  admit(event: CanonicalEvent): void;
  /** Hands events to the queue, in the order given. */
  enqueue(events: readonly CanonicalEvent[]): Promise<void>;
}

export function ingress(queue: Queue, directory: Pick<MemberDirectory, 'keyOf'>, roles: RoleMap): Ingress {
  return {
    admit(event) {
      if ((event.type === 'user.created' || event.type === 'user.role_changed') && event.data.role !== undefined) typeForRoleOrRefuse(roles, event.data.role);
    },
    enqueue: (events) => enqueue(queue, directory, events),
  };
}

async function enqueue(queue: Queue, directory: Pick<MemberDirectory, 'keyOf'>, events: readonly CanonicalEvent[]): Promise<void> {
  try {
    const messages = [];
    for (const event of events) messages.push(messageFor(event, await directory.keyOf(event.data)));
    await queue.send(messages);
  } catch (error) {
    throw Object.assign(new RefusedEvent('unavailable', 'the queue did not take the event(s); deliver again later', undefined, DEFAULT_RETRY_AFTER_SECONDS), { cause: error });
  }
}
