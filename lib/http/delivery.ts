/**
 * One delivery from a sender, after it was verified and translated: each canonical event through the pipeline in
 * the sender's order, and one answer for the whole. 200 when every event was applied, was a no-op or is not synced
 * (never a 4xx that would make an admin console turn the hook off); 503 with Retry-After when something that may
 * pass failed, so the retry (harmless, as events are idempotent) comes later.
 */
import type { Context } from 'aws-lambda';
import { eventKeys, logger } from '../log';
import { countEvent } from '../metrics/record';
import { answerFor, isRetryable, type Answer } from '../outcome';
import type { Translation } from '../senders/kit/adapter';
import type { ProcessEvent } from '../pipeline/exactlyOnce';
import type { Invocation } from '../queue/address';
import type { Ingress } from '../queue/ingress';

interface EventResult extends Answer {
  eventId: string;
  type: string;
}

export interface DeliveryAnswer extends Answer {
  outcome: 'processed' | 'ignored' | 'unavailable' | 'accepted';
  results: EventResult[];
  ignored: string[];
  retryAfterSeconds?: number;
}

export async function processDelivery(
  sender: string,
  translation: Translation,
  process: ProcessEvent,
  context: Context,
): Promise<DeliveryAnswer> {
  const results: EventResult[] = [];
  let retryAfter: number | undefined;
  for (const event of translation.events) {
    let answer: Answer;
    try {
      answer = await process(event, context);
    } catch (error) {
      const failed = answerFor(error);
      answer = failed.answer;
      if (failed.retryAfterSeconds !== undefined) retryAfter = Math.max(retryAfter ?? 0, failed.retryAfterSeconds);
    }
    results.push({ eventId: event.id, type: event.type, ...answer });
    logger.info('event processed', { sender, ...eventKeys(event), outcome: answer.outcome });
    countEvent('sender', sender, event.type, answer.outcome);
  }
  for (const reason of translation.ignored) logger.info('delivery item ignored', { sender, reason });

  const unfinished = results.filter((r) => isRetryable(r.outcome)).length;
  if (unfinished > 0) {
    return {
      outcome: 'unavailable',
      message: `${unfinished} event(s) could not be applied yet; deliver again later`,
      results,
      ignored: translation.ignored,
      retryAfterSeconds: retryAfter ?? 30,
    };
  }
  return { outcome: results.length === 0 ? 'ignored' : 'processed', results, ignored: translation.ignored };
}

/**
 * Queue mode: the delivery's events on the queue, in the sender's order, and 200 at once with the queued event ids
 * (what Okta, BambooHR and HiBob take as "accepted"). An event the door can already tell the worker could never
 * apply (an unknown role) is not queued and gets its refusal in `results`, as in sync mode, where the delivery is
 * 200 all the same. A queue that does not take the events fails the whole delivery (503): the sender delivers
 * again, and deduplication keeps the events sent already from being applied twice.
 */
export async function enqueueDelivery(
  sender: string,
  translation: Translation,
  ingress: Ingress,
  invocation?: Invocation,
): Promise<DeliveryAnswer> {
  const results: EventResult[] = [];
  const admitted = translation.events.filter((event) => {
    try {
      ingress.admit(event);
      return true;
    } catch (error) {
      const { answer } = answerFor(error);
      results.push({ eventId: event.id, type: event.type, ...answer });
      logger.info('event refused at the door', { sender, ...eventKeys(event), outcome: answer.outcome });
      return false;
    }
  });
  await ingress.enqueue(admitted, invocation);
  for (const event of admitted) logger.info('event queued', { sender, ...eventKeys(event) });
  for (const reason of translation.ignored) logger.info('delivery item ignored', { sender, reason });
  results.push(...admitted.map((e) => ({ eventId: e.id, type: e.type, outcome: 'queued' as const })));
  for (const r of results) countEvent('sender', sender, r.type, r.outcome);
  const outcome = admitted.length > 0 ? 'accepted' : results.length > 0 ? 'processed' : 'ignored';
  return { outcome, results, ignored: translation.ignored };
}
