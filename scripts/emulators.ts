/**
 * `npm run emulators`: only the emulators `npm start` runs — DocSpace, Secrets Manager, DynamoDB, the senders' APIs
 * and SQS, on the same ports and seeded the same way — without serverless offline or the queue poller: for
 * `serverless invoke local` and `npx serverless offline start` in another terminal. Prints the exports those need,
 * then `Emulators ready`; runs until Ctrl-C.
 */
import { emulatorLines, exportLines, startDefaultStack } from '../local/defaultStack';
import { parseCommandLine } from './cli';

const USAGE = `usage: npm run emulators
  the emulators npm start runs (DocSpace, Secrets Manager, DynamoDB, the senders' APIs, SQS), seeded the same way, on
  the same ports, without serverless offline or the worker; prints the exports for invoke local and serverless offline`;

async function main(): Promise<void> {
  parseCommandLine(USAGE, {});
  const stack = await startDefaultStack();
  for (const line of emulatorLines(stack)) console.log(line);
  console.log('For `serverless invoke local` or `npx serverless offline start` in another terminal:');
  for (const line of exportLines(stack)) console.log(`  ${line}`);
  console.log('Emulators ready');
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void stack.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
