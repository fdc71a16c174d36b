/**
 * `npm run bench`: what the handlers cost beyond the DocSpace round trip, on this machine, in one run.
 *   1. economy      Secrets Manager calls and TCP connections to DocSpace over 1,000 warm invocations
 *   2. overhead     each canonical flow through the whole handler (HTTP form: middy, secrets, signature, validation)
 *                   ÷ the same DocSpace requests made directly with a warm undici pool (tinybench, median and p99)
 *   3. bundle       minified bundle per function from `serverless package`, and load + first invocation ÷ `node -e 0`
 *   4. burst        5,000 user.created at concurrency 50 against a DocSpace limited to a fixed rate (real 429s)
 *   5. memory       RSS after 10,000 warm invocations vs after 100
 *   6. reconcile    a roster of 10,000 against 10,000 members with 1 % drift: time, peak RSS, API calls (bench/reconcile.ts;
 *                   BENCH_ONLY=reconcile runs this figure alone)
 * Prints one table and writes bench/results/<timestamp>.json.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { Bench } from 'tinybench';
import { Pool } from 'undici';
import { ROUTE_BY_TYPE } from '../lib/http/routes';
import type { Member } from '../local/emulators/docspace';
import { LOCAL, startLocalStack } from '../local/stack';
import { setTimeout as wait } from 'node:timers/promises';
import { composedHandlers, httpEvent, lambdaContext, scimEvent, signedHttpEvent, type LambdaHandler } from '../local/lambda';
import { deliveryFor, SENDER_ROUTES } from '../local/deliveries';
import { benchReconcile } from './reconcile';

interface Row {
  figure: string;
  value: string;
  target: string;
  met: boolean | null;
}

const rows: Row[] = [];
const results: Record<string, unknown> = {};
const row = (figure: string, value: string, target: string, met: boolean | null) => rows.push({ figure, value, target, met });
const ms = (n: number) => `${n.toFixed(3)} ms`;

interface Flow {
  name: string;
  handler: () => Promise<unknown>;
  bare: () => Promise<unknown>;
}

/** A flow through the handler and the same DocSpace requests made bare, side by side (tinybench latencies). */
async function handlerAndBare(flow: Flow, time: number, warmupTime: number) {
  const bench = new Bench({ time, warmupTime });
  bench.add('handler', flow.handler).add('bare', flow.bare);
  await bench.run();
  const [handler, bare] = bench.tasks.map((t) => (t.result.state === 'completed' ? t.result.latency : undefined));
  if (!handler || !bare) throw new Error(`benchmark of ${flow.name} did not complete`);
  return { handler, bare };
}

