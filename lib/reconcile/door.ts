/**
 * The reconcile door: a scheduled invocation (EventBridge, one rule per sender with input `{"sender": "…"}`) or a
 * direct one (`serverless invoke local -f reconcile -d '{"sender":"okta","force":true}'`). Answers the run's report;
 * a payload that names no known sender answers `invalid` without reading anything. A sender whose API is not
 * configured answers `misconfigured` (a schedule left on for a sender you do not use costs one log line a day);
 * a passing failure (the sender's API or DocSpace unavailable) throws, so the asynchronous invocation is retried.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { logger } from '../log';
import { answerFor, type Answer } from '../outcome';
import { SENDER_NAMES, type Sender } from '../senders/registry';
import type { ReconcileReport } from './run';

export interface ReconcileServices {
  reconcile(sender: Sender, request: { force?: boolean }, context: Context): Promise<ReconcileReport>;
}

const requestSchema = z.object({
  sender: z.enum(SENDER_NAMES),
  force: z.boolean().optional(),
});

export type ReconcileAnswer = ReconcileReport | Answer;

export function reconcileDoor(services: () => ReconcileServices) {
  return middy<unknown, ReconcileAnswer, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
    .handler(async (event, context) => {
      const parsed = requestSchema.safeParse(event);
      if (!parsed.success) {
        const answer: Answer = {
          outcome: 'invalid',
          message: `a reconcile payload is {"sender": ${SENDER_NAMES.map((s) => `"${s}"`).join(' | ')}, "force"?: boolean}`,
          errors: parsed.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`),
        };
        logger.warn('reconcile refused', { ...answer });
        return answer;
      }
      try {
        return await services().reconcile(parsed.data.sender, { ...(parsed.data.force ? { force: true } : {}) }, context);
      } catch (error) {
        const { answer } = answerFor(error);
        if (answer.outcome === 'misconfigured') {
          logger.warn('reconcile not run: configuration', { sender: parsed.data.sender, ...answer });
          return answer;
        }
        logger.error('reconcile failed', { sender: parsed.data.sender, outcome: answer.outcome, detail: answer.message });
        throw error;
      }
    });
}
