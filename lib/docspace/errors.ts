/** The one error the DocSpace client throws: what DocSpace (or the network) said, and whether to try again. */
export class DocSpaceError extends Error {
  constructor(
    /** HTTP status, or 0 when no answer arrived (connection refused, reset, timed out). */
    readonly status: number,
    /** DocSpace's own message (`error.message`), or a description of the transport failure. */
    message: string,
    readonly method: string,
    readonly path: string,
    /** Seconds from `Retry-After`, when DocSpace sent one. */
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

  get notFound(): boolean {
    return this.status === 404;
  }
}
