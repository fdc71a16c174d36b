/**
 * `npm run chaos [-- --events 10000 --members 333 --deliveries 3 --concurrency 50 --fault-rate 0.2 --seed 42]`: the
 * chaos run of local/chaos.ts with its defaults; prints the report and
 * `lost N, duplicated N, wrong N, never acknowledged N`, and exits 1 unless all four are 0.
 */
import { parseArgs } from 'node:util';
import { CHAOS_DEFAULTS, runChaos } from '../local/chaos';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      events: { type: 'string' },
      members: { type: 'string' },
      deliveries: { type: 'string' },
      concurrency: { type: 'string' },
      'fault-rate': { type: 'string' },
      seed: { type: 'string' },
    },
  });
  const number = (v: string | undefined, fallback: number) => (v === undefined ? fallback : Number(v));
  const options = {
    events: number(values.events, CHAOS_DEFAULTS.events),
    ...(values.members === undefined ? {} : { members: Number(values.members) }),
    deliveries: number(values.deliveries, CHAOS_DEFAULTS.deliveries),
    concurrency: number(values.concurrency, CHAOS_DEFAULTS.concurrency),
    faultRate: number(values['fault-rate'], CHAOS_DEFAULTS.faultRate),
    seed: number(values.seed, CHAOS_DEFAULTS.seed),
  };
  console.log(
    `chaos: ${options.events} events × ${options.deliveries} deliveries, concurrency ${options.concurrency}, ` +
      `${options.faultRate * 100} % faults, seed ${options.seed}; retries on the Standard Webhooks schedule (${CHAOS_DEFAULTS.retrySchedule.length} attempts)`,
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
  console.log(`lost ${report.lost}, duplicated ${report.duplicated}, wrong ${report.wrong}, never acknowledged ${report.neverAcknowledged}`);
  process.exit(report.lost + report.duplicated + report.wrong + report.neverAcknowledged === 0 ? 0 : 1);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
