/** The one factory behind the sender handlers (oktaHook, bamboohrHook, hibobHook): logger, then the delivery. */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { logger } from '../logger';
import { receiveDelivery } from '../receiveDelivery';
import type { SourceAdapter } from '../sources/types';

export function sourceWebhookHandler(adapter: SourceAdapter) {
  return middy<unknown, unknown, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
    .handler((event, context) => receiveDelivery(adapter, event, context));
}
