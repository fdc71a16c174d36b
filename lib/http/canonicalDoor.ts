/**
 * The canonical door: a canonical event, signed the Standard Webhooks way over HTTP or given directly (invoke local,
 * another AWS service), parsed for the function's event types and run through the pipeline.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { parseEventFor, type CanonicalEventType } from '../events';
import { eventKeys, logger } from '../log';
import { flushMetrics } from '../metrics/record';
import { RefusedEvent } from '../outcome';
import type { ProcessEvent } from '../pipeline/exactlyOnce';
import type { PlanAnswer, PlanSession, Planner } from '../plan/planner';
import type { Ingress } from '../queue/ingress';
import type { Secrets } from '../secrets/secrets';
import { answer, type DoorAnswer } from './answer';
import { authenticity } from './authenticity';
import { exchangeOf, type DoorRequest, type Exchange } from './exchange';
import { jsonBody } from './jsonBody';
import { rawBody } from './rawBody';
import { REQUIRED_HEADERS, STANDARD_WEBHOOKS_KEY, verifyStandardWebhook } from './standardWebhooks';

/** What a door needs from the composition root, built on the first invocation of a container. */
export interface DoorServices {
  secrets: Secrets;
  process: ProcessEvent;
  /** Present in queue mode (DELIVERY_MODE=queue): HTTP requests are queued for the worker instead of applied. */
  ingress?: Ingress;
  /** A DRY_RUN stage: every delivery is planned, nothing applied or queued. */
  dryRun: boolean;
  planner: Planner;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** `"dryRun": true` at the top level of the payload asks for the plan; anything but a boolean there is refused. */
function asksForPlan(payload: unknown): boolean {
  if (!isObject(payload) || payload.dryRun === undefined) return false;
  if (typeof payload.dryRun !== 'boolean')
    throw new RefusedEvent('invalid', 'dryRun must be true or false', ['dryRun: expected a boolean']);
  return payload.dryRun;
}

/** The answer of a plan: 200 with the writes, or 503 when a failure that may pass left it incomplete. */
export function planned(session: PlanSession): PlanAnswer {
  const unfinished = session.unfinished();
  if (unfinished) {
    throw new RefusedEvent(
      'unavailable',
      'the plan could not be completed (DocSpace or the store unavailable); ask again later',
      undefined,
      unfinished.retryAfterSeconds,
    );
  }
  return session.answer();
}

/** The invocation's exchange: whether it came over HTTP, its summary line (the handler sees only the payload and the context). */
const exchanges = new WeakMap<Context, Exchange>();

export function canonicalDoor(types: readonly [CanonicalEventType, ...CanonicalEventType[]], services: () => DoorServices) {
  return middy<unknown, unknown, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
    .use(flushMetrics())
    .use(answer({ subject: 'event', door: 'canonical' }))
    .use(rawBody())
    .use(
      authenticity({
        secret: () => services().secrets.signingSecret(STANDARD_WEBHOOKS_KEY),
        verify: verifyStandardWebhook,
        signatureHeaders: () => REQUIRED_HEADERS,
      }),
    )
    .use({
      before: (request: DoorRequest) => {
        const exchange = exchangeOf(request);
        if (exchange.http && exchange.headers['webhook-id']) logger.appendKeys({ webhookId: exchange.headers['webhook-id'] });
      },
    })
    .use(jsonBody())
    .use({
      before: (request: DoorRequest) => {
        exchanges.set(request.context, exchangeOf(request));
      },
    })
    .handler(async (payload: unknown, context: Context): Promise<DoorAnswer> => {
      const plan = asksForPlan(payload);
      const parsed = parseEventFor(types, payload);
      if (!parsed.ok) throw new RefusedEvent('invalid', parsed.message, parsed.errors);
      // Every line names the event and the person (as a hash), in both modes, for the one query; the summary line
      // names this event even when the pipeline went on to a member's waiting events.
      const keys = eventKeys(parsed.event);
      logger.appendKeys(keys);
      const exchange = exchanges.get(context);
      if (exchange) Object.assign(exchange.logFields, keys);
      const { ingress, process, dryRun, planner } = services();
      if (plan || dryRun) {
        const session = planner();
        // A refusal is part of the plan (in its outcomes); a failure that may pass makes the answer a 503.
        await session.process(parsed.event, context).catch(() => undefined);
        return planned(session);
      }
      // A direct invocation (invoke local, another AWS service) is applied at once in both modes: IAM vouched for
      // its caller, which reads the answer, and Lambda retries a failed asynchronous invocation.
      if (ingress && exchange?.http === true) {
        ingress.admit(parsed.event);
        await ingress.enqueue([parsed.event], context);
        return { outcome: 'queued', message: `event ${parsed.event.id} queued; the worker applies it shortly` };
      }
      return process(parsed.event, context);
    });
}
