/**
 * The edge of every handler, as one middy middleware: an HTTP API request is size-checked, its signature verified
 * over the raw bytes and its JSON parsed before the handler sees it; a direct invocation (IAM already vouches for
 * the caller) passes through. On the way out every result and every error becomes one answer, and one log line.
 */
import type middy from '@middy/core';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { config } from '../settings';
import { logAnswer, logger } from '../log';
import { httpStatusOf, isRetryable, type Answer } from '../outcome';
import { signingSecret } from '../secrets/secretsManager';
import { errorAnswer } from './errorAnswer';
import { headersOf, isHttpApiEvent, parseJsonBody, rawBodyOf } from './request';

export interface WebhookTransportOptions {
  /** The key of this sender's signing secret in the webhook secret. */
  sender: string;
  /** Throws a RefusedEvent ('unauthorized') unless the raw body was signed with the secret. */
  verify: (rawBody: Buffer, headers: Record<string, string | undefined>, secret: string) => void;
}

type Request = middy.Request<unknown, unknown, Error, Context>;

interface Exchange {
  http: boolean;
  startedAt: number;
}

export function webhookTransport(options: WebhookTransportOptions): middy.MiddlewareObj<unknown, unknown, Error, Context> {
  const exchanges = new WeakMap<Request, Exchange>();

  const finish = (request: Request, answer: Answer, retryAfterSeconds?: number): void => {
    const exchange = exchanges.get(request) ?? { http: false, startedAt: performance.now() };
    const status = httpStatusOf(answer.outcome);
    const line = { outcome: answer.outcome, status, detail: answer.message, durationMs: Math.round(performance.now() - exchange.startedAt) };
    logAnswer('event', status, line, answer.outcome === 'unsupported_by_server');

    if (!exchange.http) {
      // Direct invocations throw what may pass, so Lambda's retries (or a queue's redrive) deliver it again.
      if (isRetryable(answer.outcome)) {
        request.error = Object.assign(new Error(`${answer.outcome}: ${answer.message ?? ''}`), { name: 'RetryableSyncError' });
        request.response = undefined;
        return;
      }
      request.response = answer;
      return;
    }
    const response: APIGatewayProxyStructuredResultV2 = {
      statusCode: status,
      headers: {
        'content-type': 'application/json',
        ...(retryAfterSeconds !== undefined ? { 'retry-after': String(retryAfterSeconds) } : {}),
      },
      body: JSON.stringify(answer),
    };
    request.response = response;
  };

  return {
    before: async (request) => {
      const http = isHttpApiEvent(request.event);
      exchanges.set(request, { http, startedAt: performance.now() });
      if (!isHttpApiEvent(request.event)) return;
      const raw = rawBodyOf(request.event);
      const headers = headersOf(request.event);
      const cfg = config();
      options.verify(raw, headers, await signingSecret(cfg.webhookSecretId, cfg.secretsTtlSeconds, options.sender));
      if (headers['webhook-id']) logger.appendKeys({ webhookId: headers['webhook-id'] });
      request.event = parseJsonBody(raw);
    },
    after: (request) => {
      finish(request, request.response as Answer);
    },
    onError: (request) => {
      const { answer, retryAfterSeconds } = errorAnswer(request.error);
      if (answer.outcome === 'internal_error' || answer.outcome === 'misconfigured') {
        logger.error('unexpected error', { error: request.error });
      }
      finish(request, answer, retryAfterSeconds);
    },
  };
}
