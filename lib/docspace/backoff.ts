/**
 * How long to wait before trying DocSpace again: what DocSpace asked for (Retry-After / X-RateLimit-Reset) when it
 * said, else exponential backoff with full jitter, so that many containers retrying at once spread out.
 */
export interface BackoffOptions {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 100, capMs: 5_000 };

export function backoffDelayMs(
  attempt: number,
  retryAfterSeconds: number | undefined,
  options: BackoffOptions = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  if (retryAfterSeconds !== undefined) {
    // A little jitter on top of the server's own schedule, so retries do not arrive as one wave at the reset.
    return retryAfterSeconds * 1000 + Math.floor(random() * options.baseMs);
  }
  return Math.floor(random() * Math.min(options.capMs, options.baseMs * 2 ** attempt));
}

type HeaderMap = Record<string, string | string[] | undefined>;

/** A header's (first) value. */
const firstOf = (headers: HeaderMap) => (name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * Milliseconds until `X-RateLimit-Reset` (Unix seconds) when the window is used up (`X-RateLimit-Remaining: 0`).
 * DocSpace's limiter sends it beside `Retry-After` (docs/docspace-caveats.md#rate-limiting); `Retry-After` is rounded
 * up to whole seconds, so a client that waits for it alone loses up to a second of every window.
 */
export function rateLimitResetInMs(headers: HeaderMap, now = Date.now()): number | undefined {
  const first = firstOf(headers);
  const reset = Number(first('x-ratelimit-reset'));
  if (first('x-ratelimit-remaining') !== '0' || !Number.isFinite(reset) || reset <= 0) return undefined;
  return Math.max(0, reset * 1000 - now);
}

/** Seconds from `Retry-After` (seconds or an HTTP date), else from `X-RateLimit-Reset` (Unix seconds). */
export function retryAfterFromHeaders(headers: HeaderMap, now = Date.now()): number | undefined {
  const first = firstOf(headers);
  const retryAfter = first('retry-after');
  if (retryAfter) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, Math.ceil((date - now) / 1000));
  }
  const resetMs = rateLimitResetInMs(headers, now);
  return resetMs === undefined ? undefined : Math.ceil(resetMs / 1000);
}
