/** Middleware: an HTTP request's body parsed as JSON (400 naming the problem otherwise); a direct payload as it came. */
import type middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { parseJsonBody } from '../json';
import { exchangeOf } from './exchange';

export function jsonBody(): middy.MiddlewareObj<unknown, unknown, Error, Context> {
  return {
    before: (request) => {
      const exchange = exchangeOf(request);
      request.event = exchange.http ? parseJsonBody(exchange.rawBody) : exchange.payload;
    },
  };
}
