/**
 * The senders' own APIs, for webhooks that say who changed but not what. Each adapter says how it authenticates
 * (SenderApiAuth); the credentials come from the sender API secret, one key per sender. Requests go through the
 * service's HTTP client (lib/net/http.ts) and retry policy (lib/net/retry.ts).
 */
import type * as z from 'zod';
import { BodyTooLargeError, openHttpClient, type HttpAnswer, type HttpClient } from '../../net/http';
import { Retries, serverWaitMs, type RetryClock, type RetryPolicy } from '../../net/retry';
import { ConfigurationError, DEFAULT_RETRY_AFTER_SECONDS, isTransientStatus, ServiceError, type Refusal } from '../../outcome';

class SenderApiError extends ServiceError {
  constructor(
    readonly sender: string,
    readonly status: number,
    message: string,
    /** Milliseconds the API asked us to wait (Retry-After, a rate-limit reset), when it said: passed on to our sender. */
    serverWaitMs?: number,
  ) {
    super(isTransientStatus(status) ? `${message}; try again later` : message, {
      ...(isTransientStatus(status)
        ? { retryAfterSeconds: serverWaitMs === undefined ? DEFAULT_RETRY_AFTER_SECONDS : Math.max(1, Math.ceil(serverWaitMs / 1000)) }
        : {}),
    });
  }

  /** Rate limits, server errors and lost connections pass; a refused credential or a bad request does not. */
  get outcome(): Refusal {
    return isTransientStatus(this.status) ? 'unavailable' : 'failed';
  }
}

/**
 * A webhook's read of one record: three attempts within 5 s in all, since the sender waits for our answer (Okta's
 * hook times out after 3 s and retries once). A record is a few KiB: 1 MiB is far past any real one.
 */
const RECORD: ExchangeKind = {
  retry: { attempts: 3, baseMs: 100, capMs: 1_000 },
  budgetMs: 5_000,
  reserveMs: 1_000,
  timeoutMs: 5_000,
  maxBodyBytes: 1024 * 1024,
};

/**
 * A page of a roster (reconciliation): five attempts, the vendor's rate-limit wait honoured while the invocation has
 * time, 10 s of it kept for the run's report and cursor. Okta's pages of 200 users are a few hundred KiB, but
 * BambooHR's custom report and Bob's search answer the whole roster in one list: 16 MiB holds some 40,000 people at
 * about 400 bytes each, and leaves a 256 MB function room to parse them.
 */
const ROSTER: ExchangeKind = {
  retry: { attempts: 5, baseMs: 250, capMs: 10_000 },
  budgetMs: 30_000,
  reserveMs: 10_000,
  timeoutMs: 30_000,
  maxBodyBytes: 16 * 1024 * 1024,
};

interface ExchangeKind {
  retry: RetryPolicy;
  /** The time the retries may take when the caller gives no remaining time. */
  budgetMs: number;
  /** What an attempt after a wait needs of the remaining time. */
  reserveMs: number;
  /** One attempt's longest time, headers and body (shrunk to the time left). */
  timeoutMs: number;
  maxBodyBytes: number;
}

/** The container's pools to the senders' APIs, one per origin, opened (and undici loaded) on the first request. */
export function senderPools(): (baseUrl: string) => HttpClient {
  const pools = new Map<string, HttpClient>();
  return (baseUrl) => {
    const origin = new URL(baseUrl).origin;
    let pool = pools.get(origin);
    if (!pool) pools.set(origin, (pool = openHttpClient({ url: origin, connections: 2, maxBodyBytes: RECORD.maxBodyBytes })));
    return pool;
  };
}

export interface SenderApi {
  /** The parsed JSON answer, or null for 404. */
  json<T>(method: 'GET' | 'POST', path: string, schema: z.ZodType<T>, body?: unknown): Promise<T | null>;
  /**
   * One page of a list (a roster): the parsed answer and the next page's URL from `Link: <…>; rel="next"` (Okta's
   * paging; none when absent). `path` is a path under the API's base URL or a `next` URL this API gave. A 429 is
   * waited out (`X-Rate-Limit-Reset`, else `Retry-After`) while `remainingMs` leaves time, then tried again.
   */
  page<T>(
    method: 'GET' | 'POST',
    path: string,
    schema: z.ZodType<T>,
    options?: { body?: unknown; remainingMs?: () => number },
  ): Promise<{ data: T; next?: string }>;
  /** Requests made, for the delivery's log line. */
  readonly calls: number;
}

/** The `rel="next"` target of a Link header (RFC 8288), as Okta sends it. */
export function nextLink(header: string | string[] | undefined): string | undefined {
  for (const value of [header ?? []].flat()) {
    for (const part of value.split(',')) {
      const match = /<([^>]+)>\s*;(?:[^;]*;)*\s*rel="?next"?/i.exec(part.trim());
      if (match) return match[1];
    }
  }
  return undefined;
}

/** The pages of a Link-paged list (Okta's), in order: the first at `path`, then each `rel="next"` until none. */
export async function* pagesOf<T>(
  api: SenderApi,
  path: string,
  schema: z.ZodType<T>,
  options: { remainingMs?: () => number } = {},
): AsyncGenerator<T> {
  for (let next: string | undefined = path; next;) {
    const page: { data: T; next?: string } = await api.page('GET', next, schema, options);
    yield page.data;
    next = page.next;
  }
}

/** How an adapter authenticates to its sender's API: the shape of its credentials and the header they make. */
export interface SenderApiAuth<C> {
  credentials: z.ZodType<C>;
  authorization(credentials: C): string;
}

