/**
 * The queue port (queue mode): a door verifies and translates, then hands each canonical event to the queue and
 * answers at once; the worker applies it through the pipeline. SQS FIFO in production (sqs.ts), in memory for tests
 * (memory.ts). Messages are grouped by member (one person, one group, in order) and deduplicated by the idempotency
 * key; neither id carries an e-mail address, and the body is the canonical event, no more.
 */
import { createHash } from 'node:crypto';
import type { CanonicalEvent } from '../events';
import type { Invocation } from './address';

/** One message as SQS FIFO takes it. */
export interface QueueMessage {
  /** A hash of the member key: the member's events are delivered in order, one at a time. */
  groupId: string;
  /** A hash of (source, type, id): SQS drops the same event sent again within five minutes. */
  deduplicationId: string;
  body: string;
}

export interface Queue {
  /**
   * Sends the messages in this order; throws when the queue did not take them all (a ConfigurationError when the
   * queue's settings do not name a queue). The invocation's ARN says which account and region the queue is in.
   */
  send(messages: readonly QueueMessage[], invocation?: Invocation): Promise<void>;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The message for an event of the member with this key (MemberDirectory.keyOf). */
export function messageFor(event: CanonicalEvent, memberKey: string): QueueMessage {
  return {
    // 64 hex characters: within SQS's 128-character limit for both ids, and no address in the clear.
    groupId: sha256(`member:${memberKey}`),
    deduplicationId: sha256(JSON.stringify([event.source ?? null, event.type, event.id])),
    body: JSON.stringify(event),
  };
}
