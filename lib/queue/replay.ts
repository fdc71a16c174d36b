/**
 * Dead letters back to the queue (`npm run replay [-- --dry-run]`): once the cause is fixed (DocSpace back, a
 * setting corrected), the messages in the FIFO DLQ go back to the events queue they came from, in order, and the
 * worker applies them; idempotency keeps any that were applied after all from being applied twice. SQS's own
 * StartMessageMoveTask does the move (as `aws sqs start-message-move-task --source-arn <DLQ ARN>` does); where an
 * SQS has no move tasks, the messages are received and sent back one by one. `--dry-run` lists what would move
 * (read with a zero visibility timeout: nothing is taken or deleted), and scripts/replay.ts plans each event.
 */
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  StartMessageMoveTaskCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { setTimeout as sleep } from 'node:timers/promises';
import { canonicalEventSchema, type CanonicalEvent } from '../events';

export interface ReplayOptions {
  client: SQSClient;
  dlqUrl: string;
  /** Where the messages go back to (the events queue). */
  queueUrl: string;
  dryRun?: boolean;
  /** Give up waiting for the move task after this long. */
  timeoutMs?: number;
}

interface DeadLetter {
  messageId: string;
  eventId?: string;
  type?: string;
  receives: number;
  /** The message's canonical event, when it is one (what a plan of the replay takes). */
  event?: CanonicalEvent;
}

export interface ReplayReport {
  /** What the DLQ held (listed with --dry-run; counted otherwise). */
  letters: DeadLetter[];
  moved: number;
  how: 'dry-run' | 'move-task' | 'receive-and-send';
  /**
   * With --dry-run: the messages the DLQ holds by its own count. A FIFO queue shows only the first messages of each
   * message group to a receive that takes nothing, so `letters` can be fewer: the rest move with the replay all the same.
   */
  held?: number;
}

const describe = (m: Message): DeadLetter => {
  let event: { id?: unknown; type?: unknown } = {};
  try {
    event = JSON.parse(m.Body ?? '') as typeof event;
  } catch {
    // a poison message: listed by its message id only
  }
  const canonical = canonicalEventSchema.safeParse(event);
  return {
    messageId: m.MessageId ?? '',
    ...(typeof event.id === 'string' ? { eventId: event.id } : {}),
    ...(typeof event.type === 'string' ? { type: event.type } : {}),
    receives: Number(m.Attributes?.ApproximateReceiveCount ?? 0),
    ...(canonical.success ? { event: canonical.data } : {}),
  };
};

async function depth(client: SQSClient, url: string): Promise<number> {
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
}

/** Looks at the DLQ without taking anything: received with a zero visibility timeout, so nothing is hidden. */
async function peek(client: SQSClient, dlqUrl: string): Promise<DeadLetter[]> {
  const seen = new Map<string, DeadLetter>();
  for (let round = 0; round < 100; round += 1) {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: dlqUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 0,
        AttributeNames: ['All'] as never,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    const fresh = Messages.filter((m) => !seen.has(m.MessageId ?? ''));
    if (fresh.length === 0) break;
    for (const m of fresh) seen.set(m.MessageId ?? '', describe(m));
  }
  return [...seen.values()];
}

export async function replayDeadLetters({
  client,
  dlqUrl,
  queueUrl,
  dryRun = false,
  timeoutMs = 60_000,
}: ReplayOptions): Promise<ReplayReport> {
  if (dryRun) return { letters: await peek(client, dlqUrl), moved: 0, how: 'dry-run', held: await depth(client, dlqUrl) };
  const count = await depth(client, dlqUrl);
  if (count === 0) return { letters: [], moved: 0, how: 'move-task' };
  const dlqArn =
    (await client.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn ?? '';
  try {
    // No DestinationArn: back to the queue each message came from.
    await client.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn }));
  } catch (error) {
    if ((error as { name?: string }).name !== 'UnsupportedOperation' && (error as { name?: string }).name !== 'InvalidAction') throw error;
    return { letters: [], moved: await receiveAndSend(client, dlqUrl, queueUrl), how: 'receive-and-send' };
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { Results = [] } = await client.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn, MaxResults: 1 }));
    const task = Results[0];
    if (task && task.Status !== 'RUNNING') {
      if (task.Status !== 'COMPLETED')
        throw new Error(`the move task ended ${task.Status ?? '?'}: ${task.FailureReason ?? 'no reason given'}`);
      return { letters: [], moved: Number(task.ApproximateNumberOfMessagesMoved ?? 0), how: 'move-task' };
    }
    if (Date.now() > deadline) throw new Error('the move task is still running; see `aws sqs list-message-move-tasks`');
    await sleep(500);
  }
}

/** For an SQS without move tasks: each message sent back under its own group and deduplication id, then deleted. */
async function receiveAndSend(client: SQSClient, dlqUrl: string, queueUrl: string): Promise<number> {
  let moved = 0;
  for (;;) {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: dlqUrl,
        MaxNumberOfMessages: 10,
        AttributeNames: ['All'] as never,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) return moved;
    for (const m of Messages) {
      await client.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: m.Body ?? '',
          MessageGroupId: m.Attributes?.MessageGroupId ?? 'replay',
          // A new deduplication id: the original may still be inside SQS's five-minute window. The pipeline's
          // idempotency key (source, type, id) still keeps the event from being applied twice.
          MessageDeduplicationId: `replay-${m.MessageId ?? crypto.randomUUID()}`,
        }),
      );
      await client.send(new DeleteMessageCommand({ QueueUrl: dlqUrl, ReceiptHandle: m.ReceiptHandle ?? '' }));
      moved += 1;
    }
  }
}
