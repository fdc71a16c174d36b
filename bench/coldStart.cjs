// Loads one function's bundle and serves its first invocation, then exits: `node bench/coldStart.cjs <bundle> <fn>
// <event.json>`. The benchmark writes the event (a signed delivery, an SQS batch, …) and times this against
// `node -e 0`. Plain CommonJS on purpose: nothing else is loaded before the bundle. An HTTP answer other than 2xx
// fails the run: a cold start is timed on an invocation that did its work, not on an early refusal. It prints the
// process's CPU time (user + system, µs) on exit: on a shared machine, steadier than the wall clock.
const { readFileSync } = require('node:fs');
const { resolve } = require('node:path');
const { pathToFileURL } = require('node:url');

const [file, fn, eventFile] = process.argv.slice(2);
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const started = Date.now();
const context = {
  functionName: fn,
  // Lambda's runtime takes the request id from its API, outside the function: no randomUUID() here (seeding the
  // random generator would be counted as the function's cold start).
  awsRequestId: `00000000-0000-4000-8000-${String(process.pid).padStart(12, '0')}`,
  invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${fn}`,
  memoryLimitInMB: '256',
  getRemainingTimeInMillis: () => 29_000 - (Date.now() - started),
};

const cpu = () => {
  const { user, system } = process.cpuUsage();
  // On a line of its own, last: the function's EMF metric lines go to stdout before it.
  process.stdout.write(`\n${user + system}`);
};

// A CommonJS bundle is required; an ES module one (.mjs) imported, as Lambda's runtime does.
const load = file.endsWith('.mjs') ? import(pathToFileURL(resolve(file)).href) : Promise.resolve(require(resolve(file)));
load
  .then(({ handler }) => handler(event, context))
  .then(
    (answer) => {
      const status = answer && typeof answer === 'object' ? answer.statusCode : undefined;
      if (status !== undefined && (status < 200 || status >= 300)) {
        console.error(`${fn} answered ${status}: ${answer.body}`);
        process.exit(1);
      }
      cpu();
      process.exit(0);
    },
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
