/**
 * Middleware: proves an HTTP request genuine with the door's own verifier and its signing secret (read through the
 * secrets port by its key in the webhook secret). A direct invocation passes: IAM vouched for its caller.
 */
import type middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { IncomingWebhook } from '../senders/kit/adapter';
import { exchangeOf } from './exchange';

export interface AuthenticityOptions {
  /** The door's signing secret. */
  secret: () => Promise<string>;
  /** Throws a RefusedEvent ('unauthorized') unless the request was signed with the secret. */
  verify: (request: IncomingWebhook, secret: string) => void;
}

export function authenticity(options: AuthenticityOptions): middy.MiddlewareObj<unknown, unknown, Error, Context> {
  return {
    before: async (request) => {
      const exchange = exchangeOf(request);
      if (!exchange.http || exchange.handshake) return;
      options.verify(exchange, await options.secret());
    },
  };
}
