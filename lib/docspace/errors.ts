/** The one error the DocSpace client throws: what DocSpace (or the network) said, and whether to try again. */
export class DocSpaceError extends Error {
  constructor(
    /** HTTP status, or 0 when no answer arrived (connection refused, reset, timed out). */
    readonly status: number,
    /** DocSpace's own message (`error.message`), or a description of the transport failure. */
    message: string,
    readonly method: string,
    readonly path: string,
    /** Seconds DocSpace asked us to wait (`Retry-After`, else `X-RateLimit-Reset`), when it said. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'DocSpaceError';
  }

  /**
   * Rate limits (429; the docs also name 503 for this), gateway errors and lost connections pass with time.
   * 500 is the server's catch-all for unexpected exceptions, worth one more delivery too. Other 4xx never pass.
   */
  get retryable(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
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
