/**
 * The one retry policy of every remote call the service makes itself — DocSpace, the senders' APIs, DynamoDB's
 * unprocessed batch keys — and of its compare-and-set loops: a cap on attempts, exponential backoff with full jitter
 * (so that many containers retrying at once spread out), the wait a server asked for when it said one
 * (`Retry-After`, DocSpace's `X-RateLimit-Reset`, Okta's `X-Rate-Limit-Reset`), and a deadline from the invocation's
 * remaining time: no wait that would leave the next attempt too little of it. AWS SDK calls keep the SDK's own retry.
 *
 * Time is injected (RetryClock, which the store's Clock port satisfies), so tests never sleep for real.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** Time, as the policy needs it. */
export interface RetryClock {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

/** The wall clock and real waits. */
export const systemClock: RetryClock = { now: () => Date.now(), sleep: (ms) => sleep(ms) };

export interface RetryPolicy {
  /** Attempts in all, the first one included. */
  attempts: number;
  /** The first retry waits up to this long (full jitter); each later one up to twice as long as the one before. */
  baseMs: number;
  /** No computed wait is longer. (A server's own wait may be: the deadline bounds that one.) */
  capMs: number;
}

export interface RetryTiming {
  clock: RetryClock;
  /** Time left in the invocation (or in the caller's budget); absent, only the attempt cap stops the retries. */
  remainingMs?: () => number;
  /** What the attempt after a wait still needs of the remaining time (its own timeout, the answer after it). */
  reserveMs?: number;
  /** [0, 1): Math.random unless a test fixes it. */
  random?: () => number;
}

/**
 * The wait before retry number `retry` (0 for the first) when the server did not say: a uniformly random part of
 * `min(capMs, baseMs · 2^retry)` ("full jitter").
 */
export function backoffMs(retry: number, policy: Pick<RetryPolicy, 'baseMs' | 'capMs'>, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(policy.capMs, policy.baseMs * 2 ** retry));
}

/**
 * The wait before retry number `retry`: what the server asked for plus a little jitter (up to `baseMs`, so that the
 * retries do not arrive as one wave when the window resets), else the backoff.
 */
export function retryDelayMs(
  retry: number,
  serverWaitMs: number | undefined,
  policy: Pick<RetryPolicy, 'baseMs' | 'capMs'>,
  random: () => number = Math.random,
): number {
  if (serverWaitMs !== undefined) return Math.max(0, Math.ceil(serverWaitMs)) + Math.floor(random() * policy.baseMs);
  return backoffMs(retry, policy, random);
}

type HeaderMap = Readonly<Record<string, string | string[] | undefined>>;

/** A header's (first) value; names are lower case, as undici and node:http give them. */
const firstOf = (headers: HeaderMap, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** `Retry-After` in milliseconds: delay-seconds or an HTTP-date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now: number): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  // An HTTP-date names its weekday and month; anything else (a negative number, say) is not one.
  const date = /[a-z]/i.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Milliseconds until a rate-limit window resets, when the answer says the window is used up: DocSpace's
 * `X-RateLimit-Reset` and Okta's `X-Rate-Limit-Reset`, both Unix seconds, honoured unless the matching `…-Remaining`
 * header says there are requests left (then the refusal is not the window's).
 */
export function rateLimitResetMs(headers: HeaderMap, now: number): number | undefined {
  for (const [reset, remaining] of [
    ['x-ratelimit-reset', 'x-ratelimit-remaining'],
    ['x-rate-limit-reset', 'x-rate-limit-remaining'],
  ] as const) {
    const at = Number(firstOf(headers, reset));
    const left = firstOf(headers, remaining);
    if (!Number.isFinite(at) || at <= 0 || (left !== undefined && left.trim() !== '0')) continue;
    return Math.max(0, at * 1000 - now);
  }
  return undefined;
}

/**
 * How long the server asked us to wait, in milliseconds, when it said: the window's reset when given (finer than
 * `Retry-After`, which is whole seconds), never later than `Retry-After`; else `Retry-After`.
 */
export function serverWaitMs(headers: HeaderMap, now: number): number | undefined {
  const after = retryAfterMs(firstOf(headers, 'retry-after'), now);
  const reset = rateLimitResetMs(headers, now);
  if (after === undefined) return reset;
  return reset === undefined ? after : Math.min(after, reset);
}

/**
 * The retries of one operation: how long to wait before the next attempt, or that there is none — the cap reached,
 * or the wait would leave the next attempt less than `reserveMs` of the remaining time.
 */
export class Retries {
  /** Retries waited for so far. */
  private retries = 0;

  constructor(
    private readonly policy: RetryPolicy,
    private readonly timing: RetryTiming,
  ) {}

  /** The wait before the next attempt (with its jitter), or undefined when the policy says stop. */
  nextDelay(serverWaitMs?: number): number | undefined {
    if (this.retries + 1 >= this.policy.attempts) return undefined;
    const delay = retryDelayMs(this.retries, serverWaitMs, this.policy, this.timing.random);
    return this.fits(delay) ? delay : undefined;
  }

  /** Whether a wait of `delayMs` still leaves the next attempt its reserve of the remaining time. */
  fits(delayMs: number): boolean {
    const remaining = this.timing.remainingMs?.();
    return remaining === undefined || remaining - delayMs > (this.timing.reserveMs ?? 0);
  }

  /** Waits `delayMs` (from nextDelay) and counts the retry. */
  async wait(delayMs: number): Promise<void> {
    this.retries += 1;
    await this.timing.clock.sleep(delayMs);
  }

  /** Waits before the next attempt and says true; says false at once when the policy says stop. */
  async next(serverWaitMs?: number): Promise<boolean> {
    const delay = this.nextDelay(serverWaitMs);
    if (delay === undefined) return false;
    await this.wait(delay);
    return true;
  }
}

/** What a failed attempt means: try again (after the server's wait, when it gave one), or not. */
type Verdict = { retry: false } | { retry: true; serverWaitMs?: number };

export interface RetryOptions extends RetryTiming {
  policy: RetryPolicy;
  /** Whether the error is worth another attempt. */
  judge(error: unknown): Verdict;
  /** Called before each wait: for metrics and logs. */
  onRetry?(retry: { attempt: number; delayMs: number; error: unknown }): void;
}

/** Runs `attempt` until it succeeds, the error is not worth another, or the policy says stop (the last error thrown). */
export async function retrying<T>(attempt: (n: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const retries = new Retries(options.policy, options);
  for (let n = 1; ; n += 1) {
    try {
      return await attempt(n);
    } catch (error) {
      const verdict = options.judge(error);
      if (!verdict.retry) throw error;
      const delayMs = retries.nextDelay(verdict.serverWaitMs);
      if (delayMs === undefined) throw error;
      options.onRetry?.({ attempt: n, delayMs, error });
      await retries.wait(delayMs);
    }
  }
}
