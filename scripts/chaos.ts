/**
 * `npm run chaos [-- --events 10000 --concurrency 50 --fault-rate 0.2 --seed 42]`: the chaos run of
 * test/chaos/chaos.ts with its defaults; prints the report and `lost N, duplicated N, wrong N`, exits 1 unless all 0.
 */
import { parseArgs } from 'node:util';
import { CHAOS_DEFAULTS, runChaos } from '../local/chaos';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      events: { type: 'string' },
      deliveries: { type: 'string' },
      concurrency: { type: 'string' },
      'fault-rate': { type: 'string' },
      seed: { type: 'string' },
    },
  });
  const number = (v: string | undefined, fallback: number) => (v === undefined ? fallback : Number(v));
  const options = {
    events: number(values.events, CHAOS_DEFAULTS.events),
    deliveries: number(values.deliveries, CHAOS_DEFAULTS.deliveries),
    concurrency: number(values.concurrency, CHAOS_DEFAULTS.concurrency),
    faultRate: number(values['fault-rate'], CHAOS_DEFAULTS.faultRate),
    seed: number(values.seed, CHAOS_DEFAULTS.seed),
  };
  console.log(`chaos: ${options.events} events × ${options.deliveries} deliveries, concurrency ${options.concurrency}, ${options.faultRate * 100} % faults, seed ${options.seed}`);
  const report = await runChaos({
    ...options,
    onProgress: (taken, total, attempts) => console.log(`  ${taken}/${total} deliveries taken, ${attempts} attempts`),
  });
  console.log(JSON.stringify({ ...report, problems: undefined }, null, 2));
  for (const problem of report.problems) console.log(`  ${problem}`);
  console.log(`lost ${report.lost}, duplicated ${report.duplicated}, wrong ${report.wrong}`);
  process.exit(report.lost + report.duplicated + report.wrong === 0 ? 0 : 1);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