/** Pairs a credentials schema with the header it makes, so an adapter can hold any sender's kind of credentials. */
export function apiAuth<C>(auth: SenderApiAuth<C>): SenderApiAuth<unknown> {
  return { credentials: auth.credentials, authorization: (c) => auth.authorization(c as C) };
}

export const basicAuth = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

export interface SenderApiOptions<C> {
  sender: string;
  access: SenderApiAuth<C>;
  /** The API's base URL, and the setting that holds it (named when it is missing). */
  baseUrl: string | undefined;
  urlSetting: string;
  /** This sender's entry in the sender API secret. */
  credentials: () => Promise<unknown>;
  /** The container's pools (senderPools). */
  pools: (baseUrl: string) => HttpClient;
  clock: RetryClock;
}

/** A client for one sender's API. */
export async function openSenderApi<C>({
  sender,
  access,
  baseUrl,
  urlSetting,
  credentials: read,
  pools,
  clock,
}: SenderApiOptions<C>): Promise<SenderApi> {
  if (!baseUrl) throw new ConfigurationError(`${urlSetting} is not set; the ${sender} webhook needs it to read records`);
  const own = await read();
  if (own === undefined) throw new ConfigurationError(`the sender API secret has no "${sender}" credentials`);
  const credentials = access.credentials.safeParse(own);
  if (!credentials.success) {
    throw new ConfigurationError(
      `the "${sender}" credentials in the sender API secret are malformed: ${credentials.error.issues.map((i) => i.path.join('.')).join(', ')}`,
    );
  }
  const auth = access.authorization(credentials.data);
  const root = baseUrl.replace(/\/+$/, '');
  const pool = pools(root);
  let calls = 0;

  /**
   * Sends the request, again after an answer or a failure that passes (no answer, 429, 5xx — BambooHR's rate limit
   * is a 503 with Retry-After) while the policy and the time allow; the last such failure is thrown. Any other
   * answer (2xx, 404, another 4xx) is returned.
   */
  async function exchange(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    kind: ExchangeKind,
    remainingMs?: () => number,
  ): Promise<HttpAnswer> {
    const url = new URL(/^https?:\/\//.test(path) ? path : `${root}${path}`);
    // A next-page URL must stay on the API's own origin: the credentials go nowhere else.
    if (url.origin !== pool.origin) throw new SenderApiError(sender, 502, `the ${sender} API pointed to another host for the next page`);
    const shown = `${method} ${url.pathname}`;
    const until = clock.now() + kind.budgetMs;
    const left = remainingMs ?? (() => until - clock.now());
    const retries = new Retries(kind.retry, { clock, remainingMs: left, reserveMs: kind.reserveMs });
    for (;;) {
      calls += 1;
      const timeoutMs = Math.max(1_000, Math.min(kind.timeoutMs, left() - 1_000));
      try {
        const answer = await pool.send({
          method,
          path: `${url.pathname}${url.search}`,
          headers: {
            authorization: auth,
            accept: 'application/json',
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          headersTimeoutMs: timeoutMs,
          bodyTimeoutMs: timeoutMs,
          totalTimeoutMs: timeoutMs,
          maxBodyBytes: kind.maxBodyBytes,
        });
        if (!isTransientStatus(answer.status)) return answer;
        const wait = serverWaitMs(answer.headers, clock.now());
        const limited = answer.status === 429 || (answer.status === 503 && wait !== undefined) ? ' (rate limit)' : '';
        const failure = new SenderApiError(
          sender,
          answer.status,
          `the ${sender} API answered ${answer.status}${limited} to ${shown}`,
          wait,
        );
        const delay = retries.nextDelay(wait);
        if (delay === undefined) throw failure;
        await retries.wait(delay);
      } catch (error) {
        if (error instanceof SenderApiError) throw error;
        // Asking again would bring the same answer: thrown at once, as a failure (a 5xx's aside) that does not pass.
        if (error instanceof BodyTooLargeError)
          throw new SenderApiError(sender, error.status, `the ${sender} API sent ${error.message} (${shown})`);
        const failure = new SenderApiError(
          sender,
          0,
          `no answer from the ${sender} API (${error instanceof Error ? error.message : String(error)})`,
        );
        if (!(await retries.next())) throw failure;
      }
    }
  }

  /** A 2xx answer's JSON, checked against the schema; a refusal (other than 404, which the caller decides) thrown. */
  function parse<T>(answer: HttpAnswer, schema: z.ZodType<T>, method: string, path: string): T {
    const shown = `${method} ${path.replace(/^https?:\/\/[^/]+/, '').replace(/\?.*$/, '')}`;
    if (answer.status < 200 || answer.status >= 300)
      throw new SenderApiError(sender, answer.status, `the ${sender} API answered ${answer.status} to ${shown}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer.text);
    } catch {
      throw new SenderApiError(sender, 502, `the ${sender} API answered ${shown} with something that is not JSON`);
    }
    const result = schema.safeParse(parsed);
    if (!result.success)
      throw new SenderApiError(sender, 502, `unexpected ${sender} API answer to ${shown}: ${result.error.issues[0]?.message ?? ''}`);
    return result.data;
  }

  return {
    get calls() {
      return calls;
    },
    async json(method, path, schema, body) {
      const answer = await exchange(method, path, body, RECORD);
      return answer.status === 404 ? null : parse(answer, schema, method, path);
    },
    async page(method, path, schema, options = {}) {
      const answer = await exchange(method, path, options.body, ROSTER, options.remainingMs);
      const data = parse(answer, schema, method, path);
      const next = nextLink(answer.headers.link);
      return next ? { data, next } : { data };
    },
  };
}
