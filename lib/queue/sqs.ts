/**
 * The queue port on SQS FIFO. The client honours AWS_ENDPOINT_URL_SQS, so `npm start` and the tests reach the local
 * SQS (local-aws-sqs). Messages go one by one, in order: a member's events must reach the group in the order the
 * sender gave them, and a batch send could partly fail in the middle. The SQS client is loaded on the first send:
 * the worker, SCIM, the follow-ups and sync mode never load it.
 */
import type { Queue } from './queue';

export function sqsQueue(queueUrl: string): Queue {
  const open = async () => {
    const { SQSClient, SendMessageCommand } = await import('@aws-sdk/client-sqs');
    return { client: new SQSClient({}), SendMessageCommand };
  };
  let opened: ReturnType<typeof open> | undefined;
  return {
    async send(messages) {
      const { client, SendMessageCommand } = await (opened ??= open());
      for (const m of messages) {
        await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: m.body, MessageGroupId: m.groupId, MessageDeduplicationId: m.deduplicationId }));
      }
    },
  };
}
