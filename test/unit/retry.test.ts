/** The one retry policy (lib/net/retry.ts): backoff bounds, the servers' waits, the deadline and the attempt cap. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffMs, rateLimitResetMs, Retries, retryAfterMs, retryDelayMs, retrying, serverWaitMs } from '../../lib/net/retry';
import { manualClock } from '../../lib/store/memory';

const policy = { attempts: 5, baseMs: 100, capMs: 1_000 };

describe('backoff', () => {
  it('grows exponentially with full jitter: within [0, min(cap, base·2^n)) for any random draw', () => {
    fc.assert(
      fc.property(fc.nat(40), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (retry, draw) => {
        const delay = backoffMs(retry, policy, () => draw);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(Math.min(policy.capMs, policy.baseMs * 2 ** retry));
        expect(Number.isInteger(delay)).toBe(true);
      }),
    );
    expect(backoffMs(0, policy, () => 0.999)).toBe(99);
    expect(backoffMs(3, policy, () => 0.999)).toBe(799);
    expect(backoffMs(10, policy, () => 0.999)).toBe(999);
    expect(backoffMs(10, policy, () => 0)).toBe(0);
  });

  it("waits what the server asked, plus jitter of less than the base, whatever the retry's number", () => {
    expect(retryDelayMs(0, 2_000, policy, () => 0.5)).toBe(2_050);
    expect(retryDelayMs(9, 2_000, policy, () => 0)).toBe(2_000);
    expect(retryDelayMs(0, 0, policy, () => 0.999)).toBe(99);
    // A server's wait is not capped by capMs: the deadline decides whether it is waited out.
    expect(retryDelayMs(0, 60_000, policy, () => 0)).toBe(60_000);
  });
});

describe("the servers' waits", () => {
  const now = Date.parse('2026-11-26T10:00:00Z');

  it('reads Retry-After as delay-seconds or as an HTTP-date, and nothing else', () => {
    expect(retryAfterMs('7', now)).toBe(7_000);
    expect(retryAfterMs(' 0 ', now)).toBe(0);
    expect(retryAfterMs('1.5', now)).toBe(1_500);
    expect(retryAfterMs('Thu, 26 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Thu, 26 Nov 2026 09:59:00 GMT', now)).toBe(0); // already past
    for (const unreadable of [undefined, '', '-5', 'soon', '12abc']) expect(retryAfterMs(unreadable, now)).toBeUndefined();
  });

  it("reads DocSpace's X-RateLimit-Reset and Okta's X-Rate-Limit-Reset (Unix seconds) when the window is used up", () => {
    const at = String(now / 1000 + 12);
    expect(rateLimitResetMs({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': at }, now)).toBe(12_000);
    expect(rateLimitResetMs({ 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': at }, now)).toBe(12_000);
    expect(rateLimitResetMs({ 'x-rate-limit-reset': at }, now)).toBe(12_000); // no count given: the reset stands
    expect(rateLimitResetMs({ 'x-ratelimit-remaining': '5', 'x-ratelimit-reset': at }, now)).toBeUndefined();
    expect(rateLimitResetMs({ 'x-rate-limit-remaining': '3', 'x-rate-limit-reset': at }, now)).toBeUndefined();
    expect(rateLimitResetMs({ 'x-ratelimit-reset': String(now / 1000 - 5) }, now)).toBe(0);
    expect(rateLimitResetMs({ 'x-ratelimit-reset': 'never' }, now)).toBeUndefined();
    expect(rateLimitResetMs({ 'retry-after': '1' }, now)).toBeUndefined();
  });

  it('takes the reset to the millisecond where Retry-After rounds up to whole seconds, never later than Retry-After', () => {
    const t = 1_800_000_000_700;
    expect(serverWaitMs({ 'retry-after': '1', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1800000001' }, t)).toBe(300);
    expect(serverWaitMs({ 'retry-after': '1', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1800000060' }, t)).toBe(1_000);
    expect(serverWaitMs({ 'retry-after': ['2', '9'] }, t)).toBe(2_000);
    expect(serverWaitMs({ 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': '1800000002' }, t)).toBe(1_300);
    expect(serverWaitMs({}, t)).toBeUndefined();
  });
});

describe('Retries', () => {
  it('stops at the attempt cap: attempts − 1 waits', async () => {
    const clock = manualClock();
    const retries = new Retries(policy, { clock, random: () => 0.5 });
    const waits: boolean[] = [];
    for (let i = 0; i < 6; i += 1) waits.push(await retries.next());
    expect(waits).toEqual([true, true, true, true, false, false]);
    expect(clock.now() - manualClock().now()).toBe(50 + 100 + 200 + 400);
  });

  it('stops when a wait would leave the next attempt less than its reserve of the remaining time', async () => {
    const clock = manualClock();
    const start = clock.now();
    const retries = new Retries(
      { attempts: 100, baseMs: 1_000, capMs: 1_000 },
      { clock, remainingMs: () => 5_000 - (clock.now() - start), reserveMs: 1_500, random: () => 0.999 },
    );
    let waited = 0;
    while (await retries.next()) waited += 1;
    // Each wait is 999 ms: after three, 2,003 ms are left, and a fourth would leave 1,004 < 1,500.
    expect(waited).toBe(3);
    expect(retries.nextDelay(2_000)).toBeUndefined(); // a server's wait past the deadline is not waited out at all
    expect(retries.fits(0)).toBe(true);
  });

  it("does not wait out a server's wait that the deadline cannot hold, whatever the cap", () => {
    const retries = new Retries(policy, { clock: manualClock(), remainingMs: () => 5_000, reserveMs: 3_500, random: () => 0 });
    expect(retries.nextDelay(60_000)).toBeUndefined();
    expect(retries.nextDelay(1_600)).toBeUndefined(); // would leave 3,400 ms
    expect(retries.nextDelay(1_400)).toBe(1_400); // leaves 3,600 ms
  });
});

describe('retrying', () => {
  it('retries what the judge says passes, reports each wait, and throws the last error at the cap', async () => {
    const clock = manualClock();
    const seen: number[] = [];
    let calls = 0;
    const failing = retrying(
      async (n) => {
        calls += 1;
        throw new Error(`attempt ${n}`);
      },
      {
        policy: { attempts: 3, baseMs: 100, capMs: 1_000 },
        clock,
        random: () => 0,
        judge: () => ({ retry: true, serverWaitMs: 250 }),
        onRetry: ({ delayMs }) => seen.push(delayMs),
      },
    );
    await expect(failing).rejects.toThrow('attempt 3');
    expect(calls).toBe(3);
    expect(seen).toEqual([250, 250]);
  });

  it('does not retry what the judge refuses, and returns the first success', async () => {
    const clock = manualClock();
    let calls = 0;
    await expect(
      retrying(async () => ((calls += 1), Promise.reject(new Error('no'))), { policy, clock, judge: () => ({ retry: false }) }),
    ).rejects.toThrow('no');
    expect(calls).toBe(1);
    expect(
      await retrying(async (n) => (n < 3 ? Promise.reject(new Error('not yet')) : n), { policy, clock, judge: () => ({ retry: true }) }),
    ).toBe(3);
  });
});
