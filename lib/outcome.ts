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
  | 'stale';

/** Why an event was not applied. */
export type Refusal =
  | 'invalid'
  | 'unauthorized'
  | 'payload_too_large'
  | 'unknown_role'
  /** The same event is being applied by another container right now. */
  | 'in_flight'
  | 'rejected_by_docspace'
  | 'unavailable'
  | 'failed'
  /** A setting or secret is missing or wrong: the operator must act, then redeliveries succeed. */
  | 'misconfigured'
  | 'internal_error';

export type OutcomeName = SyncOutcome | Refusal;

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
  invalid: 400,
  unauthorized: 401,
  payload_too_large: 413,
  unknown_role: 422,
  in_flight: 409,
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
  return httpStatus[outcome] >= 500 || outcome === 'in_flight';
}

/** An event refused before it reached DocSpace, or refused by DocSpace, carried up to the handler as an error. */
export class RefusedEvent extends Error {
  constructor(
    readonly outcome: Refusal,
    message: string,
    readonly errors?: string[],
    /** Seconds the sender should wait before redelivering (503 answers). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'RefusedEvent';
  }

  toAnswer(): Answer {
    return { outcome: this.outcome, message: this.message, ...(this.errors ? { errors: this.errors } : {}) };
  }
}
