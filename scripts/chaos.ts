/**
 * `npm run chaos [-- --events 10000 --members 333 --deliveries 3 --concurrency 50 --fault-rate 0.2 --seed 42 --mode sync|queue [--outage]]`: the
 * chaos run of local/chaos.ts with its defaults; prints the report and
 * `lost N, duplicated N, wrong N, never acknowledged N`, and exits 1 unless all four are 0.
 */
import { CHAOS_DEFAULTS, runChaos } from '../local/chaos';
import { parseCommandLine } from './cli';

const USAGE = `usage: npm run chaos [-- --events N --members N --deliveries N --concurrency N --fault-rate R --seed N --mode sync|queue [--outage]]
  sends events through the local stack with faults, redeliveries and shuffled order; exits 1 unless nothing is lost,
  duplicated, wrong or never acknowledged`;

async function main(): Promise<void> {
  const { values } = parseCommandLine(USAGE, {
    events: { type: 'string' },
    members: { type: 'string' },
    deliveries: { type: 'string' },
    concurrency: { type: 'string' },
    'fault-rate': { type: 'string' },
    seed: { type: 'string' },
    mode: { type: 'string', default: 'sync' },
    outage: { type: 'boolean', default: false },
  });
  const number = (v: string | undefined, fallback: number) => (v === undefined ? fallback : Number(v));
  const options = {
    events: number(values.events, CHAOS_DEFAULTS.events),
    ...(values.members === undefined ? {} : { members: Number(values.members) }),
    deliveries: number(values.deliveries, CHAOS_DEFAULTS.deliveries),
    concurrency: number(values.concurrency, CHAOS_DEFAULTS.concurrency),
    faultRate: number(values['fault-rate'], CHAOS_DEFAULTS.faultRate),
    seed: number(values.seed, CHAOS_DEFAULTS.seed),
    mode: values.mode === 'queue' ? ('queue' as const) : ('sync' as const),
    outage: values.outage,
  };
  if (options.outage && options.mode !== 'queue') throw new Error('--outage needs --mode queue');
  if (values.mode !== 'queue' && values.mode !== 'sync') throw new Error('--mode is sync or queue');
  console.log(
    `chaos: ${options.events} events × ${options.deliveries} deliveries, concurrency ${options.concurrency}, ` +
      `${options.faultRate * 100} % faults, seed ${options.seed}, ${options.mode} mode${options.outage ? ', DocSpace down until everything is in the DLQ, then replay' : ''}; retries on the Standard Webhooks schedule (${CHAOS_DEFAULTS.retrySchedule.length} attempts)`,
  );
  const report = await runChaos({
    ...options,
    onProgress: (taken, total, attempts) => console.log(`  ${taken}/${total} deliveries taken, ${attempts} attempts`),
  });
  console.log(JSON.stringify({ ...report, problems: undefined, unacknowledged: undefined }, null, 2));
  if (report.problems.length) console.log('problems:');
  for (const problem of report.problems) console.log(`  ${problem}`);
  if (report.unacknowledged.length) console.log('never acknowledged (first few):');
  for (const line of report.unacknowledged) console.log(`  ${line}`);
  const deadLetters = report.queue ? `, DLQ ${report.queue.deadLetters}` : '';
  console.log(
    `lost ${report.lost}, duplicated ${report.duplicated}, wrong ${report.wrong}, never acknowledged ${report.neverAcknowledged}${deadLetters}`,
  );
  process.exit(
    report.lost +
      report.duplicated +
      report.wrong +
      report.neverAcknowledged +
      (report.queue?.deadLetters ?? 0) +
      (report.queue?.left ?? 0) ===
      0
      ? 0
      : 1,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
