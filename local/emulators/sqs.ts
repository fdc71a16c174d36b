/**
 * A local SQS (local-aws-sqs: the JSON protocol the current SDK speaks, FIFO, deduplication, DLQ redrive and
 * StartMessageMoveTask), reached through AWS_ENDPOINT_URL_SQS, with the two queues serverless.yml declares: the FIFO
 * events queue and its FIFO dead-letter queue. A shorter visibility timeout than production, so a failed message
 * comes back in seconds.
 */
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createSqsServer } from 'local-aws-sqs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The `dev` stage's queue names (serverless.yml's defaults), so a local function finds them by QUEUE_NAME. */
export const QUEUE_NAMES = { events: 'docspace-idp-sync-dev-events.fifo', deadLetters: 'docspace-idp-sync-dev-events-dlq.fifo' } as const;

export interface SqsEmulatorOptions {
  /** Receives before a message moves to the DLQ (QUEUE_MAX_RECEIVES). */
  maxReceives?: number;
  /** Seconds a received message stays invisible before it is delivered again. */
  visibilityTimeoutSeconds?: number;
}

export class SqsEmulator {
  url = '';
  queueUrl = '';
  dlqUrl = '';
  dlqArn = '';
  private server: Server | undefined;

  constructor(private readonly options: SqsEmulatorOptions = {}) {}

  async start(port = 0, hostname = '127.0.0.1'): Promise<string> {
    this.server = await createSqsServer({ port, hostname, emulateQueueCreationLifecycle: false });
    this.url = `http://${hostname}:${(this.server.address() as AddressInfo).port}`;
    const client = this.client();
    this.dlqUrl =
      (
        await client.send(
          new CreateQueueCommand({
            QueueName: QUEUE_NAMES.deadLetters,
            Attributes: { FifoQueue: 'true', MessageRetentionPeriod: '1209600', SqsManagedSseEnabled: 'true' },
          }),
        )
      ).QueueUrl ?? '';
    this.dlqArn =
      (await client.send(new GetQueueAttributesCommand({ QueueUrl: this.dlqUrl, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn ??
      '';
    this.queueUrl =
      (
        await client.send(
          new CreateQueueCommand({
            QueueName: QUEUE_NAMES.events,
            Attributes: {
              FifoQueue: 'true',
              VisibilityTimeout: String(this.options.visibilityTimeoutSeconds ?? 2),
              SqsManagedSseEnabled: 'true',
              RedrivePolicy: JSON.stringify({ deadLetterTargetArn: this.dlqArn, maxReceiveCount: this.options.maxReceives ?? 5 }),
            },
          }),
        )
      ).QueueUrl ?? '';
    client.destroy();
    return this.url;
  }

  client(): SQSClient {
    return new SQSClient({ endpoint: this.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  }

  /** Messages in a queue, visible or not. */
  async depth(queueUrl: string): Promise<number> {
    const client = this.client();
    const { Attributes } = await client.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    client.destroy();
    return Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
  }

  /**
   * Empties both queues: tests that send the same samples start clean. Received and deleted (SQS allows one
   * PurgeQueue a minute); a message still invisible after an earlier receive is waited for.
   */
  async purge(): Promise<void> {
    const client = this.client();
    for (const queueUrl of [this.queueUrl, this.dlqUrl]) {
      while ((await this.depth(queueUrl)) > 0) {
        const { Messages = [] } = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
        if (Messages.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
        for (const m of Messages) await client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle ?? '' }));
      }
    }
    client.destroy();
  }

  stop(): Promise<void> {
    const server = this.server;
    if (!server) return Promise.resolve();
    server.closeAllConnections?.();
    return new Promise((resolve) => server.close(() => resolve()));
  }
}
