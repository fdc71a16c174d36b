/**
 * The reconcile figure of `npm run bench` (also alone: `npm run bench -- reconcile`): a BambooHR roster of
 * 10,000 against a DocSpace of 10,000 members the sender manages, with 1 % drift (20 missing, 20 gone, 30 type
 * upgrades, 30 contacts). The run is `npm run reconcile` in a child process against this process's emulators, so its memory is
 * the function's alone (peak RSS by /usr/bin/time, an upper bound: tsx's loader is in it too); calls are counted by
 * the emulators: roster reads, DocSpace pages, DocSpace writes, against the minimum the drift needs.
 */
import { spawn } from 'node:child_process';
import { BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { RosterSeed } from '../local/emulators/senderApis';
import { LOCAL, startLocalStack } from '../local/stack';

type RowFn = (figure: string, value: string, target: string, met: boolean | null) => void;

const SIZE = 10_000;
const DRIFT = { missing: 20, gone: 20, type: 30, contacts: 30 };
const letters = (n: number): string =>
  String(n)
    .split('')
    .map((d) => 'abcdefghij'[Number(d)])
    .join('');

export async function benchReconcile(row: RowFn): Promise<Record<string, unknown>> {
  const stack = await startLocalStack();
  /** `npm run reconcile` in a child process under /usr/bin/time, against this stack. */
  const runChild = async () => {
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(
        '/usr/bin/time',
        ['-f', 'maxrss_kib=%M', process.execPath, '--import', 'tsx', 'scripts/reconcile.ts', '--sender', 'bamboohr', '--output', 'json'],
        {
          env: {
            ...process.env,
            ...stack.env,
            DELIVERY_MODE: 'sync',
            NODE_OPTIONS: '',
            POWERTOOLS_LOG_LEVEL: 'WARN',
            POWERTOOLS_METRICS_DISABLED: 'true',
          },
        },
      );
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('close', (c) => resolve({ code: c ?? -1, stdout: out, stderr: err }));
    });
    if (code !== 0) throw new Error(`reconcile failed (${code}): ${stderr.slice(-2000)}`);
    return { stdout, stderr };
  };
  const maxRss = (stderr: string) => Number(/maxrss_kib=(\d+)/.exec(stderr)?.[1] ?? 0) / 1024;
  try {
    // The same command on the seeded three-person roster: the memory of the process itself (Node, tsx, the SDKs).
    const baselineMiB = maxRss((await runChild()).stderr);
    await stack.dynamoDb.clearEventsTable(LOCAL.eventsTable);
    stack.docspace.reset();
    // The roster: 10,000 active people; the last 20 are not in DocSpace yet.
    const roster: RosterSeed[] = Array.from({ length: SIZE }, (_, i) => ({
      id: String(100_000 + i),
      email: `person${i}@bench.example.com`,
      firstName: 'Bench',
      lastName: `Person ${letters(i)}`,
      // The first 30 are managers (RoomAdmin) whom DocSpace has as Users: upgrades. (A downgrade is DocSpace's
      // asynchronous task, whose progress polls would time the emulator's cadence, not the run.)
      title: i < DRIFT.type ? 'Manager' : 'User',
      mobile: `+1 555 ${String(i).padStart(5, '0')}`,
      active: true,
    }));
    stack.senderApis.seedRoster('bamboohr', roster);
    // DocSpace: everyone but the missing, plus 20 members the roster no longer lists; 30 of another type, 30 with an old phone.
    const inDocSpace = roster.slice(0, SIZE - DRIFT.missing);
    inDocSpace.forEach((p, i) =>
      stack.docspace.addMember({
        email: p.email,
        firstName: p.firstName,
        lastName: p.lastName,
        type: 4,
        contacts: [{ type: 'mobphone', value: i >= DRIFT.type && i < DRIFT.type + DRIFT.contacts ? '+1 555 old' : (p.mobile ?? '') }],
      }),
    );
    const gone = Array.from({ length: DRIFT.gone }, (_, i) =>
      stack.docspace.addMember({ email: `gone${i}@bench.example.com`, firstName: 'Gone', lastName: 'Person', type: 4 }),
    );
    // Every member is BambooHR's (the ownership records, as earlier runs or webhooks left them).
    const dynamo = new DynamoDBClient({
      endpoint: stack.dynamoDb.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const owned = [...inDocSpace.map((p) => p.email), ...gone.map((g) => g.email)];
    for (let i = 0; i < owned.length; i += 25) {
      const items = owned.slice(i, i + 25).map((email) => ({
        PutRequest: {
          Item: {
            id: { S: `member#email:${email}` },
            userId: { S: stack.docspace.memberByEmail(email)?.id ?? '' },
            managedBy: { S: 'bamboohr' },
            via: { S: 'created' },
            sinceMs: { N: '0' },
            rev: { N: '1' },
          },
        },
      }));
      await dynamo.send(new BatchWriteItemCommand({ RequestItems: { [LOCAL.eventsTable]: items } }));
    }
    dynamo.destroy();
    stack.docspace.requests.length = 0;
    stack.senderApis.calls.length = 0;

    const started = performance.now();
    const { stdout, stderr } = await runChild();
    const seconds = (performance.now() - started) / 1000;
    const report = JSON.parse(stdout.slice(stdout.indexOf('{'))) as {
      complete: boolean;
      applied: number;
      drift: Record<string, number>;
      durationsMs: Record<string, number>;
    };
    const maxRssMiB = maxRss(stderr);
    const calls = stack.docspace.calls();
    const pages = calls.filter((c) => c.path === '/api/2.0/people/filter').length;
    const writes = calls.filter((c) => c.method !== 'GET').length;
    const otherReads = calls.length - pages - writes;
    const rosterReads = stack.senderApis.calls.length;
    const minimumPages = Math.ceil((SIZE + 1) / 100);
    const minimumWrites = DRIFT.missing + DRIFT.gone + DRIFT.type + DRIFT.contacts;
    const driftFound = Object.values(report.drift).reduce((a, b) => a + b, 0);

    row(
      `reconcile ${SIZE} vs ${SIZE}, 1 % drift: time`,
      `${seconds.toFixed(1)} s (${driftFound} drift items, ${report.applied} applied, complete ${report.complete})`,
      '(reported; the function has 900 s)',
      report.complete && seconds < 900,
    );
    const d = report.durationsMs;
    row(
      'reconcile: where the time goes',
      `roster ${d.roster} ms, DocSpace pages ${d.docspace} ms, ownership ${d.owners} ms, apply ${d.apply} ms`,
      '(reported; emulators on this machine)',
      null,
    );
    row(
      'reconcile: peak RSS of the run',
      `${maxRssMiB.toFixed(0)} MiB (the same command on 3 people: ${baselineMiB.toFixed(0)} MiB)`,
      '≤ 256 MB Lambda',
      maxRssMiB < 244,
    );
    row(
      'reconcile: roster reads / DocSpace pages',
      `${rosterReads} / ${pages}`,
      `${1} / ${minimumPages}`,
      rosterReads === 1 && pages === minimumPages,
    );
    row('reconcile: DocSpace writes', String(writes), `${minimumWrites} (the drift)`, writes === minimumWrites);
    row("reconcile: the rules' own DocSpace reads", String(otherReads), '(reported: each rule reads its member first)', null);
    return {
      size: SIZE,
      drift: DRIFT,
      seconds,
      maxRssMiB,
      baselineMiB,
      rosterReads,
      docspacePages: pages,
      docspaceWrites: writes,
      rulesReads: otherReads,
      minimumPages,
      minimumWrites,
      report: { complete: report.complete, applied: report.applied, drift: report.drift, durationsMs: report.durationsMs },
    };
  } finally {
    await stack.stop();
  }
}
