/**
 * The embedded defaults for running without AWS or a portal: both emulators on loopback, Secrets Manager seeded
 * with a DocSpace API key and a Standard Webhooks signing secret. These values are local fixtures, not secrets.
 */
import { DocSpaceEmulator, type DocSpaceEmulatorOptions } from './emulators/docspace';
import { DynamoDbEmulator } from './emulators/dynamodb';
import { SecretsManagerEmulator } from './emulators/secretsManager';
import { QUEUE_NAMES, SqsEmulator, type SqsEmulatorOptions } from './emulators/sqs';
import { SENDER_CREDENTIALS, senderApisEnv, SenderApisEmulator } from './emulators/senderApis';
import { SENDER_NAMES, type Sender } from '../lib/senders/registry';

/** Signing material the vendors' reference vectors use, where they publish one; a made-up one for the others. */
const VENDOR_VECTORS: Partial<Record<Sender, string>> = {
  okta: 'local-okta-shared-secret',
  bamboohr: '123b929362d51613054f71e5e5d4bf2c',
  hibob: 'test-bob-webhook-secret',
};

export const LOCAL = {
  apiKey: `sk-${'0123456789abcdef'.repeat(4)}`,
  signingSecret: `whsec_${Buffer.from('docspace-idp-sync local signing!').toString('base64')}`,
  apiKeySecretId: 'docspace-idp-sync/docspace-api-key',
  webhookSecretId: 'docspace-idp-sync/webhook-secrets',
  senderApiSecretId: 'docspace-idp-sync/source-api',
  /** Per-sender signing material (Okta's shared header value, BambooHR's private key, HiBob's secret token, …). */
  /** The bearer token Entra ID, Okta or a test sends to /scim/v2 (the `scim` key of the webhook secret). */
  scimToken: 'scimlocal_0f1e2d3c4b5a69788796a5b4c3d2e1f0',
  senderSecrets: Object.fromEntries(SENDER_NAMES.map((s) => [s, VENDOR_VECTORS[s] ?? `local-${s}-signing-secret`])) as Record<
    Sender,
    string
  >,
  /** The `dev` stage's names (serverless.yml's defaults), so `invoke local` and `serverless offline` need no override. */
  eventsTable: 'docspace-idp-sync-dev-events',
  queueName: QUEUE_NAMES.events,
  deadLetterQueueName: QUEUE_NAMES.deadLetters,
  docspacePort: 8090,
  secretsManagerPort: 4566,
  dynamoDbPort: 8000,
  senderApisPort: 8095,
  sqsPort: 9324,
  httpPort: 3000,
  lambdaPort: 3002,
} as const;

export interface LocalStack {
  docspace: DocSpaceEmulator;
  secretsManager: SecretsManagerEmulator;
  dynamoDb: DynamoDbEmulator;
  senderApis: SenderApisEmulator;
  sqs: SqsEmulator;
  /** The environment a function needs to run against these emulators. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startLocalStack(
  options: DocSpaceEmulatorOptions & {
    docspacePort?: number;
    secretsManagerPort?: number;
    dynamoDbPort?: number;
    senderApisPort?: number;
    sqsPort?: number;
    sqs?: SqsEmulatorOptions;
  } = {},
): Promise<LocalStack> {
  const docspace = new DocSpaceEmulator({ apiKeys: [LOCAL.apiKey], ...options });
  const secretsManager = new SecretsManagerEmulator();
  await docspace.start(options.docspacePort ?? 0);
  await secretsManager.start(options.secretsManagerPort ?? 0);
  const dynamoDb = new DynamoDbEmulator();
  await dynamoDb.start(options.dynamoDbPort ?? 0);
  await dynamoDb.createEventsTable(LOCAL.eventsTable);
  const senderApis = new SenderApisEmulator();
  await senderApis.start(options.senderApisPort ?? 0);
  const sqs = new SqsEmulator(options.sqs);
  await sqs.start(options.sqsPort ?? 0);
  secretsManager.setSecret(LOCAL.apiKeySecretId, JSON.stringify({ apiKey: LOCAL.apiKey }));
  secretsManager.setSecret(
    LOCAL.webhookSecretId,
    JSON.stringify({ standardWebhooks: LOCAL.signingSecret, ...LOCAL.senderSecrets, scim: LOCAL.scimToken }),
  );
  secretsManager.setSecret(LOCAL.senderApiSecretId, JSON.stringify(SENDER_CREDENTIALS));
  return {
    docspace,
    secretsManager,
    dynamoDb,
    senderApis,
    sqs,
    env: functionEnv({
      docspace: docspace.url,
      secretsManager: secretsManager.url,
      dynamoDb: dynamoDb.url,
      senderApis: senderApis.url,
      sqs: sqs.url,
      queueUrl: sqs.queueUrl,
      dlqUrl: sqs.dlqUrl,
    }),
    stop: async () => {
      await Promise.all([docspace.stop(), secretsManager.stop(), dynamoDb.stop(), senderApis.stop(), sqs.stop()]);
    },
  };
}

/**
 * The environment that reaches a running `npm start` stack (its emulators on their default ports, or the *_PORT
 * variables it was started with): for the CLIs (`npm run reconcile`, `npm run replay -- --dry-run`) that compose
 * the functions' services in their own process.
 */
export function runningStackEnv(): Record<string, string> {
  const at = (name: string, fallback: number) => `http://127.0.0.1:${process.env[name] ?? String(fallback)}`;
  const sqs = at('SQS_PORT', LOCAL.sqsPort);
  return functionEnv({
    docspace: at('DOCSPACE_PORT', LOCAL.docspacePort),
    secretsManager: at('SECRETS_MANAGER_PORT', LOCAL.secretsManagerPort),
    dynamoDb: at('DYNAMODB_PORT', LOCAL.dynamoDbPort),
    senderApis: at('SENDER_APIS_PORT', LOCAL.senderApisPort),
    sqs,
    queueUrl: `${sqs}/123456789012/${LOCAL.queueName}`,
    dlqUrl: `${sqs}/123456789012/${LOCAL.deadLetterQueueName}`,
  });
}

/** The environment a function needs to run against the emulators at these addresses. */
function functionEnv(urls: {
  docspace: string;
  secretsManager: string;
  dynamoDb: string;
  senderApis: string;
  sqs: string;
  queueUrl: string;
  dlqUrl: string;
}): Record<string, string> {
  return {
    // The queue for queue mode (DELIVERY_MODE=queue sets it to work; the default in code is sync).
    QUEUE_URL: urls.queueUrl,
    QUEUE_NAME: LOCAL.queueName,
    QUEUE_DLQ_URL: urls.dlqUrl,
    AWS_ENDPOINT_URL_SQS: urls.sqs,
    ...senderApisEnv(urls.senderApis),
    SENDER_API_SECRET_ID: LOCAL.senderApiSecretId,
    IDEMPOTENCY_TABLE: LOCAL.eventsTable,
    AWS_ENDPOINT_URL_DYNAMODB: urls.dynamoDb,
    DOCSPACE_URL: urls.docspace,
    DOCSPACE_API_KEY_SECRET_ID: LOCAL.apiKeySecretId,
    WEBHOOK_SECRET_ID: LOCAL.webhookSecretId,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: urls.secretsManager,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  };
}
