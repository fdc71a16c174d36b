/**
 * The worker door (queue mode): a batch of SQS FIFO messages, each a canonical event, applied through the same
 * pipeline as every other door, in order within each member's group. Powertools' FIFO processor records success or
 * failure per message; with `skipGroupOnError` a failure fails the rest of that member's group in the batch only
 * (later events of the member must not overtake it), and other members go on. The answer lists the failed messages
 * (`ReportBatchItemFailures`): SQS delivers them again, and after QUEUE_MAX_RECEIVES receives moves them to the DLQ.
 *
 * What the pipeline answers 2xx (applied, stale, parked for a member who does not exist yet, deferred, a downgrade
 * still running) is done as far as the queue is concerned: kept work is the store's, not the group's, so it never
 * blocks the member's hire. Anything the pipeline throws fails the message, permanent refusals included: those reach
 * the DLQ with the reason in the log, where a person can read them and replay them once fixed.
 */
import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { canonicalEventSchema } from '../events';
import { eventKeys, logger } from '../log';
import { countEvent, flushMetrics, senderLabel } from '../metrics/record';
import { answerFor, isRetryable, RefusedEvent } from '../outcome';
import type { ProcessEvent } from '../pipeline/exactlyOnce';

export interface WorkerServices {
  process: ProcessEvent;
  /** A DRY_RUN stage applies nothing: a message already queued fails, and reaches the DLQ for a replay later. */
  dryRun: boolean;
}

/** Time an event may need (a DocSpace call with retries, the member's waiting work after a hire). */
const MIN_TIME_PER_EVENT_MS = 5_000;

/** A message that can never be applied: not a canonical event at all. */
class PoisonMessage extends Error {}

export function workerDoor(services: () => WorkerServices) {
  return middy<SQSEvent, SQSBatchResponse, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
    .use(flushMetrics())
    .handler(async (event, context) => {
      // One processor per invocation: its state (failed groups) belongs to this batch.
      const processor = new SqsFifoPartialProcessorAsync();
      const recordHandler = async (record: SQSRecord) => {
        // Each message is its own event: what the pipeline appended to the log for the one before goes.
        logger.resetKeys();
        const receives = Number(record.attributes.ApproximateReceiveCount ?? '1');
        let body: unknown;
        try {
          body = JSON.parse(record.body);
        } catch {
          throw new PoisonMessage('the message body is not JSON');
        }
        const parsed = canonicalEventSchema.safeParse(body);
        if (!parsed.success)
          throw new PoisonMessage(
            `the message is not a canonical event: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
          );
        const canonical = parsed.data;
        const keys = eventKeys(canonical);
        logger.appendKeys(keys);
        const count = (outcome: string) => countEvent('worker', senderLabel(canonical.source), canonical.type, outcome);
        try {
          // A batch shares one invocation: a message that cannot have the time it may need is not started, but
          // failed, and comes back (earlier ones in the batch took the time, a slow DocSpace say).
          if (services().dryRun) {
            throw new RefusedEvent(
              'misconfigured',
              'this stage runs with DRY_RUN=true: nothing is applied; the message reaches the dead-letter queue, replay it once DRY_RUN is off',
            );
          }
          if (context.getRemainingTimeInMillis() < MIN_TIME_PER_EVENT_MS) {
            throw new RefusedEvent('unavailable', 'too little time left in this invocation; SQS delivers the event again');
          }
          const result = await services().process(canonical, context);
          logger.info('event applied', { messageId: record.messageId, ...keys, outcome: result.outcome, receives });
          count(result.outcome);
          return result.outcome;
        } catch (error) {
          const { answer } = answerFor(error);
          const fields = { messageId: record.messageId, ...keys, outcome: answer.outcome, detail: answer.message, receives };
          count(answer.outcome);
          if (isRetryable(answer.outcome)) logger.warn('event not applied yet; SQS delivers it again', fields);
          else logger.error('event refused; it reaches the dead-letter queue after its last receive', fields);
          throw error;
        }
      };
      const response = await processPartialResponse(
        event,
        async (record: SQSRecord) => {
          try {
            return await recordHandler(record);
          } catch (error) {
            if (error instanceof PoisonMessage) {
              logger.error('poison message; it reaches the dead-letter queue after its last receive', {
                messageId: record.messageId,
                detail: error.message,
              });
              countEvent('worker', 'unknown', 'unknown', 'invalid');
            }
            throw error;
          }
        },
        processor,
        { context, skipGroupOnError: true, throwOnFullBatchFailure: false },
      );
      if (response.batchItemFailures.length > 0)
        logger.info('batch done', { messages: event.Records.length, failed: response.batchItemFailures.length });
      return response;
    });
}
