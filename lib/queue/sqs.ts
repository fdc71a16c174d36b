/**
 * The queue port on SQS FIFO, through the AWS SDK's SQS client (lib/queue/sqsClient.ts, loaded on the first send).
 * Messages go one by one, in order: a member's events must reach the group in the order the sender gave them, and
 * a batch send could partly fail in the middle. The SDK checks each body's MD5 against SQS's answer: a body that
 * arrived other than sent is an error, and the message is not taken as sent.
 */
import { resolveQueueUrl, type LookUpQueueUrl, type QueueSettings } from './address';
import type { Queue } from './queue';
import { sqs } from './sqsClient';

/** The queue named by these settings (lib/queue/address.ts), its URL found on the first send and kept. */
export function sqsQueue(settings: QueueSettings, lookUp?: LookUpQueueUrl): Queue {
  let queueUrl: string | undefined;
  return {
    async send(messages, invocation) {
      queueUrl ??= await resolveQueueUrl(settings, invocation, lookUp);
      const { sdk, client } = await sqs();
      for (const m of messages) {
        await client.send(
          new sdk.SendMessageCommand({
            QueueUrl: queueUrl,
            MessageBody: m.body,
            MessageGroupId: m.groupId,
            MessageDeduplicationId: m.deduplicationId,
          }),
        );
      }
    },
  };
}
