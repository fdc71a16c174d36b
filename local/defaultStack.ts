/**
 * The local stack as `npm start` and `npm run emulators` run it: every emulator on its default port (or the port its
 * variable names: DOCSPACE_PORT, SECRETS_MANAGER_PORT, DYNAMODB_PORT, SENDER_APIS_PORT, SQS_PORT), seeded by
 * startLocalStack; and what both print about it, so the two never disagree.
 */
import { senderApisEnv } from './emulators/senderApis';
import { LOCAL, startLocalStack, type LocalStack } from './stack';

export function startDefaultStack(): Promise<LocalStack> {
  return startLocalStack({
    docspacePort: Number(process.env.DOCSPACE_PORT ?? LOCAL.docspacePort),
    secretsManagerPort: Number(process.env.SECRETS_MANAGER_PORT ?? LOCAL.secretsManagerPort),
    dynamoDbPort: Number(process.env.DYNAMODB_PORT ?? LOCAL.dynamoDbPort),
    senderApisPort: Number(process.env.SENDER_APIS_PORT ?? LOCAL.senderApisPort),
    sqsPort: Number(process.env.SQS_PORT ?? LOCAL.sqsPort),
    // Receives before the DLQ, as deployed (QUEUE_MAX_RECEIVES=1 npm start: the first failure goes there).
    sqs: { maxReceives: Number(process.env.QUEUE_MAX_RECEIVES ?? 5) },
  });
}

/** The emulators and their addresses, one line each. */
export function emulatorLines(stack: LocalStack): string[] {
  return [
    `DocSpace emulator:        ${stack.docspace.url}  (members: GET ${stack.docspace.url}/__emulator/state)`,
    `Secrets Manager emulator: ${stack.secretsManager.url}`,
    `DynamoDB (dynalite):      ${stack.dynamoDb.url}  (table ${LOCAL.eventsTable})`,
    `Okta/BambooHR/HiBob APIs: ${stack.senderApis.url}`,
    `SQS (local-aws-sqs):      ${stack.sqs.url}`,
    `  queue ${stack.sqs.queueUrl}`,
    `  DLQ   ${stack.sqs.dlqUrl}   npm run replay [-- --dry-run]`,
  ];
}

/** The events table and queue serverless.yml names for the `dev` stage when nothing overrides them. */
const DEV_EVENTS_TABLE = 'docspace-idp-sync-dev-events';

/**
 * The exports that point `serverless invoke local` or `npx serverless offline start`, in another terminal, at this
 * stack: the AWS endpoints and the local credentials, then the senders' API URLs (reconcile, the sender doors). A
 * setting whose serverless.yml default already matches the stack (the DocSpace URL on its default port, the events
 * table and queue of the dev stage) is left out.
 */
export function exportLines(stack: LocalStack): string[] {
  const extra: string[] = [];
  if (stack.docspace.url !== `http://127.0.0.1:${LOCAL.docspacePort}`) extra.push(`DOCSPACE_URL=${stack.docspace.url}`);
  const table: string = LOCAL.eventsTable;
  if (table !== DEV_EVENTS_TABLE) extra.push(`IDEMPOTENCY_TABLE=${table}`);
  if (!stack.sqs.queueUrl.endsWith(`/${DEV_EVENTS_TABLE}.fifo`)) extra.push(`QUEUE_URL=${stack.sqs.queueUrl}`);
  const senders = Object.entries(senderApisEnv(stack.senderApis.url)).map(([name, value]) => `${name}=${value}`);
  return [
    `export AWS_ENDPOINT_URL_SECRETS_MANAGER=${stack.secretsManager.url} AWS_ENDPOINT_URL_DYNAMODB=${stack.dynamoDb.url} \\`,
    `  AWS_ENDPOINT_URL_SQS=${stack.sqs.url} AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test${extra.length > 0 ? ' \\' : ''}`,
    ...(extra.length > 0 ? [`  ${extra.join(' ')}`] : []),
    "# and where a sender's API is read (reconcile, the sender doors):",
    `export ${senders.join(' ')}`,
  ];
}
