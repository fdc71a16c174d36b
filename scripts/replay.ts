/**
 * `npm run replay [-- --dry-run]`: moves the messages in the dead-letter queue back to the events queue (SQS's
 * StartMessageMoveTask; receive and send where the SQS has none). QUEUE_DLQ_URL and QUEUE_URL name the queues
 * (`npm start` prints them); AWS credentials and region come from the environment, as for the AWS CLI. The same
 * move with the AWS CLI: aws sqs start-message-move-task --source-arn <DLQ ARN>
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { replayDeadLetters } from '../lib/queue/replay';
import { LOCAL } from '../local/stack';

async function main(): Promise<void> {
  const dryRun = process.argv.includes('--dry-run');
  const local = `http://127.0.0.1:${process.env.SQS_PORT ?? LOCAL.sqsPort}/123456789012`;
  const dlqUrl = process.env.QUEUE_DLQ_URL ?? `${local}/docspace-idp-sync-local-events-dlq.fifo`;
  const queueUrl = process.env.QUEUE_URL ?? `${local}/docspace-idp-sync-local-events.fifo`;
  const isLocal = !process.env.QUEUE_DLQ_URL;
  const client = isLocal
    ? new SQSClient({ endpoint: `http://127.0.0.1:${process.env.SQS_PORT ?? LOCAL.sqsPort}`, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } })
    : new SQSClient({});
  const report = await replayDeadLetters({ client, dlqUrl, queueUrl, dryRun });
  if (dryRun) {
    console.log(`${report.letters.length} message(s) in ${dlqUrl} would move back to ${queueUrl}:`);
    for (const l of report.letters) console.log(`  ${l.messageId}  ${l.type ?? '(not an event)'}  ${l.eventId ?? ''}  received ${l.receives}×`);
  } else {
    console.log(`${report.moved} message(s) moved back to ${queueUrl} (${report.how})`);
  }
  client.destroy();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
