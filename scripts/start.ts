/**
 * `npm start`: the whole service on this machine with no AWS account and no portal. Starts the DocSpace and
 * Secrets Manager emulators (seeded with an API key and a signing secret) and `serverless offline` against them.
 * Queue mode by default, as deployed (DELIVERY_MODE=sync npm start for the other): the local SQS (local-aws-sqs) and
 * a poller that invokes the worker with each batch as Lambda's event source mapping does.
 * Ports: DOCSPACE_PORT (8090), SECRETS_MANAGER_PORT (4566), DYNAMODB_PORT (8000), SENDER_APIS_PORT (8095),
 * SQS_PORT (9324), OFFLINE_HTTP_PORT (3000), OFFLINE_LAMBDA_PORT (3002). `npm run emulators` runs the same emulators alone.
 */
import { spawn } from 'node:child_process';
import { LOCAL } from '../local/stack';
import { emulatorLines, exportLines, startDefaultStack } from '../local/defaultStack';
import { ROUTE_BY_TYPE } from '../lib/http/routes';
import { SENDER_ROUTES } from '../local/deliveries';
import { workerDoor } from '../lib/queue/worker';
import { services } from '../lib/services';
import type { LambdaHandler } from '../local/lambda';
import { Poller } from '../local/poller';
import { parseCommandLine } from './cli';

const USAGE = `usage: npm start
  the whole service on this machine: the emulators, a local SQS with a poller running the worker, and the HTTP API
  (serverless offline) on http://localhost:3000. Settings from the environment: DELIVERY_MODE=sync, DRY_RUN=true,
  QUEUE_MAX_RECEIVES, and the ports (DOCSPACE_PORT, SECRETS_MANAGER_PORT, DYNAMODB_PORT, SENDER_APIS_PORT, SQS_PORT,
  OFFLINE_HTTP_PORT, OFFLINE_LAMBDA_PORT)`;

async function main(): Promise<void> {
  parseCommandLine(USAGE, {});
  const stack = await startDefaultStack();
  const httpPort = process.env.OFFLINE_HTTP_PORT ?? String(LOCAL.httpPort);
  const lambdaPort = process.env.OFFLINE_LAMBDA_PORT ?? String(LOCAL.lambdaPort);
  const deliveryMode = process.env.DELIVERY_MODE === 'sync' ? 'sync' : 'queue';
  const env = { ...process.env, ...stack.env, DELIVERY_MODE: deliveryMode, OFFLINE_HTTP_PORT: httpPort, OFFLINE_LAMBDA_PORT: lambdaPort };

  for (const line of emulatorLines(stack)) console.log(line);
  console.log(`Delivery mode:            DELIVERY_MODE=${deliveryMode}`);
  const routes = [...new Set([...Object.values(ROUTE_BY_TYPE), ...Object.values(SENDER_ROUTES)])];
  console.log(`Webhook routes:           ${routes.map((r) => `http://localhost:${httpPort}${r}`).join('\n                          ')}`);
  if (process.env.DRY_RUN === 'true')
    console.log('DRY_RUN=true:            plan mode — every door but SCIM answers with the plan; nothing is applied');
  console.log(`SCIM 2.0 (Entra, Okta):   Tenant URL http://localhost:${httpPort}/scim/v2   Secret Token ${LOCAL.scimToken}`);
  console.log(`                          npm run conformance:scim -- <collection.json>   (resets the emulators first)`);
  console.log('Send a signed sample:     npm run send -- events/user-created.json');
  console.log('                          npm run send -- --sender bamboohr events/bamboohr/employee-hired.fields.json');
  console.log(
    'Reconcile a roster:       npm run reconcile -- --sender bamboohr   (its three people are new to DocSpace; then --sender okta)',
  );
  console.log('Invoke directly, in another terminal:');
  for (const line of exportLines(stack)) console.log(`  ${line}`);
  console.log('  npx serverless invoke local -f userCreated -p events/user-created.json');
  console.log('  npx serverless invoke local -f followUp        # the follow-ups (serverless offline also runs them every minute)');
  console.log('Starting serverless offline…\n');

  const offline = spawn('npx', ['serverless', 'offline', 'start'], { env, stdio: 'inherit' });
  // The worker's event source mapping: this process runs the worker with the same settings serverless offline has.
  let poller: Poller | undefined;
  if (deliveryMode === 'queue') {
    Object.assign(process.env, stack.env, { DELIVERY_MODE: 'queue' });
    poller = new Poller({
      client: stack.sqs.client(),
      queueUrl: stack.sqs.queueUrl,
      handler: workerDoor(services) as LambdaHandler,
      concurrency: 4,
    });
    poller.start();
  }
  const stop = () => {
    void poller?.stop();
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
