/**
 * The follow-up door: a scheduled invocation (every minute) that finishes what outlived the invocations that
 * answered — downgrades still running, guest conversions, type changes deferred while a member was disabled, events
 * parked until their member appears — and logs each final outcome. Nothing waits for a sender's redelivery.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { logger } from '../log';
import { flushMetrics, recordPendingWork } from '../metrics/record';
import type { FollowUpReport } from '../pipeline/exactlyOnce';

export interface FollowUpServices {
  followUp(remainingMs: () => number): Promise<FollowUpReport>;
}

export function followUpDoor(services: () => FollowUpServices) {
  return middy<unknown, FollowUpReport, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
    .use(flushMetrics())
    .handler(async (_event, context) => {
      const report = await services().followUp(() => context.getRemainingTimeInMillis());
      logger.info('follow-ups run', { ...report });
      recordPendingWork(report.remaining, report.waiting);
      return report;
    });
}
