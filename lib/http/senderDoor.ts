/**
 * A sender's door (Okta, BambooHR, HiBob, …): HTTP only; the vendor's handshake answered before anything else, then
 * the adapter's verifier, its translation into canonical events, and the delivery through the pipeline.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { logger } from '../log';
import { flushMetrics, uncounted } from '../metrics/record';
import { enqueueDelivery, processDelivery } from './delivery';
import type { IncomingWebhook, SenderContext } from '../senders/kit/adapter';
import { senderEntry, type Sender } from '../senders/registry';
import { answer, type DoorAnswer } from './answer';
import { authenticity } from './authenticity';
import type { PlanAnswer } from '../plan/planner';
import { planned, type DoorServices } from './canonicalDoor';
import { exchangeOf, type DoorRequest, type Exchange } from './exchange';
import { rawBody } from './rawBody';

/** A sender's context for one delivery, counting the calls made to its API for the summary line. */
export type DeliveryContext = SenderContext & { readonly apiCalls: number };

export interface SenderDoorServices extends DoorServices {
  senderContext(sender: Sender): DeliveryContext;
}

export function senderDoor(sender: Sender, services: () => SenderDoorServices) {
  const { adapter } = senderEntry(sender);
  const contexts = new WeakMap<IncomingWebhook, DeliveryContext>();
  /** One context per delivery, so its API client and call count are the delivery's own. */
  const contextOf = (delivery: IncomingWebhook) => {
    let context = contexts.get(delivery);
    if (!context) contexts.set(delivery, (context = services().senderContext(sender)));
    return context;
  };
  const secret = () => services().secrets.signingSecret(sender);

  return middy<unknown, unknown, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
    .use(flushMetrics())
    .use(answer({ subject: 'delivery', door: 'sender' }))
    .use(rawBody({ httpOnly: sender }))
    .use({
      before: async (request: DoorRequest) => {
        const exchange = exchangeOf(request);
        if (!exchange.http) return undefined;
        exchange.logFields = {
          sender,
          get senderApiCalls() {
            return contexts.get(exchange)?.apiCalls ?? 0;
          },
        };
        request.event = exchange;
        const reply = await adapter.handshake?.(exchange, contextOf(exchange), secret);
        if (reply) exchange.handshake = reply;
        return undefined;
      },
    })
    .use(
      authenticity({
        secret,
        verify: (delivery, key) => adapter.verify(delivery, key, contextOf(delivery)),
        signatureHeaders: (delivery) => adapter.signatureHeaders(contextOf(delivery)),
      }),
    )
    .handler(async (delivery: unknown, context: Context): Promise<DoorAnswer> => {
      const { handshake } = delivery as Exchange;
      if (handshake) return { outcome: 'handshake', handshake };
      const senderContext = contextOf(delivery as IncomingWebhook);
      const translation = await adapter.translate(delivery as IncomingWebhook, senderContext);
      const { ingress, process, dryRun, planner } = services();
      if (dryRun) {
        // A DRY_RUN stage: the delivery's events are planned in order, nothing applied or queued.
        const session = planner();
        await uncounted(() => processDelivery(sender, translation, session.process, context));
        Object.assign((delivery as Exchange).logFields, { events: translation.events.length, ignored: translation.ignored.length });
        const reply: PlanAnswer & { ignored: string[] } = { ...planned(session), ignored: translation.ignored };
        return reply;
      }
      const reply = ingress
        ? await enqueueDelivery(sender, translation, ingress, context)
        : await processDelivery(sender, translation, process, context);
      Object.assign((delivery as Exchange).logFields, { events: reply.results.length, ignored: reply.ignored.length });
      return reply;
    });
}
