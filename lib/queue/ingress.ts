/**
 * Queue mode at the door: each verified, translated event goes to the queue under its member's group, and the
 * door answers at once. A queue that does not take the events is `unavailable` (503 with Retry-After): the sender
 * delivers again, and SQS (by the deduplication id) and the pipeline (by the idempotency key) keep that harmless.
 */
import type { CanonicalEvent } from '../events';
import { ConfigurationError, DEFAULT_RETRY_AFTER_SECONDS, RefusedEvent } from '../outcome';
import type { MemberDirectory } from '../pipeline/member';
import { typeForRoleOrRefuse, type RoleMap } from '../roles';
import type { Invocation } from './address';
import { messageFor, type Queue } from './queue';

export interface Ingress {
  /**
   * Refuses (a RefusedEvent) what the worker could never apply and the door can tell already: a role the role map
   * does not know (422 `unknown_role`, as in sync mode), rather than five failed receives and the DLQ.
   */
  admit(event: CanonicalEvent): void;
  /** Hands events to the queue, in the order given. */
  enqueue(events: readonly CanonicalEvent[], invocation?: Invocation): Promise<void>;
}

/**
 * `directory` is undefined when the events table is not configured: queue mode cannot run without it (the worker
 * applies exactly once through it), which is said where an event is enqueued, not to every request.
 */
export function ingress(queue: Queue, directory: Pick<MemberDirectory, 'keyOf'> | undefined, roles: RoleMap): Ingress {
  return {
    admit(event) {
      if ((event.type === 'user.created' || event.type === 'user.role_changed') && event.data.role !== undefined)
        typeForRoleOrRefuse(roles, event.data.role);
    },
    enqueue: (events, invocation) => {
      if (!directory) {
        return Promise.reject(
          new ConfigurationError(
            'IDEMPOTENCY_TABLE: queue mode needs the events table (the worker applies each event exactly once through it); locally, DELIVERY_MODE=sync needs none, and `npm start` or `npm run emulators` run one',
          ),
        );
      }
      return enqueue(queue, directory, events, invocation);
    },
  };
}

async function enqueue(
  queue: Queue,
  directory: Pick<MemberDirectory, 'keyOf'>,
  events: readonly CanonicalEvent[],
  invocation: Invocation | undefined,
): Promise<void> {
  try {
    const messages = [];
    for (const event of events) messages.push(messageFor(event, await directory.keyOf(event.data)));
    await queue.send(messages, invocation);
  } catch (error) {
    // A queue the settings do not name will not appear with time: the answer says which setting, not "retry".
    if (error instanceof ConfigurationError) throw error;
    throw Object.assign(
      new RefusedEvent('unavailable', 'the queue did not take the event(s); deliver again later', undefined, DEFAULT_RETRY_AFTER_SECONDS),
      { cause: error },
    );
  }
}
