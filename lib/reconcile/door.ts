/**
 * The reconcile door: a scheduled invocation (EventBridge, one rule per sender with input `{"sender": "…"}`) or a
 * direct one (`serverless invoke local -f reconcile -d '{"sender":"okta","force":true}'`). Answers the run's report
 * (its first 2,000 items, and how many more there were); a payload that names no known sender answers `invalid`
 * without reading anything. A sender whose API is not configured answers `misconfigured` (a schedule left on for a
 * sender you do not use costs one log line a day); a passing failure (the sender's API or DocSpace unavailable)
 * throws, so the asynchronous invocation is retried.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { logger } from '../log';
import { flushMetrics } from '../metrics/record';
import { answerFor, type Answer } from '../outcome';
import type { PlanAnswer } from '../plan/planner';
import { SENDER_NAMES, type Sender } from '../senders/registry';
import type { ReconcileReport, ReconcileRequest } from './run';

/** A run's report; with `dryRun`, the plan: the DocSpace writes the run would make, in order (nothing applied or stored). */
export type ReconcileResult = ReconcileReport & { dryRun?: true; plan?: PlanAnswer };

export interface ReconcileServices {
  /**
   * `resumeOnly`: continue an unfinished run, or answer undefined without reading anything else. `dryRun`: the plan
   * (nothing applied or stored, nothing counted in the metrics).
   */
  reconcile(
    sender: Sender,
    request: ReconcileRequest & { resumeOnly?: boolean; dryRun?: boolean },
    context: Context,
  ): Promise<ReconcileResult | undefined>;
}

const requestSchema = z.object({
  sender: z.enum(SENDER_NAMES),
  force: z.boolean().optional(),
  dryRun: z.boolean().optional(),
  /** The frequent resume schedule: continue an unfinished run (one that ran out of time), or do nothing. */
  resume: z.boolean().optional(),
});

export type ReconcileAnswer = (ReconcileResult & { itemsOmitted?: number }) | Answer;

/** Items in the function's answer: a synchronous invocation answers at most 6 MB (every item is in the log anyway). */
const MAX_ANSWERED_ITEMS = 2_000;

export function reconcileDoor(services: () => ReconcileServices) {
  return middy<unknown, ReconcileAnswer, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
    .use(flushMetrics())
    .handler(async (event, context) => {
      const parsed = requestSchema.safeParse(event);
      if (!parsed.success) {
        const answer: Answer = {
          outcome: 'invalid',
          message: `a reconcile payload is {"sender": ${SENDER_NAMES.map((s) => `"${s}"`).join(' | ')}, "force"?: boolean, "dryRun"?: boolean, "resume"?: boolean}`,
          errors: parsed.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`),
        };
        logger.warn('reconcile refused', { ...answer });
        return answer;
      }
      try {
        const { sender, force, dryRun, resume } = parsed.data;
        const report = await services().reconcile(
          sender,
          { ...(force ? { force: true } : {}), ...(dryRun ? { dryRun: true } : {}), ...(resume ? { resumeOnly: true } : {}) },
          context,
        );
        if (!report) return { outcome: 'unchanged', message: `no unfinished ${sender} run to resume` };
        if (report.items.length <= MAX_ANSWERED_ITEMS) return report;
        return { ...report, items: report.items.slice(0, MAX_ANSWERED_ITEMS), itemsOmitted: report.items.length - MAX_ANSWERED_ITEMS };
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
