/**
 * The senders' own APIs, for webhooks that say who changed but not what. Each adapter says how it authenticates
 * (SenderApiAuth); the credentials come from the sender API secret, one key per sender.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { IncomingHttpHeaders } from 'node:http';
import type * as z from 'zod';
import { request } from '../../net/request';
import { ConfigurationError, DEFAULT_RETRY_AFTER_SECONDS, isTransientStatus, ServiceError, type Refusal } from '../../outcome';

class SenderApiError extends ServiceError {
  constructor(
    readonly sender: string,
    readonly status: number,
    message: string,
    cause?: unknown,
  ) {
    super(isTransientStatus(status) ? `${message}; try again later` : message, {
      cause,
      ...(isTransientStatus(status) ? { retryAfterSeconds: DEFAULT_RETRY_AFTER_SECONDS } : {}),
    });
  }

  /** Rate limits, server errors and lost connections pass; a refused credential or a bad request does not. */
  get outcome(): Refusal {
    return isTransientStatus(this.status) ? 'unavailable' : 'failed';
  }
}

export interface SenderApi {
  /** The parsed JSON answer, or null for 404. */
  json<T>(method: 'GET' | 'POST', path: string, schema: z.ZodType<T>, body?: unknown): Promise<T | null>;
  /**
   * One page of a list (a roster): the parsed answer and the next page's URL from `Link: <…>; rel="next"` (Okta's
   * paging; none when absent). `path` is a path under the API's base URL or a `next` URL this API gave. A 429 is
   * waited out (`X-Rate-Limit-Reset`, else `Retry-After`) while `remainingMs` leaves time, then tried again.
   */
  page<T>(method: 'GET' | 'POST', path: string, schema: z.ZodType<T>, options?: { body?: unknown; remainingMs?: () => number }): Promise<{ data: T; next?: string }>;
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

/** Seconds to wait after a 429: Okta's X-Rate-Limit-Reset (Unix seconds), else Retry-After. */
function rateLimitWaitMs(headers: IncomingHttpHeaders, now: number): number {
  const reset = Number(headers['x-rate-limit-reset']);
  if (Number.isFinite(reset) && reset > 0) return Math.max(0, reset * 1000 - now) + 250;
  const after = Number(headers['retry-after']);
  return Number.isFinite(after) && after >= 0 ? after * 1000 : 1_000;
}

/** The pages of a Link-paged list (Okta's), in order: the first at `path`, then each `rel="next"` until none. */
export async function* pagesOf<T>(api: SenderApi, path: string, schema: z.ZodType<T>, options: { remainingMs?: () => number } = {}): AsyncGenerator<T> {
  for (let next: string | undefined = path; next; ) {
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
}

/** A client for one sender's API. */
export async function openSenderApi<C>({ sender, access, baseUrl, urlSetting, credentials: read }: SenderApiOptions<C>): Promise<SenderApi> {
  if (!baseUrl) throw new ConfigurationError(`${urlSetting} is not set; the ${sender} webhook needs it to read records`);
  const own = await read();
  if (own === undefined) throw new ConfigurationError(`the sender API secret has no "${sender}" credentials`);
  const credentials = access.credentials.safeParse(own);
  if (!credentials.success) {
    throw new ConfigurationError(`the "${sender}" credentials in the sender API secret are malformed: ${credentials.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  }
  const auth = access.authorization(credentials.data);
  const root = baseUrl.replace(/\/+$/, '');
  let calls = 0;

  async function call<T>(method: 'GET' | 'POST', path: string, schema: z.ZodType<T>, body: unknown, roster = false): Promise<{ status: number; data?: T; headers: IncomingHttpHeaders }> {
    calls += 1;
    const url = /^https?:\/\//.test(path) ? path : `${root}${path}`;
    // A next-page URL must stay on the API's own origin: the credentials go nowhere else.
    if (new URL(url).origin !== new URL(root).origin) throw new SenderApiError(sender, 502, `the ${sender} API pointed to another host for the next page`);
    let status: number;
    let text: string;
    let headers: IncomingHttpHeaders;
    try {
      // A few reads per delivery, a few pages per roster: node:http(s), kept alive (lib/net/request.ts). Redirects
      // are not followed. A webhook's read must leave the sender's own timeout room; a roster page may be large.
      ({ status, text, headers } = await request(new URL(url), {
        method,
        headers: { authorization: auth, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        timeoutMs: roster ? 30_000 : 5_000,
      }));
    } catch (error) {
      throw new SenderApiError(sender, 0, `no answer from the ${sender} API (${error instanceof Error ? error.message : String(error)})`);
    }
    const shown = path.replace(/^https?:\/\/[^/]+/, '').replace(/\?.*$/, '');
    // Rate limits: Okta and Bob answer 429, BambooHR 503 with Retry-After.
    if (status === 404 || status === 429 || (status === 503 && headers['retry-after'] !== undefined)) return { status, headers };
    if (status < 200 || status >= 300) throw new SenderApiError(sender, status, `the ${sender} API answered ${status} to ${method} ${shown}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new SenderApiError(sender, 502, `the ${sender} API answered ${method} ${shown} with something that is not JSON`);
    }
    const result = schema.safeParse(parsed);
    if (!result.success) throw new SenderApiError(sender, 502, `unexpected ${sender} API answer to ${method} ${shown}: ${result.error.issues[0]?.message ?? ''}`);
    return { status, data: result.data, headers };
  }

  return {
    get calls() {
      return calls;
    },
    async json(method, path, schema, body) {
      const answer = await call(method, path, schema, body);
      if (answer.status === 429 || answer.status === 503) throw new SenderApiError(sender, answer.status, `the ${sender} API answered ${answer.status} to ${method} ${path}`);
      return answer.status === 404 ? null : (answer.data ?? null);
    },
    async page(method, path, schema, options = {}) {
      for (;;) {
        const answer = await call(method, path, schema, options.body, true);
        if (answer.status === 429 || answer.status === 503) {
          const wait = rateLimitWaitMs(answer.headers, Date.now());
          if ((options.remainingMs?.() ?? 0) - wait < 10_000) throw new SenderApiError(sender, answer.status, `the ${sender} API answered ${answer.status} (rate limit) to ${method} ${path}`);
          await sleep(wait);
          continue;
        }
        if (answer.status === 404 || answer.data === undefined) throw new SenderApiError(sender, 404, `the ${sender} API answered 404 to ${method} ${path}`);
        const next = nextLink(answer.headers.link);
        return next ? { data: answer.data, next } : { data: answer.data };
      }
    },
  };
}
