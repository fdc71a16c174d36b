/**
 * The worker's event source mapping, on this machine: receives batches from the local SQS, invokes the worker as
 * Lambda would (an SQS event, a context with the function's timeout) and honours `batchItemFailures`: it deletes
 * the messages the worker did not report, and leaves the reported ones to come back after the visibility timeout
 * (and, after the queue's maxReceiveCount, to move to the DLQ). A handler that throws leaves the whole batch.
 * (The serverless-offline-sqs release on npm deletes the whole batch whatever the handler answers: not used.)
 *
 * FIFO groups as SQS keeps them: local-aws-sqs hands out a group's next messages while earlier ones are still in
 * flight, or invisible after a failure, which SQS never does. So the poller keeps it: a batch waits until no other
 * batch is handling its groups, and a group whose message failed takes nothing newer until that message is back
 * (its later messages received meanwhile are released at once).
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { setTimeout as sleep } from 'node:timers/promises';
import { lambdaContext, type LambdaHandler } from './lambda';

export interface PollerOptions {
  client: SQSClient;
  queueUrl: string;
  queueArn?: string;
  handler: LambdaHandler;
  /** Batches handled at once (Lambda runs several; FIFO keeps one member's group in one of them). */
  concurrency?: number;
  /**
   * The worker's timeout, as serverless.yml sets it. Messages are received invisible for at least this long, as the
   * deployed queue's visibility timeout (twice the worker's) guarantees: a message is never received again while
   * the worker still runs it.
   */
  timeoutMs?: number;
  /**
   * Seconds before a message the worker reported failed comes back. Deployed, the queue's visibility timeout sets it;
   * here it is short, so that retries and the move to the DLQ take seconds.
   */
  retryAfterSeconds?: number;
  /** Pause when the queue had nothing. */
  idleMs?: number;
  onBatch?: (report: { messages: number; failed: number }) => void;
}

const toRecord = (m: Message, arn: string): SQSRecord => ({
  messageId: m.MessageId ?? '',
  receiptHandle: m.ReceiptHandle ?? '',
  body: m.Body ?? '',
  attributes: {
    ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
    SentTimestamp: m.Attributes?.SentTimestamp ?? String(Date.now()),
    SenderId: m.Attributes?.SenderId ?? 'local',
    ApproximateFirstReceiveTimestamp: m.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    ...(m.Attributes?.MessageGroupId ? { MessageGroupId: m.Attributes.MessageGroupId } : {}),
    ...(m.Attributes?.MessageDeduplicationId ? { MessageDeduplicationId: m.Attributes.MessageDeduplicationId } : {}),
    ...(m.Attributes?.SequenceNumber ? { SequenceNumber: m.Attributes.SequenceNumber } : {}),
  },
  messageAttributes: {},
  md5OfBody: m.MD5OfBody ?? '',
  eventSource: 'aws:sqs',
  eventSourceARN: arn,
  awsRegion: 'us-east-1',
});

export class Poller {
  private running = false;
  private loops: Promise<void>[] = [];
  /** Batches being handled right now. */
  private busy = 0;
  /** Groups a batch is handling right now. */
  private readonly inFlight = new Set<string>();
  /** Groups whose message failed: the ids that must come back first, and until when to wait for them. */
  private readonly blocked = new Map<string, { ids: Set<string>; until: number }>();

  constructor(private readonly options: PollerOptions) {}

  /** One receive, one invocation, the deletes: the number of messages received. */
  async pollOnce(): Promise<number> {
    const { client, queueUrl } = this.options;
    // Short polling: the local SQS answers a long poll with some messages twice.
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: Math.ceil((this.options.timeoutMs ?? 60_000) / 1000) + 1,
        AttributeNames: ['All'] as never,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) return 0;
    const groupOf = (m: Message) => m.Attributes?.MessageGroupId ?? '';
    const groups = [...new Set(Messages.map(groupOf))];
    while (groups.some((g) => this.inFlight.has(g))) await sleep(2);
    // Still blocked by an earlier failed message (not in this batch): these overtook it, and go back.
    const overtaking = groups.filter((g) => {
      const block = this.blocked.get(g);
      if (!block) return false;
      if (Date.now() > block.until || Messages.some((m) => groupOf(m) === g && block.ids.has(m.MessageId ?? ''))) {
        this.blocked.delete(g);
        return false;
      }
      return true;
    });
    // Claimed before anything is awaited, so that no other batch takes these groups in between.
    const handling = groups.filter((g) => !overtaking.includes(g));
    for (const g of handling) this.inFlight.add(g);
    this.busy += 1;
    try {
      const released = Messages.filter((m) => overtaking.includes(groupOf(m)));
      if (released.length > 0) {
        await client.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: queueUrl,
            Entries: released.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '', VisibilityTimeout: 0 })),
          }),
        );
      }
      const batch = Messages.filter((m) => !overtaking.includes(groupOf(m)));
      if (batch.length === 0) return Messages.length;
      return await this.handle(batch);
    } finally {
      for (const g of handling) this.inFlight.delete(g);
      this.busy -= 1;
    }
  }

  /** One invocation of the worker with the batch, then the deletes and the failed messages' return. */
  private async handle(Messages: Message[]): Promise<number> {
    const { client, queueUrl, handler } = this.options;
    const event: SQSEvent = {
      Records: Messages.map((m) => toRecord(m, this.options.queueArn ?? 'arn:aws:sqs:us-east-1:000000000000:local')),
    };
    let failed: Set<string>;
    try {
      const response = (await handler(event, lambdaContext('worker', this.options.timeoutMs ?? 60_000))) as SQSBatchResponse | undefined;
      failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch {
      failed = new Set(Messages.map((m) => m.MessageId ?? ''));
    }
    const done = Messages.filter((m) => !failed.has(m.MessageId ?? ''));
    if (done.length > 0) {
      await client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
        }),
      );
    }
    const retry = Messages.filter((m) => failed.has(m.MessageId ?? ''));
    const retryAfterMs = (this.options.retryAfterSeconds ?? 1) * 1000;
    for (const m of retry) {
      const g = m.Attributes?.MessageGroupId ?? '';
      const block = this.blocked.get(g) ?? { ids: new Set<string>(), until: Date.now() + retryAfterMs + 2_000 };
      block.ids.add(m.MessageId ?? '');
      this.blocked.set(g, block);
    }
    if (retry.length > 0) {
      await client.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: retry.map((m, i) => ({
            Id: String(i),
            ReceiptHandle: m.ReceiptHandle ?? '',
            VisibilityTimeout: this.options.retryAfterSeconds ?? 1,
          })),
        }),
      );
    }
    this.options.onBatch?.({ messages: Messages.length, failed: failed.size });
    return Messages.length;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const loop = async () => {
      while (this.running) {
        const received = await this.pollOnce().catch(() => 0);
        if (received === 0) await sleep(this.options.idleMs ?? 200);
      }
    };
    this.loops = Array.from({ length: this.options.concurrency ?? 1 }, loop);
  }

  /** Whether a batch is being handled right now. */
  get idle(): boolean {
    return this.busy === 0;
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }
}
