import { DEFAULT_RETRY_AFTER_SECONDS, isTransientStatus, ServiceError, type Refusal } from '../outcome';

/** The one error the DocSpace client throws: what DocSpace (or the network) said, and whether to try again. */
export class DocSpaceError extends ServiceError {
  /** Seconds DocSpace asked us to wait (`Retry-After`, else `X-RateLimit-Reset`), rounded up, when it said. */
  readonly serverRetryAfterSeconds?: number;

  constructor(
    /** HTTP status, or 0 when no answer arrived (connection refused, reset, timed out). */
    readonly status: number,
    /** DocSpace's own message (`error.message`), or a description of the transport failure. */
    message: string,
    readonly method: string,
    readonly path: string,
    /**
     * Milliseconds DocSpace asked us to wait, when it said: until the window resets (`X-RateLimit-Reset` with
     * `X-RateLimit-Remaining: 0`, to the millisecond), never later than `Retry-After` (whole seconds).
     */
    readonly serverWaitMs?: number,
    cause?: unknown,
  ) {
    const seconds = serverWaitMs === undefined ? undefined : Math.ceil(serverWaitMs / 1000);
    super(message, {
      cause,
      ...(isTransientStatus(status) ? { retryAfterSeconds: seconds ?? DEFAULT_RETRY_AFTER_SECONDS } : {}),
    });
    if (seconds !== undefined) this.serverRetryAfterSeconds = seconds;
  }

  /**
   * Rate limits (429; the docs also name 503 for this), gateway errors and lost connections pass with time.
   * 500 is the server's catch-all for unexpected exceptions, worth one more delivery too. Other 4xx never pass.
   */
  get retryable(): boolean {
    return isTransientStatus(this.status);
  }

  get outcome(): Refusal {
    if (this.retryable) return 'unavailable';
    return this.status === 400 ? 'rejected_by_docspace' : 'failed';
  }

  override toAnswer() {
    const said = `${this.message} (${this.method} ${this.path} → ${this.status || 'no answer'})`;
    const lead = this.retryable
      ? 'DocSpace is unavailable, try again later'
      : this.status === 400
        ? 'DocSpace refused the event'
        : 'DocSpace refused the call';
    return { outcome: this.outcome, message: `${lead}: ${said}` };
  }

  /**
   * Refused before any work was done: the rate limiter (429) and an overloaded server (503) turn requests away at
   * the door. Any other failure of a write (a lost connection, 500, a gateway's 502/504) may have been applied.
   */
  get certainlyNotApplied(): boolean {
    return this.status === 429 || this.status === 503;
  }

  get notFound(): boolean {
    return this.status === 404;
  }
}
