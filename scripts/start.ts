/**
 * `npm start`: the whole service on this machine with no AWS account and no portal. Starts the DocSpace and
 * Secrets Manager emulators (seeded with an API key and a signing secret) and `serverless offline` against them.
 * Ports: DOCSPACE_PORT (8090), SECRETS_MANAGER_PORT (4566), DYNAMODB_PORT (8000), SENDER_APIS_PORT (8095),
 * OFFLINE_HTTP_PORT (3000), OFFLINE_LAMBDA_PORT (3002).
 */
import { spawn } from 'node:child_process';
import { LOCAL, startLocalStack } from '../local/stack';
import { ROUTE_BY_TYPE } from '../lib/http/routes';
import { SENDER_ROUTES } from '../local/deliveries';

async function main(): Promise<void> {
  const stack = await startLocalStack({
    docspacePort: Number(process.env.DOCSPACE_PORT ?? LOCAL.docspacePort),
    secretsManagerPort: Number(process.env.SECRETS_MANAGER_PORT ?? LOCAL.secretsManagerPort),
    dynamoDbPort: Number(process.env.DYNAMODB_PORT ?? LOCAL.dynamoDbPort),
    senderApisPort: Number(process.env.SENDER_APIS_PORT ?? LOCAL.senderApisPort),
  });
  const httpPort = process.env.OFFLINE_HTTP_PORT ?? String(LOCAL.httpPort);
  const lambdaPort = process.env.OFFLINE_LAMBDA_PORT ?? String(LOCAL.lambdaPort);
  const env = { ...process.env, ...stack.env, OFFLINE_HTTP_PORT: httpPort, OFFLINE_LAMBDA_PORT: lambdaPort };

  console.log(`DocSpace emulator:        ${stack.docspace.url}  (members: GET ${stack.docspace.url}/__emulator/state)`);
  console.log(`Secrets Manager emulator: ${stack.secretsManager.url}`);
  console.log(`DynamoDB (dynalite):      ${stack.dynamoDb.url}  (table ${LOCAL.eventsTable})`);
  console.log(`Okta/BambooHR/HiBob APIs: ${stack.senderApis.url}`);
  const routes = [...new Set([...Object.values(ROUTE_BY_TYPE), ...Object.values(SENDER_ROUTES)])];
  console.log(`Webhook routes:           ${routes.map((r) => `http://localhost:${httpPort}${r}`).join('\n                          ')}`);
  console.log(`SCIM 2.0 (Entra, Okta):   Tenant URL http://localhost:${httpPort}/scim/v2   Secret Token ${LOCAL.scimToken}`);
  console.log(`                          npm run conformance:scim -- <collection.json>   (resets the emulators first)`);
  console.log('Send a signed sample:     npm run send -- events/user-created.json');
  console.log('                          npm run send -- --sender bamboohr events/bamboohr/employee-hired.fields.json');
  console.log('Invoke directly, in another terminal:');
  console.log(`  export DOCSPACE_URL=${stack.docspace.url} AWS_ENDPOINT_URL_SECRETS_MANAGER=${stack.secretsManager.url} \\`);
  console.log(`    AWS_ENDPOINT_URL_DYNAMODB=${stack.dynamoDb.url} IDEMPOTENCY_TABLE=${LOCAL.eventsTable} AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test`);
  console.log('  npx serverless invoke local -f userCreated -p events/user-created.json');
  console.log('  npx serverless invoke local -f followUp        # the follow-ups (serverless offline also runs them every minute)');
  console.log('Starting serverless offline…\n');

  const offline = spawn('npx', ['serverless', 'offline', 'start'], { env, stdio: 'inherit' });
  const stop = () => {
    offline.kill('SIGINT');
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  offline.on('exit', (code) => {
    void stack.stop().then(() => process.exit(code ?? 0));
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
