import { describe, expect, it } from 'vitest';
import { backoffDelayMs, rateLimitResetInMs, retryAfterFromHeaders } from '../../lib/docspace/backoff';

describe('backoff', () => {
  it('honours Retry-After in seconds and as an HTTP date', () => {
    expect(retryAfterFromHeaders({ 'retry-after': '7' })).toBe(7);
    const now = Date.parse('2026-11-26T10:00:00Z');
    expect(retryAfterFromHeaders({ 'retry-after': 'Thu, 26 Nov 2026 10:00:30 GMT' }, now)).toBe(30);
  });

  it('falls back to X-RateLimit-Reset when the window is used up', () => {
    const now = 1_800_000_000_000;
    expect(retryAfterFromHeaders({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 12) }, now)).toBe(12);
    expect(retryAfterFromHeaders({ 'x-ratelimit-remaining': '5', 'x-ratelimit-reset': String(now / 1000 + 12) }, now)).toBeUndefined();
  });

  it('reads the reset instant to the millisecond, where Retry-After rounds up to a whole second', () => {
    const now = 1_800_000_000_700;
    const headers = { 'retry-after': '1', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1800000001' };
    expect(retryAfterFromHeaders(headers, now)).toBe(1);
    expect(rateLimitResetInMs(headers, now)).toBe(300);
    expect(rateLimitResetInMs({ ...headers, 'x-ratelimit-reset': '1800000000' }, now)).toBe(0);
    expect(rateLimitResetInMs({ ...headers, 'x-ratelimit-remaining': '3' }, now)).toBeUndefined();
    expect(rateLimitResetInMs({ 'retry-after': '1' }, now)).toBeUndefined();
  });

  it('grows exponentially with full jitter, capped', () => {
    const opts = { baseMs: 100, capMs: 1_000 };
    expect(backoffDelayMs(0, undefined, opts, () => 0.999)).toBe(99);
    expect(backoffDelayMs(3, undefined, opts, () => 0.999)).toBe(799);
    expect(backoffDelayMs(10, undefined, opts, () => 0.999)).toBe(999);
    expect(backoffDelayMs(10, undefined, opts, () => 0)).toBe(0);
  });

  it('waits what the server asked, plus a little jitter', () => {
    expect(backoffDelayMs(0, 2, { baseMs: 100, capMs: 1_000 }, () => 0.5)).toBe(2_050);
  });
});
