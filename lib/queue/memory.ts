/** The queue port in memory, for unit tests: what was sent, in order, with SQS FIFO's deduplication by id. */
import type { Queue, QueueMessage } from './queue';

export class MemoryQueue implements Queue {
  readonly messages: QueueMessage[] = [];
  /** Set to make the next sends fail, as an unreachable queue would. */
  failing = false;

  send(messages: readonly QueueMessage[]): Promise<void> {
    if (this.failing) return Promise.reject(new Error('queue unreachable'));
    for (const m of messages) if (!this.messages.some((s) => s.deduplicationId === m.deduplicationId)) this.messages.push(m);
    return Promise.resolve();
  }
}
