/** The one factory behind the three canonical handlers: the shared middy stack around "parse, then apply". */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { processEvent } from '../pipeline/exactlyOnce';
import { parseEventFor, type CanonicalEventType } from '../events';
import { logger } from '../log';
import { RefusedEvent, type Answer } from '../outcome';
import { SENDER, verifyStandardWebhook } from './standardWebhooks';
import { webhookTransport } from './transport';

/** A handler for the canonical events of the given types (one route may take a pair, such as de/reactivation). */
export function canonicalEventHandler(...types: [CanonicalEventType, ...CanonicalEventType[]]) {
  return middy<unknown, unknown, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
    .use(webhookTransport({ sender: SENDER, verify: verifyStandardWebhook }))
    .handler(async (payload, context): Promise<Answer> => {
      const parsed = parseEventFor(types, payload);
      if (!parsed.ok) throw new RefusedEvent('invalid', parsed.message, parsed.errors);
      return processEvent(parsed.event, context);
    });
}
