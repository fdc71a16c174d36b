/**
 * Every answer the service gives, in one place: what a sync rule decided (or why the event was refused)
 * and the HTTP status that tells a webhook sender whether to retry.
 */

/** What a sync rule did with a valid event. */
export type SyncOutcome =
  | 'created'
  | 'exists'
  | 'updated'
  | 'unchanged'
  /** A downgrade DocSpace accepted but had not finished before the function had to answer. */
  | 'in_progress'
  | 'not_found'
  /** The DocSpace server has no route for this change (contacts on v3.2.1+). Permanent: retrying cannot help. */
  | 'unsupported_by_server'
  /** A newer event of the same type for the same member was applied already; this older one must not undo it. */
  | 'stale'
  /** The member does not exist yet: the event is kept and applied, in order, when they appear (follow-ups). */
  | 'parked'
  /** DocSpace cannot change a disabled member's type: the change is kept and applied when they are enabled again. */
  | 'deferred';

/** Why an event was not applied. */
export type Refusal =
  | 'invalid'
  | 'unauthorized'
  | 'payload_too_large'
  | 'unknown_role'
  /** The same event, or another for the same member, is being applied right now: 503, so every sender retries. */
  | 'in_flight'
  | 'rejected_by_docspace'
  | 'unavailable'
  | 'failed'
  /** A setting or secret is missing or wrong: the operator must act, then redeliveries succeed. */
  | 'misconfigured'
  | 'internal_error';

/**
 * How a sender's whole delivery ended (each of its events has its own outcome), or a handshake answered; in queue
 * mode, an event put on the queue (`queued`) and a delivery whose events all were (`accepted`); in plan mode, the
 * writes that would be made (`planned`), nothing applied.
 */
type DeliveryOutcome = 'processed' | 'ignored' | 'handshake' | 'queued' | 'accepted' | 'planned';

export type OutcomeName = SyncOutcome | Refusal | DeliveryOutcome;

export interface Answer {
  outcome: OutcomeName;
  userId?: string;
  message?: string;
  /** What exactly was wrong with the input, one line per problem. */
  errors?: string[];
}

export interface SyncResult extends Answer {
  outcome: SyncOutcome;
}

const httpStatus: Record<OutcomeName, number> = {
  created: 200,
  exists: 200,
  updated: 200,
  unchanged: 200,
  in_progress: 202,
  not_found: 404,
  // 2xx on purpose: the sender must not retry what can never succeed; the message and the WARN log say why.
  unsupported_by_server: 200,
  stale: 200,
  parked: 200,
  deferred: 200,
  processed: 200,
  ignored: 200,
  handshake: 200,
  // Queue mode: the canonical routes answer 202 Accepted (the change is not made yet); senders get the 200 they expect.
  queued: 202,
  accepted: 200,
  planned: 200,
  invalid: 400,
  unauthorized: 401,
  payload_too_large: 413,
  unknown_role: 422,
  in_flight: 503,
  rejected_by_docspace: 422,
  unavailable: 503,
  failed: 502,
  misconfigured: 500,
  internal_error: 500,
};

export function httpStatusOf(outcome: OutcomeName): number {
  return httpStatus[outcome];
}

/** Worth trying again later: the sender (or Lambda's async retry) should redeliver. */
export function isRetryable(outcome: OutcomeName): boolean {
  return httpStatus[outcome] >= 500;
}

/** When the failing party gave no Retry-After: long enough for a blip to pass, short enough for a hire to show up soon. */
export const DEFAULT_RETRY_AFTER_SECONDS = 30;

/**
 * The one error base: every failure the service can explain carries the outcome it means and keeps its `cause`.
 * Anything else that is thrown is an `internal_error`.
 */
export abstract class ServiceError extends Error {
  abstract readonly outcome: Refusal;
  /** What exactly was wrong with the input, one line per problem. */
  readonly errors?: string[];
  /** Seconds the sender should wait before redelivering, when the failing party said. */
  readonly retryAfterSeconds?: number;

  constructor(message: string, options: { cause?: unknown; errors?: string[]; retryAfterSeconds?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    if (options.errors) this.errors = options.errors;
    if (options.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
  }

  toAnswer(): Answer {
    return { outcome: this.outcome, message: this.message, ...(this.errors ? { errors: this.errors } : {}) };
  }
}

/** An event refused before it reached DocSpace, or refused by DocSpace, carried up to the door as an error. */
export class RefusedEvent extends ServiceError {
  constructor(
    readonly outcome: Refusal,
    message: string,
    errors?: string[],
    retryAfterSeconds?: number,
  ) {
    super(message, { ...(errors ? { errors } : {}), ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) });
  }
}

/** A setting or secret is missing or wrong: the operator must act, then redeliveries succeed. */
export class ConfigurationError extends ServiceError {
  readonly outcome = 'misconfigured' as const;
}

/** Any error, as the answer its sender gets and the seconds to wait before trying again (when said). */
export function answerFor(error: unknown): { answer: Answer; retryAfterSeconds?: number } {
  if (!(error instanceof ServiceError)) return { answer: { outcome: 'internal_error', message: 'internal error; see the function log' } };
  return { answer: error.toAnswer(), ...(error.retryAfterSeconds !== undefined ? { retryAfterSeconds: error.retryAfterSeconds } : {}) };
}

/** A remote party (DocSpace, a sender's API) failed: passes with time (rate limit, 5xx, no answer) or not. */
export const isTransientStatus = (status: number): boolean => status === 0 || status === 429 || status >= 500;
