/**
 * The canonical door: a canonical event, signed the Standard Webhooks way over HTTP or given directly (invoke local,
 * another AWS service), parsed for the function's event types and run through the pipeline.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { parseEventFor, type CanonicalEventType } from '../events';
import { logger } from '../log';
import { RefusedEvent } from '../outcome';
import type { ProcessEvent } from '../pipeline/exactlyOnce';
import type { Secrets } from '../secrets/secrets';
import { answer, type DoorAnswer } from './answer';
import { authenticity } from './authenticity';
import { exchangeOf } from './exchange';
import { jsonBody } from './jsonBody';
import { rawBody } from './rawBody';
import { STANDARD_WEBHOOKS_KEY, verifyStandardWebhook } from './standardWebhooks';

/** What a door needs from the composition root, built on the first invocation of a container. */
export interface DoorServices {
  secrets: Secrets;
  process: ProcessEvent;
}

export function canonicalDoor(types: readonly [CanonicalEventType, ...CanonicalEventType[]], services: () => DoorServices) {
  return middy<unknown, unknown, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
    .use(answer({ subject: 'event' }))
    .use(rawBody())
    .use(authenticity({ secret: () => services().secrets.signingSecret(STANDARD_WEBHOOKS_KEY), verify: verifyStandardWebhook }))
    .use({
      before: (request) => {
        const exchange = exchangeOf(request);
        if (exchange.http && exchange.headers['webhook-id']) logger.appendKeys({ webhookId: exchange.headers['webhook-id'] });
      },
    })
    .use(jsonBody())
    .handler(async (payload, context): Promise<DoorAnswer> => {
      const parsed = parseEventFor(types, payload);
      if (!parsed.ok) throw new RefusedEvent('invalid', parsed.message, parsed.errors);
      return services().process(parsed.event, context);
    });
}
