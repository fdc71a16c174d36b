/**
 * Queue mode at the door: each verified, translated event goes to the queue under its member's group, and the
 * door answers at once. A queue that does not take the events is `unavailable` (503 with Retry-After): the sender
 * delivers again, and SQS (by the deduplication id) and the pipeline (by the idempotency key) keep that harmless.
 */
import type { CanonicalEvent } from '../events';
import { DEFAULT_RETRY_AFTER_SECONDS, RefusedEvent } from '../outcome';
import type { MemberDirectory } from '../pipeline/member';
import { messageFor, type Queue } from './queue';

/** Hands events to the queue, in the order given. */
export type Enqueue = (events: readonly CanonicalEvent[]) => Promise<void>;

export function enqueuer(queue: Queue, directory: Pick<MemberDirectory, 'keyOf'>): Enqueue {
  return async (events) => {
    try {
      const messages = [];
      for (const event of events) messages.push(messageFor(event, await directory.keyOf(event.data)));
      await queue.send(messages);
    } catch (error) {
      throw Object.assign(new RefusedEvent('unavailable', 'the queue did not take the event(s); deliver again later', undefined, DEFAULT_RETRY_AFTER_SECONDS), { cause: error });
    }
  };
}
