/**
 * Middleware: reads an HTTP request's body exactly as it was sent (base64-decoded when API Gateway encoded it), with
 * header names lower-cased, and refuses a body over the size limit unread (413). A direct invocation passes as it is.
 */
import type middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { RefusedEvent } from '../outcome';
import { isHttpApiEvent, setExchange } from './exchange';

export interface RawBodyOptions {
  /** Webhook bodies are small (Standard Webhooks recommends < 20 kB); anything far larger is refused unread. */
  maxBytes: number;
  /** Refuse direct invocations: this door takes HTTP requests only (its name for the message). */
  httpOnly?: string;
}

export const MAX_BODY_BYTES = 256 * 1024;

const defaults: RawBodyOptions = { maxBytes: MAX_BODY_BYTES };

export function rawBody(opts: Partial<RawBodyOptions> = {}): middy.MiddlewareObj<unknown, unknown, Error, Context> {
  const options = { ...defaults, ...opts };
  return {
    before: (request) => {
      const startedAt = performance.now();
      const event = request.event;
      if (!isHttpApiEvent(event)) {
        setExchange(request, { http: false, payload: event, startedAt, logFields: {} });
        if (options.httpOnly) throw new RefusedEvent('invalid', `the ${options.httpOnly} function takes HTTP requests only`);
        return;
      }
      const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
      const exchange = {
        http: true as const,
        method: event.requestContext.http.method.toUpperCase(),
        headers,
        rawBody: Buffer.alloc(0),
        startedAt,
        logFields: {},
      };
      setExchange(request, exchange);
      const body = event.body ?? '';
      const tooLarge = () => new RefusedEvent('payload_too_large', `request body over ${options.maxBytes} bytes`);
      // Refused before decoding when even the encoded text is too long; exactly after decoding otherwise.
      if (Buffer.byteLength(body) > (event.isBase64Encoded ? Math.ceil(options.maxBytes / 3) * 4 + 4 : options.maxBytes)) throw tooLarge();
      exchange.rawBody = event.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
      if (exchange.rawBody.length > options.maxBytes) throw tooLarge();
    },
  };
}
