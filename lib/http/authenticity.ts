/**
 * Middleware: proves an HTTP request genuine with the door's own verifier and its signing secret (read through the
 * secrets port by its key in the webhook secret). A direct invocation passes: IAM vouched for its caller. A request
 * without the signature headers is refused before the secret is read: it is a 401 whatever the secret's state.
 */
import type middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { RefusedEvent } from '../outcome';
import type { IncomingWebhook } from '../senders/kit/adapter';
import { exchangeOf } from './exchange';

export interface AuthenticityOptions {
  /** The door's signing secret. */
  secret: () => Promise<string>;
  /** Throws a RefusedEvent ('unauthorized') unless the request was signed with the secret. */
  verify: (request: IncomingWebhook, secret: string) => void;
  /** The (lower-case) headers a signed request carries; one that is missing is refused without reading the secret. */
  signatureHeaders: (request: IncomingWebhook) => readonly string[];
}

export function authenticity(options: AuthenticityOptions): middy.MiddlewareObj<unknown, unknown, Error, Context> {
  return {
    before: async (request) => {
      const exchange = exchangeOf(request);
      if (!exchange.http || exchange.handshake) return;
      const missing = options.signatureHeaders(exchange).filter((name) => !exchange.headers[name]);
      if (missing.length > 0) throw new RefusedEvent('unauthorized', `missing signature header(s): ${missing.join(', ')}`);
      options.verify(exchange, await options.secret());
    },
  };
}