async function main(): Promise<void> {
  // The handlers' JSON log lines are written (their cost is real) but not shown.
  const write = process.stdout.write.bind(process.stdout);
  let quiet = true;
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: []) => (quiet && String(chunk).startsWith('{"level"') ? true : write(chunk, ...rest))) as typeof process.stdout.write;

  if (process.env.BENCH_ONLY === 'reconcile') {
    results.reconcile = await benchReconcile(row);
    quiet = false;
    return report();
  }
  const stack = await startLocalStack();
  // Warm figures with idempotency off: they measure the code; the DynamoDB round trips it adds in production are
  // network costs like DocSpace's own. Cold starts below run as deployed, idempotency on.
  Object.assign(process.env, stack.env, { IDEMPOTENCY_TABLE: '' });
  const load = async (name: string) => ((await import(`../handlers/${name}`)) as { handler: LambdaHandler }).handler;
  const userCreated = await load('userCreated');
  const userRoleChanged = await load('userRoleChanged');
  const userContactUpdated = await load('userContactUpdated');
  let seq = 0;
  const event = (type: string, data: Record<string, unknown>) => ({ id: `evt_bench_${++seq}`, type, occurredAt: new Date().toISOString(), source: 'bench', data });
  const invoke = (handler: LambdaHandler, type: keyof typeof ROUTE_BY_TYPE, data: Record<string, unknown>) =>
    handler(signedHttpEvent(ROUTE_BY_TYPE[type], event(type, data)), lambdaContext('bench'));

  // 1. Economy per warm container.
  const member = stack.docspace.addMember({ email: 'bench.member@example.com', type: 1 });
  for (let i = 0; i < 1_000; i += 1) await invoke(userRoleChanged, 'user.role_changed', { email: member.email, role: i % 2 ? 'RoomAdmin' : 'DocSpaceAdmin' });
  const secretCalls = stack.secretsManager.callCount('GetSecretValue');
  const connections = stack.docspace.connections;
  results.economy = { invocations: 1_000, secretsManagerCalls: secretCalls, distinctSecrets: 2, docspaceConnections: connections };
  row('Secrets Manager calls, 1,000 warm invocations', `${secretCalls} (API key + signing secret, once each)`, '1 per secret', secretCalls <= 2);
  row('TCP connections to DocSpace, 1,000 warm invocations', String(connections), '1', connections === 1);

  // 2. Warm overhead: the handler vs the same DocSpace requests made directly.
  const pool = new Pool(stack.docspace.url, { connections: 1 });
  const direct = async (method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown) => {
    const res = await pool.request({
      method,
      path,
      headers: { authorization: `Bearer ${LOCAL.apiKey}`, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return (await res.body.json()) as { response?: { id?: string } };
  };
  let n = 0;
  const flows: Flow[] = [
    {
      name: 'user.created',
      handler: () => invoke(userCreated, 'user.created', { email: `h${++n}@bench.example.com`, firstName: 'Bench', lastName: 'Hire', role: 'User' }),
      bare: async () => {
        const email = `b${++n}@bench.example.com`;
        await direct('GET', `/api/2.0/people/email?email=${encodeURIComponent(email)}`);
        await direct('POST', '/api/2.0/people', { email, firstName: 'Bench', lastName: 'Hire', type: 4 });
      },
    },
    {
      name: 'user.role_changed',
      handler: () => invoke(userRoleChanged, 'user.role_changed', { email: member.email, role: ++n % 2 ? 'RoomAdmin' : 'DocSpaceAdmin' }),
      bare: async () => {
        const found = await direct('GET', `/api/2.0/people/email?email=${encodeURIComponent(member.email)}`);
        await direct('PUT', `/api/2.0/people/type/${(member as Member).type === 1 ? 3 : 1}`, { userIds: [found.response?.id] });
      },
    },
    {
      name: 'user.contact_updated',
      handler: () => invoke(userContactUpdated, 'user.contact_updated', { email: member.email, contacts: [{ type: 'mobphone', value: `+1 555 ${++n}` }] }),
      bare: async () => {
        const found = await direct('GET', `/api/2.0/people/email?email=${encodeURIComponent(member.email)}`);
        await direct('PUT', `/api/2.0/people/${found.response?.id}/contacts`, { contacts: [{ type: 'mobphone', value: `+1 555 ${++n}` }] });
      },
    },
  ];
  const overhead: Record<string, unknown> = {};
  for (const flow of flows) {
    const { handler, bare } = await handlerAndBare(flow, 3_000, 500);
    stack.docspace.requests.length = 0;
    const ratio = handler.p50 / bare.p50;
    overhead[flow.name] = { handlerP50: handler.p50, handlerP99: handler.p99, bareP50: bare.p50, bareP99: bare.p99, ratioP50: ratio, ratioP99: handler.p99 / bare.p99 };
    row(`${flow.name}: handler ÷ bare, median`, `${ms(handler.p50)} ÷ ${ms(bare.p50)} = ${ratio.toFixed(2)}`, '≤ 1.15', ratio <= 1.15);
    row(`${flow.name}: handler ÷ bare, p99`, `${ms(handler.p99)} ÷ ${ms(bare.p99)} = ${(handler.p99 / bare.p99).toFixed(2)}`, '(reported)', null);
  }
  results.overhead = overhead;

  // A typical Okta delivery end to end (Okta allows 3 s): verify, read the user from Okta, then DocSpace.
  stack.docspace.addMember({ email: 'john.doe@example.com', type: 1, contacts: [{ type: 'mobphone', value: '+1 555 0142' }, { type: 'phone', value: '+1 555 0100' }] });
  const oktaHook = await load('oktaHook');
  const oktaSample = readFileSync('events/okta/user.account.update_profile.json', 'utf8');
  const oktaBench = new Bench({ time: 2_000, warmupTime: 300 });
  oktaBench.add('okta', async () => {
    const delivery = deliveryFor('okta', oktaSample);
    await oktaHook(httpEvent(SENDER_ROUTES.okta, delivery.body, delivery.headers), lambdaContext('bench'));
  });
  await oktaBench.run();
  const okta = oktaBench.tasks[0]?.result.state === 'completed' ? oktaBench.tasks[0].result.latency : undefined;
  if (okta) {
    results.oktaDelivery = { p50: okta.p50, p99: okta.p99 };
    row('Okta update_profile delivery, end to end', `median ${ms(okta.p50)}, p99 ${ms(okta.p99)}`, '(Okta waits 3,000 ms)', okta.p99 < 3_000);
  }

  // SCIM (Entra ID, Okta): a warm create and a filtered GET. SCIM keeps its users in the events table, so these run
  // with it on (dynalite, in this process): its round trips are part of the handler's figure here.
  process.env.IDEMPOTENCY_TABLE = LOCAL.eventsTable;
  const scim = composedHandlers({ now: () => Date.now(), sleep: (delay) => wait(delay) }).scim();
  const scimCall = (method: string, target: string, body?: unknown) => scim(scimEvent(method, target, body), lambdaContext('bench'));
  const scimUser = (userName: string) => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, name: { givenName: 'Bench', familyName: 'Scim' }, emails: [{ value: userName, type: 'work', primary: true }], active: true });
  const seeded = (await scimCall('POST', '/Users', scimUser('scim.found@bench.example.com'))) as { statusCode?: number };
  if (seeded.statusCode !== 201) throw new Error(`SCIM create answered ${seeded.statusCode}; the benchmark would time an error`);
  const scimFlows: Flow[] = [
    {
      name: 'SCIM create (POST /Users)',
      handler: () => scimCall('POST', '/Users', scimUser(`s${++n}@bench.example.com`)),
      bare: async () => {
        const email = `sb${++n}@bench.example.com`;
        await direct('GET', `/api/2.0/people/email?email=${encodeURIComponent(email)}`);
        await direct('POST', '/api/2.0/people', { email, firstName: 'Bench', lastName: 'Scim', type: 4 });
      },
    },
    {
      name: 'SCIM filtered GET (userName eq)',
      handler: () => scimCall('GET', `/Users?filter=${encodeURIComponent('userName eq "scim.found@bench.example.com"')}`),
      bare: () => direct('GET', `/api/2.0/people/email?email=${encodeURIComponent('scim.found@bench.example.com')}`),
    },
  ];
  const scimFigures: Record<string, unknown> = {};
  for (const flow of scimFlows) {
    const { handler, bare } = await handlerAndBare(flow, 2_000, 300);
    stack.docspace.requests.length = 0;
    scimFigures[flow.name] = { handlerP50: handler.p50, handlerP99: handler.p99, bareP50: bare.p50, bareP99: bare.p99 };
    row(`${flow.name}: handler ÷ bare, median`, `${ms(handler.p50)} ÷ ${ms(bare.p50)} = ${(handler.p50 / bare.p50).toFixed(2)}`, '(reported; events table on)', null);
  }
  results.scim = scimFigures;
  process.env.IDEMPOTENCY_TABLE = '';
  await pool.close();

  // 5. Memory (before the burst fills the emulator): RSS after 100 and after 10,000 warm invocations.
  const gc = (globalThis as { gc?: () => void }).gc;
  const rssAfter = async (count: number) => {
    for (let i = 0; i < count; i += 1) {
      await invoke(userRoleChanged, 'user.role_changed', { email: member.email, role: i % 2 ? 'RoomAdmin' : 'DocSpaceAdmin' });
      if (i % 1_000 === 0) stack.docspace.requests.length = 0;
    }
    gc?.();
    return process.memoryUsage().rss / 2 ** 20;
  };
  const rss100 = await rssAfter(100);
  const rss10k = await rssAfter(9_900);
  results.memory = { rssAfter100MiB: rss100, rssAfter10000MiB: rss10k, gcExposed: Boolean(gc) };
  row('RSS after 100 → 10,000 warm invocations', `${rss100.toFixed(1)} → ${rss10k.toFixed(1)} MiB`, 'no growth beyond noise (≤ 5 MiB)', rss10k - rss100 <= 5);

  // 4. Burst against a rate limit.
  const limit = 400;
  stack.docspace.reset();
  stack.docspace.setFaults(undefined, limit);
  const burst = 5_000;
  let nextHire = 0;
  const started = performance.now();
  const statuses: Record<string, number> = {};
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      while (nextHire < burst) {
        const i = nextHire++;
        const answer = (await invoke(userCreated, 'user.created', { email: `burst${i}@bench.example.com`, firstName: 'Burst', lastName: 'Hire' })) as { statusCode?: number };
        statuses[String(answer.statusCode)] = (statuses[String(answer.statusCode)] ?? 0) + 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const accepted = stack.docspace.calls().filter((c) => c.status !== 429).length;
  const created = stack.docspace.members.size - 1;
  const throughput = accepted / seconds / limit;
  results.burst = { events: burst, concurrency: 50, limitPerSecond: limit, seconds, acceptedRequests: accepted, rejected429: stack.docspace.rateLimiter?.rejected, created, statuses };
  row(`burst: ${burst} hires at concurrency 50, limit ${limit} req/s`, `${(accepted / seconds).toFixed(0)} req/s = ${throughput.toFixed(2)} × limit in ${seconds.toFixed(1)} s`, '≥ 0.9', throughput >= 0.9);
  row('burst: lost events', String(burst - created), '0', created === burst);
  stack.docspace.setFaults(undefined);

  // 3. Bundles and cold start, from the artefact `serverless package` builds.
  const out = join('bench', '.package');
  rmSync(out, { recursive: true, force: true });
  execFileSync('npx', ['serverless', 'package', '--package', out], { stdio: 'ignore', env: { ...process.env, IDEMPOTENCY_TABLE: '' } });
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  // Asynchronous on purpose: the emulators live in this process and must go on answering.
  const time = (args: string[], env: NodeJS.ProcessEnv) =>
    new Promise<number>((resolve, reject) => {
      const t = performance.now();
      const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('exit', (code) => (code === 0 ? resolve(performance.now() - t) : reject(new Error(`cold start failed: ${stderr}`))));
    });
  const repeat = async (times: number, fn: () => Promise<number>) => {
    const out: number[] = [];
    for (let i = 0; i < times; i += 1) out.push(await fn());
    return out;
  };
  const nodeBaseline = median(await repeat(11, () => time(['-e', '0'], process.env)));
  const bundles: Record<string, unknown> = {};
  for (const zip of readdirSync(out).filter((f) => f.endsWith('.zip'))) {
    const fn = zip.replace(/\.zip$/, '');
    const dir = join(out, fn);
    mkdirSync(dir, { recursive: true });
    execFileSync('unzip', ['-o', '-q', join(out, zip), '-d', dir]);
    const file = join(dir, 'handlers', `${fn}.cjs`);
    const bytes = statSync(file).size;
    const coldEnv = { ...process.env, IDEMPOTENCY_TABLE: LOCAL.eventsTable, NODE_OPTIONS: '', POWERTOOLS_LOG_LEVEL: 'SILENT', COLD_OKTA_SECRET: LOCAL.senderSecrets.okta, COLD_BAMBOOHR_KEY: LOCAL.senderSecrets.bamboohr };
    const coldMs = median(await repeat(7, () => time([join('bench', 'coldStart.cjs'), file, fn], coldEnv)));
    bundles[fn] = { bytes, coldStartMs: coldMs, ratio: coldMs / nodeBaseline };
    row(`${fn}: minified bundle`, `${(bytes / 1024).toFixed(0)} KB`, '≤ 150 KB', bytes <= 150 * 1024);
    row(`${fn}: load + first invocation ÷ node -e 0`, `${coldMs.toFixed(0)} ÷ ${nodeBaseline.toFixed(0)} ms = ${(coldMs / nodeBaseline).toFixed(2)}`, '≤ 2', coldMs / nodeBaseline <= 2);
  }
  results.bundles = { nodeBaselineMs: nodeBaseline, functions: bundles };

  // 6. Reconcile (its own stack: the emulators hold 10,000 people each).
  results.reconcile = await benchReconcile(row);

  quiet = false;
  await stack.stop();
  report();
}

function report(): void {
  const machine = { node: process.version, cpus: `${cpus().length} × ${cpus()[0]?.model ?? '?'}`, memoryGiB: Math.round(totalmem() / 2 ** 30) };
  mkdirSync(join('bench', 'results'), { recursive: true });
  const file = join('bench', 'results', `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ machine, ...results }, null, 2));
  const width = Math.max(...rows.map((r) => r.figure.length));
  const valueWidth = Math.max(...rows.map((r) => r.value.length));
  console.log(`\nmachine: ${machine.cpus}, ${machine.memoryGiB} GiB, Node ${machine.node}\n`);
  for (const r of rows) console.log(`${r.figure.padEnd(width)}  ${r.value.padEnd(valueWidth)}  target ${r.target}${r.met === null ? '' : r.met ? '  ✓' : '  ✗ missed'}`);
  console.log(`\nresults: ${file}`);
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
