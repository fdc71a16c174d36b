/**
 * The queue port on SQS FIFO. The client honours AWS_ENDPOINT_URL_SQS, so `npm start` and the tests reach the local
 * SQS (local-aws-sqs). Messages go one by one, in order: a member's events must reach the group in the order the
 * sender gave them, and a batch send could partly fail in the middle.
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Queue } from './queue';

export function sqsQueue(client: SQSClient, queueUrl: string): Queue {
  return {
    async send(messages) {
      for (const m of messages) {
        await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: m.body, MessageGroupId: m.groupId, MessageDeduplicationId: m.deduplicationId }));
      }
    },
  };
}
