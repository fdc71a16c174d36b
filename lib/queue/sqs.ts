/**
 * The queue port on SQS FIFO: SendMessage as one signed call (lib/aws/awsJson.ts, SQS's JSON protocol), without the
 * AWS SDK's client on the door's path. The endpoint honours AWS_ENDPOINT_URL_SQS, so `npm start` and the tests reach
 * the local SQS (local-aws-sqs); without a configured one it is the queue URL's own host, as the SDK does. Messages go
 * one by one, in order: a member's events must reach the group in the order the sender gave them, and a batch send
 * could partly fail in the middle.
 */
import { AwsError, awsJson, configuredEndpoint, endpointOf, md5, regionOf, SQS } from '../aws/awsJson';
import { resolveQueueUrl, type LookUpQueueUrl, type QueueSettings } from './address';
import type { Queue } from './queue';

/** Where SendMessage goes: a configured endpoint, else the queue URL's origin (the SDK's `useQueueUrlAsEndpoint`). */
export function sqsEndpoint(queueUrl: string, env: Record<string, string | undefined> = process.env): URL {
  return configuredEndpoint(SQS, env) ?? (URL.canParse(queueUrl) ? new URL(new URL(queueUrl).origin) : endpointOf(SQS, regionOf(env), env));
}

/** The queue named by these settings (lib/queue/address.ts), its URL found on the first send and kept. */
export function sqsQueue(settings: QueueSettings, lookUp?: LookUpQueueUrl): Queue {
  let queueUrl: string | undefined;
  let endpoint: URL | undefined;
  return {
    async send(messages, invocation) {
      queueUrl ??= await resolveQueueUrl(settings, invocation, lookUp);
      endpoint ??= sqsEndpoint(queueUrl);
      for (const m of messages) {
        const answer = await awsJson(SQS, 'SendMessage', { QueueUrl: queueUrl, MessageBody: m.body, MessageGroupId: m.groupId, MessageDeduplicationId: m.deduplicationId }, { endpoint });
        // As the SDK does: a body that arrived other than sent is an error (the message is not taken as sent).
        if (typeof answer.MD5OfMessageBody === 'string' && answer.MD5OfMessageBody !== md5(m.body)) {
          throw new AwsError(`SendMessage: the queue's MD5 of the message body does not match`, 'InvalidChecksum', 0);
        }
      }
    },
  };
}
