/**
 * The AWS SDK's SQS client, one per container, loaded and made on the first send (a door in sync mode, and every
 * function but the doors in queue mode, never loads it). The SDK finds the credentials, the region and the endpoint
 * (AWS_ENDPOINT_URL_SQS reaches the local SQS), signs, retries throttling and 5xx (three attempts in all), and checks
 * the MD5 of each message body SQS reports against the one it sent.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';

type Sdk = typeof import('@aws-sdk/client-sqs');

/** A request to SQS that has not answered in this long has failed (the SDK sets no limit). */
const REQUEST_TIMEOUT_MS = 10_000;

/** Set in the environment the SDK reads: an endpoint chosen for SQS (a local one), which the queue URL must not override. */
function endpointConfigured(env: Record<string, string | undefined>): boolean {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() === 'true') return false;
  return Boolean(env.AWS_ENDPOINT_URL_SQS || env.AWS_ENDPOINT_URL);
}

let opened: Promise<{ sdk: Sdk; client: SQSClient }> | undefined;

/** The SDK's module and this container's client. */
export function sqs(): Promise<{ sdk: Sdk; client: SQSClient }> {
  opened ??= import('@aws-sdk/client-sqs').then((sdk) => ({
    sdk,
    client: new sdk.SQSClient({
      // Without a configured endpoint, each call goes to its queue URL's own host (the SDK's default); with one,
      // there (the local SQS), whatever host the queue URL names.
      useQueueUrlAsEndpoint: !endpointConfigured(process.env),
      requestHandler: { requestTimeout: REQUEST_TIMEOUT_MS, connectionTimeout: REQUEST_TIMEOUT_MS },
    }),
  }));
  return opened;
}
