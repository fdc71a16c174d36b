/**
 * `npm run reconcile -- --sender bamboohr [--force] [--dry-run] [--output json]`: one reconciliation run, in this process,
 * against the `npm start` stack (its emulators on their default ports) unless DOCSPACE_URL is set, in which case the
 * environment names everything (a real deployment's settings and AWS credentials, as for the AWS CLI). Applies the
 * drift through the pipeline directly (DELIVERY_MODE=queue in the environment hands it to the queue instead) and
 * prints the report: a table, or the JSON the function answers with --output json. Exit code 0; 2 when the safety
 * threshold held something back. `--dry-run` plans instead: reads only, nothing applied or stored, and the report
 * ends with the DocSpace writes the run would make, in order (`{{member:N}}` names a member it would create).
 */
import { logger } from '../lib/log';
import { formatReport } from '../lib/reconcile/report';
import type { ReconcileResult } from '../lib/reconcile/door';
import { services } from '../lib/services';
import { SENDER_NAMES, type Sender } from '../lib/senders/registry';
import { lambdaContext } from '../local/lambda';
import { runningStackEnv } from '../local/stack';
import { parseCommandLine, usageError } from './cli';

const USAGE = `usage: npm run reconcile -- --sender ${SENDER_NAMES.join('|')} [--force] [--dry-run] [--output table|json]
  one reconciliation run against npm start's stack (or, with DOCSPACE_URL set, the environment's deployment)
  --dry-run  plans: reads only, nothing applied or stored; the report ends with the writes it would make
  --force    applies disables and downgrades the safety threshold held back
  --output   table (default) or json (the function's answer)`;

async function main(): Promise<void> {
  const { values } = parseCommandLine(USAGE, {
    sender: { type: 'string' },
    force: { type: 'boolean', default: false },
    'dry-run': { type: 'boolean', default: false },
    output: { type: 'string', default: 'table' },
  });
  const sender = values.sender as Sender | undefined;
  if (!sender || !SENDER_NAMES.includes(sender)) usageError(`--sender must be one of ${SENDER_NAMES.join(', ')}`, USAGE);
  if (!['table', 'json'].includes(values.output)) usageError('--output must be table or json', USAGE);
  // Queue mode hands the drift to `npm start`'s local SQS, whose poller runs the worker.
  if (!process.env.DOCSPACE_URL) Object.assign(process.env, runningStackEnv(), { DELIVERY_MODE: process.env.DELIVERY_MODE ?? 'sync' });
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  // The report shows every item; the log lines (one per item and event) would repeat it. POWERTOOLS_LOG_LEVEL=INFO shows them.
  logger.setLogLevel((process.env.POWERTOOLS_LOG_LEVEL as 'INFO' | undefined) ?? 'WARN');
  const request = { ...(values.force ? { force: true } : {}), ...(values['dry-run'] ? { dryRun: true } : {}) };
  const report: ReconcileResult | undefined = await services().reconcile(sender, request, lambdaContext('reconcile', 15 * 60_000));
  if (!report) throw new Error('reconcile answered no report');
  console.log(values.output === 'json' ? JSON.stringify(report, null, 2) : formatReport(report));
  process.exit(report.heldBack > 0 ? 2 : 0);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
