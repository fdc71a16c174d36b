/**
 * Middleware: every result and every error of a door becomes one answer, by the outcome table, and one summary log
 * line at the level it deserves. Over HTTP the answer is JSON with its status (and Retry-After when the sender should
 * wait); a direct invocation gets the answer as it is, or, when it may pass, an error, so that Lambda's retries (or
 * a queue's redrive) deliver it again. The full error goes to the log, never to the answer.
 */
import type middy from '@middy/core';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { logAnswer, logger } from '../log';
import { countEvent, countRequest } from '../metrics/record';
import { answerFor, httpStatusOf, isRetryable, type Answer } from '../outcome';
import { exchangeOf } from './exchange';

/** What a door's handler returns: an answer, with anything else its sender should see, and when to come back. */
export interface DoorAnswer extends Answer {
  retryAfterSeconds?: number;
  /** An exact status and body for a vendor handshake, outside the outcome table. */
  handshake?: { status: number; body: unknown };
}

export interface AnswerOptions {
  /** What the summary line is about. */
  subject: 'event' | 'delivery';
  /** The door, for the metrics: a canonical route counts its event too, a sender's door each of its events. */
  door: 'canonical' | 'sender';
}

export function answer(options: AnswerOptions): middy.MiddlewareObj<unknown, unknown, Error, Context> {
  const finish = (request: middy.Request<unknown, unknown, Error, Context>, reply: DoorAnswer): void => {
    const exchange = exchangeOf(request);
    const { retryAfterSeconds, handshake, ...body } = reply;
    const status = handshake?.status ?? httpStatusOf(reply.outcome);
    logAnswer(
      options.subject,
      status,
      {
        ...exchange.logFields,
        outcome: reply.outcome,
        status,
        ...(reply.message ? { detail: reply.message } : {}),
        durationMs: Math.round(performance.now() - exchange.startedAt),
      },
      reply.outcome === 'unsupported_by_server',
    );
    const { sender, eventType } = exchange.logFields;
    countRequest(options.door, typeof sender === 'string' ? sender : 'canonical', reply.outcome);
    if (options.door === 'canonical' && typeof eventType === 'string') countEvent('canonical', 'canonical', eventType, reply.outcome);

    if (!exchange.http) {
      if (isRetryable(reply.outcome)) {
        request.error = Object.assign(new Error(`${reply.outcome}: ${reply.message ?? ''}`), { name: 'RetryableSyncError' });
        request.response = undefined;
        return;
      }
      request.response = body;
      return;
    }
    const response: APIGatewayProxyStructuredResultV2 = {
      statusCode: status,
      headers: {
        'content-type': 'application/json',
        ...(retryAfterSeconds !== undefined ? { 'retry-after': String(retryAfterSeconds) } : {}),
      },
      body: JSON.stringify(handshake ? handshake.body : body),
    };
    request.response = response;
  };

  return {
    after: (request) => finish(request, request.response as DoorAnswer),
    onError: (request) => {
      const { answer: reply, retryAfterSeconds } = answerFor(request.error);
      if (reply.outcome === 'internal_error' || reply.outcome === 'misconfigured')
        logger.error('unexpected error', { error: request.error });
      finish(request, { ...reply, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) });
    },
  };
}
