/** Any error a handler meets, turned into the answer the sender gets. The full error goes to the log, not the answer. */
import { ConfigError } from '../settings';
import { DocSpaceError } from '../docspace/errors';
import { RefusedEvent, type Answer } from '../outcome';
import { SecretError } from '../secrets/secretsManager';
import { SourceApiError } from '../senders/kit/api';

export interface ErrorAnswer {
  answer: Answer;
  retryAfterSeconds?: number;
}

/** When DocSpace gave no Retry-After: long enough for a blip to pass, short enough for a hire to show up soon. */
const DEFAULT_RETRY_AFTER_SECONDS = 30;

export function errorAnswer(error: unknown): ErrorAnswer {
  if (error instanceof RefusedEvent) {
    return { answer: error.toAnswer(), ...(error.retryAfterSeconds ? { retryAfterSeconds: error.retryAfterSeconds } : {}) };
  }
  if (error instanceof DocSpaceError) {
    const said = `${error.message} (${error.method} ${error.path} → ${error.status || 'no answer'})`;
    if (error.retryable) {
      return {
        answer: { outcome: 'unavailable', message: `DocSpace is unavailable, try again later: ${said}` },
        retryAfterSeconds: error.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS,
      };
    }
    if (error.status === 400) return { answer: { outcome: 'rejected_by_docspace', message: `DocSpace refused the event: ${said}` } };
    return { answer: { outcome: 'failed', message: `DocSpace refused the call: ${said}` } };
  }
  if (error instanceof SourceApiError) {
    if (error.retryable) {
      return { answer: { outcome: 'unavailable', message: `${error.message}; try again later` }, retryAfterSeconds: DEFAULT_RETRY_AFTER_SECONDS };
    }
    return { answer: { outcome: 'failed', message: error.message } };
  }
  if (error instanceof ConfigError || error instanceof SecretError) {
    return { answer: { outcome: 'misconfigured', message: error.message } };
  }
  return { answer: { outcome: 'internal_error', message: 'internal error; see the function log' } };
}
