/**
 * `npm run replay [-- --dry-run [--json]]`: moves the messages in the dead-letter queue back to the events queue
 * (SQS's StartMessageMoveTask; receive and send where the SQS has none). QUEUE_DLQ_URL and QUEUE_URL name the queues
 * (`npm start` prints them); AWS credentials and region come from the environment, as for the AWS CLI. The same
 * move with the AWS CLI: aws sqs start-message-move-task --source-arn <DLQ ARN>
 *
 * `--dry-run` moves nothing: it reads the DLQ without taking or deleting a message and shows, for each message's
 * event in the DLQ's order, the plan — the DocSpace writes the worker would make if it were replayed now (plan mode:
 * reads only, nothing stored). The plan needs the function's settings (DOCSPACE_URL, the secret ids,
 * IDEMPOTENCY_TABLE, …); locally they default to `npm start`'s. `--json` prints the plan as the doors answer it.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { parseCommandLine } from './cli';
import { replayDeadLetters } from '../lib/queue/replay';
import { runningStackEnv } from '../local/stack';

const USAGE = `usage: npm run replay [-- --dry-run [--json]]
  moves the dead-letter queue's messages back to the events queue (QUEUE_DLQ_URL → QUEUE_URL; locally npm start's)
  --dry-run  moves nothing: shows each message's event and the DocSpace writes replaying it would make
  --json     with --dry-run: the plan as JSON`;

async function main(): Promise<void> {
  const { values } = parseCommandLine(USAGE, { 'dry-run': { type: 'boolean', default: false }, json: { type: 'boolean', default: false } });
  const dryRun = values['dry-run'];
  const json = values.json;
  // Locally, `npm start`'s queues and (for a plan) the settings it gives the functions.
  const local = runningStackEnv();
  const dlqUrl = process.env.QUEUE_DLQ_URL ?? local.QUEUE_DLQ_URL ?? '';
  const queueUrl = process.env.QUEUE_URL ?? local.QUEUE_URL ?? '';
  const isLocal = !process.env.QUEUE_DLQ_URL;
  const client = isLocal
    ? new SQSClient({
        endpoint: local.AWS_ENDPOINT_URL_SQS,
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      })
    : new SQSClient({});
  const report = await replayDeadLetters({ client, dlqUrl, queueUrl, dryRun });
  client.destroy();
  if (!dryRun) {
    console.log(`${report.moved} message(s) moved back to ${queueUrl} (${report.how})`);
    return;
  }

  // The plan: the pipeline composed as the worker's, over the recording port. Its log lines (e-mails masked) are
  // kept to WARN and above unless POWERTOOLS_LOG_LEVEL says otherwise: the plan itself is the output.
  Object.assign(process.env, isLocal ? { ...local, ...process.env } : {}, {
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
  });
  const { compose } = await import('../lib/services');
  const { parseSettings } = await import('../lib/settings');
  const { planEvents } = await import('../lib/plan/planner');
  const { lambdaContext } = await import('../local/lambda');
  const session = compose(parseSettings(process.env)).planner();
  const events = report.letters.flatMap((l) => (l.event ? [l.event] : []));
  const plan = await planEvents(session, events, lambdaContext('replay', 15 * 60_000));
  if (json) {
    console.log(JSON.stringify({ ...plan, messages: report.letters.map(({ event: _event, ...letter }) => letter) }, null, 2));
    return;
  }
  console.log(
    `${report.letters.length} message(s) in ${dlqUrl} would move back to ${queueUrl}; replayed now, they would make ${plan.plan.length} DocSpace write(s):`,
  );
  if ((report.held ?? 0) > report.letters.length) {
    console.log(
      `  (the DLQ holds ${report.held ?? 0}: a FIFO queue shows only the first messages of each message group without taking them; the rest move with the replay too, and are not in this plan)`,
    );
  }
  for (const letter of report.letters) {
    console.log(`  ${letter.messageId}  ${letter.type ?? '(not an event)'}  ${letter.eventId ?? ''}  received ${letter.receives}×`);
    const planned = plan.outcomes.find((o) => o.eventId === letter.eventId && o.type === letter.type);
    if (!letter.event) console.log('    not a canonical event: the worker would refuse it again');
    else if (planned) {
      console.log(`    → ${planned.outcome}${planned.message ? `: ${planned.message}` : ''}`);
      for (const i of planned.writes) {
        const w = plan.plan[i];
        if (w)
          console.log(
            `      ${w.method} ${w.path}${w.body === undefined ? '' : ` ${JSON.stringify(w.body)}`}${w.creates ? `   (${w.creates})` : ''}`,
          );
      }
    }
  }
  if (session.unfinished()) console.log('The plan is incomplete: DocSpace or the store did not answer; try again later.');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
