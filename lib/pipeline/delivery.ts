/**
 * One delivery from a real sender (Okta, BambooHR, HiBob): handshake, verify, translate into canonical events, and
 * run each through the same processing as the canonical routes. The answer tells the sender what it must know:
 * 200 when every event was applied, was a no-op or is not synced (never a 4xx that would make an admin console turn
 * the hook off), 503 with Retry-After when something that may pass failed, so the retry (harmless, as events are
 * idempotent) comes later.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { config } from '../settings';
import { emailHash, logAnswer, logger } from '../log';
import { errorAnswer } from '../http/errorAnswer';
import { headersOf, isHttpApiEvent, rawBodyOf } from '../http/request';
import { httpStatusOf, isRetryable, RefusedEvent, type Answer } from '../outcome';
import { processEvent } from './exactlyOnce';
import { signingSecret } from '../secrets/secretsManager';
import { sourceApi, type SourceApi } from '../senders/kit/api';
import type { IncomingWebhook, SourceAdapter } from '../senders/kit/adapter';

interface EventResult extends Answer {
  eventId: string;
  type: string;
}

const json = (statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

export async function receiveDelivery(adapter: SourceAdapter, event: unknown, context: Context): Promise<APIGatewayProxyStructuredResultV2> {
  const started = performance.now();
  let api: SourceApi | undefined;
  const finish = (result: APIGatewayProxyStructuredResultV2, details: Record<string, unknown>) => {
    const line = { sender: adapter.sender, status: result.statusCode, durationMs: Math.round(performance.now() - started), sourceApiCalls: api?.calls ?? 0, ...details };
    logAnswer('delivery', result.statusCode ?? 500, line);
    return result;
  };

  try {
    if (!isHttpApiEvent(event)) throw new RefusedEvent('invalid', `the ${adapter.sender} function takes HTTP requests only`);
    const request: IncomingWebhook = { method: event.requestContext.http.method.toUpperCase(), headers: headersOf(event), rawBody: rawBodyOf(event) };
    const cfg = config();
    const secret = () => signingSecret(cfg.webhookSecretId, cfg.secretsTtlSeconds, adapter.sender);

    const handshake = await adapter.handshake?.(request, secret);
    if (handshake) return finish(json(handshake.status, handshake.body), { outcome: 'handshake' });

    adapter.verify(request, await secret());
    const translation = await adapter.translate(request, async () => (api ??= await sourceApi(adapter.sender, adapter.api)));

    const results: EventResult[] = [];
    let retryAfter: number | undefined;
    for (const canonical of translation.events) {
      let answer: Answer;
      try {
        answer = await processEvent(canonical, context);
      } catch (error) {
        const failed = errorAnswer(error);
        answer = failed.answer;
        if (failed.retryAfterSeconds !== undefined) retryAfter = Math.max(retryAfter ?? 0, failed.retryAfterSeconds);
      }
      results.push({ eventId: canonical.id, type: canonical.type, ...answer });
      const email = canonical.data.email;
      logger.info('event processed', { sender: adapter.sender, eventId: canonical.id, eventType: canonical.type, outcome: answer.outcome, ...(email ? { emailHash: emailHash(email) } : {}) });
    }
    for (const reason of translation.ignored) logger.info('delivery item ignored', { sender: adapter.sender, reason });

    const unfinished = results.filter((r) => isRetryable(r.outcome));
    const summary = { results, ignored: translation.ignored };
    if (unfinished.length > 0) {
      return finish(
        json(503, { outcome: 'unavailable', message: `${unfinished.length} event(s) could not be applied yet; deliver again later`, ...summary }, { 'retry-after': String(retryAfter ?? 30) }),
        { outcome: 'unavailable', events: results.length },
      );
    }
    const outcome = results.length === 0 ? 'ignored' : 'processed';
    return finish(json(200, { outcome, ...summary }), { outcome, events: results.length, ignored: translation.ignored.length });
  } catch (error) {
    const { answer, retryAfterSeconds } = errorAnswer(error);
    if (answer.outcome === 'internal_error' || answer.outcome === 'misconfigured') logger.error('unexpected error', { error });
    const headers: Record<string, string> = retryAfterSeconds !== undefined ? { 'retry-after': String(retryAfterSeconds) } : {};
    return finish(json(httpStatusOf(answer.outcome), answer, headers), { outcome: answer.outcome, detail: answer.message });
  }
}
