/** The one factory behind the sender handlers (oktaHook, bamboohrHook, hibobHook): logger, then the delivery. */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { logger } from '../log';
import { receiveDelivery } from '../pipeline/delivery';
import type { SourceAdapter } from '../senders/kit/adapter';

export function sourceWebhookHandler(adapter: SourceAdapter) {
  return middy<unknown, unknown, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
    .handler((event, context) => receiveDelivery(adapter, event, context));
}
