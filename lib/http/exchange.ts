/**
 * One request at a door, as the transport middlewares see it: an HTTP API (payload 2.0) request with its exact body
 * bytes, or a direct invocation (IAM already vouches for the caller) with its payload. Kept beside the middy request,
 * so each middleware reads what the one before it found.
 */
import type middy from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { IncomingWebhook } from '../senders/kit/adapter';

export type DoorRequest = middy.Request<unknown, unknown, Error, Context>;

export type Exchange = {
  startedAt: number;
  logFields: Record<string, unknown>;
  /** A vendor handshake answered at the door: authenticity and the handler only pass it on. */
  handshake?: { status: number; body: unknown };
} & (({ http: true } & IncomingWebhook) | { http: false; payload: unknown });

const exchanges = new WeakMap<DoorRequest, Exchange>();

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** An HTTP API (payload 2.0) request, as API Gateway and serverless-offline deliver it. */
export function isHttpApiEvent(event: unknown): event is APIGatewayProxyEventV2 {
  return isObject(event) && isObject(event.requestContext) && isObject(event.requestContext.http) && 'headers' in event;
}

export function exchangeOf(request: DoorRequest): Exchange {
  let exchange = exchanges.get(request);
  if (!exchange) {
    exchange = { http: false, payload: request.event, startedAt: performance.now(), logFields: {} };
    exchanges.set(request, exchange);
  }
  return exchange;
}

export function setExchange(request: DoorRequest, exchange: Exchange): void {
  exchanges.set(request, exchange);
}
