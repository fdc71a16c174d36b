/**
 * Transport to the DocSpace API: one keep-alive undici pool per origin and container, Bearer API key, bounded
 * timeouts, the `{response, status, statusCode}` envelope unwrapped, and every failure turned into a DocSpaceError.
 * It knows nothing of senders or sync rules.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool } from 'undici';
import type { z } from 'zod';
import { backoffDelayMs, DEFAULT_BACKOFF, rateLimitResetInMs, retryAfterFromHeaders, type BackoffOptions } from './backoff';
import { countDocSpaceRetry, recordDocSpaceRequest } from '../metrics/record';
import { isTransientStatus } from '../outcome';
import { DocSpaceError } from './errors';

/** Gives the API key; `refresh` asks for a fresh copy after DocSpace refused the cached one (key rotation). */
type ApiKeyProvider = (refresh: boolean) => Promise<string>;

export interface DocSpaceClientOptions {
  baseUrl: string;
  apiKey: ApiKeyProvider;
  /** The container's pool to DocSpace's origin (openDocSpacePool). */
  pool: DocSpacePool;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  /** Time left in this invocation: retries stop when the next one could not finish in it. */
  remainingMs?: () => number;
  backoff?: BackoffOptions;
  sleep?: (ms: number) => Promise<void>;
}

/** Kept back from the invocation's time for answering after the last try. */
const ANSWER_MARGIN_MS = 1_000;

export interface RequestOptions<T> {
  query?: Record<string, string>;
  body?: unknown;
  /** The shape of `response` inside the envelope. */
  schema: z.ZodType<T>;
  /** Called with the envelope's `total` (set by the list endpoints: all matches, not just this page). */
  onTotal?: (total: number | undefined) => void;
}

const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
const DEFAULT_BODY_TIMEOUT_MS = 10_000;

/** The container's pool to DocSpace, opened on first use. */
export interface DocSpacePool {
  (): Promise<Pool>;
  /** Closes the pool if it was opened. */
  close(): Promise<void>;
}

/**
 * The keep-alive pool to DocSpace. The composition root opens one per container and hands it to every client, so
 * a warm container opens its TCP (and TLS) connection once. undici is loaded on the first request, not with the
 * bundle: a door that only verifies and enqueues never pays for it (about 40 ms of a cold start).
 */
export function openDocSpacePool(baseUrl: string, connections = 1, connectTimeoutMs = 3_000): DocSpacePool {
  let pool: Promise<Pool> | undefined;
  const open = () =>
    (pool ??= import('undici').then(({ Pool: UndiciPool }) => new UndiciPool(new URL(baseUrl).origin, { connections, keepAliveTimeout: 30_000, connect: { timeout: connectTimeoutMs } })));
  return Object.assign(open, { close: async () => void (pool && (await (await pool).close())) });
}

interface Envelope {
  response?: unknown;
  status?: number;
  statusCode?: number;
  error?: { message?: string };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** DocSpace's message: `error.message`, or the model-validation problem the server wraps in `response`. */
function messageOf(body: unknown, status: number): string {
  if (isObject(body)) {
    const error = body.error;
    if (isObject(error) && typeof error.message === 'string') return error.message;
    const problem = body.response;
    if (isObject(problem) && typeof problem.title === 'string') {
      const details = isObject(problem.errors) ? ` ${JSON.stringify(problem.errors)}` : '';
      return `${problem.title}${details}`;
    }
  }
  return `HTTP ${status}`;
}

/**
 * The DocSpace port the typed calls (People, Groups) use: the client below, or in plan mode a port that records the
 * writes instead of sending them (lib/plan/recorder.ts).
 */
export type DocSpacePort = Pick<DocSpaceClient, 'request'>;

export class DocSpaceClient {
  /** Requests sent by this client: the number an operator sees in the log line of an event. */
  calls = 0;
  private readonly basePath: string;
  private readonly pool: DocSpacePool;

  constructor(private readonly options: DocSpaceClientOptions) {
    this.basePath = new URL(options.baseUrl).pathname.replace(/\/+$/, '');
    this.pool = options.pool;
  }

  /**
   * Sends a request, retrying what is safe to retry while the invocation has time: reads after any passing
   * failure, writes only after a refusal at the door (429/503), since a write that failed otherwise may have been
   * applied (the sync rule re-reads and decides again instead). A 401 re-reads the key once (rotation).
   */
  async request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, options: RequestOptions<T>): Promise<T> {
    let key = await this.options.apiKey(false);
    let refreshedKey = false;
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.send(method, path, options, key);
      } catch (error) {
        if (!(error instanceof DocSpaceError)) throw error;
        if (error.status === 401 && !refreshedKey) {
          // The key may have been rotated since this container cached it: fetch it again, and try once more.
          key = await this.options.apiKey(true);
          refreshedKey = true;
          continue;
        }
        if (!error.retryable || (method !== 'GET' && !error.certainlyNotApplied)) throw error;
        const backoff = this.options.backoff ?? DEFAULT_BACKOFF;
        let delay = backoffDelayMs(attempt, error.serverRetryAfterSeconds, backoff);
        // The window's reset, when DocSpace gave it, is when capacity returns: never later than Retry-After said.
        if (error.resetInMs !== undefined) delay = Math.min(delay, error.resetInMs + Math.floor(Math.random() * backoff.baseMs));
        if (!this.hasTimeFor(delay)) throw error;
        countDocSpaceRetry();
        await (this.options.sleep ?? sleep)(delay);
      }
    }
  }

  /** Whether a wait of `delayMs` still leaves time for one more request and the answer. */
  hasTimeFor(delayMs: number): boolean {
    const remaining = this.options.remainingMs?.() ?? 0;
    return remaining - delayMs > (this.options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS) / 4 + ANSWER_MARGIN_MS;
  }

  /** A request never outlives the invocation: its timeout shrinks to the time left (but stays above zero). */
  private timeoutMs(configured: number): number {
    const remaining = this.options.remainingMs?.();
    return remaining === undefined ? configured : Math.max(100, Math.min(configured, remaining - ANSWER_MARGIN_MS));
  }

  private async send<T>(method: string, path: string, options: RequestOptions<T>, key: string): Promise<T> {
    const query = options.query ? `?${new URLSearchParams(options.query).toString()}` : '';
    const fullPath = `${this.basePath}/${path}${query}`;
    this.calls += 1;
    const startedAt = performance.now();
    let status: number;
    let headers: Record<string, string | string[] | undefined>;
    let text: string;
    try {
      const res = await (await this.pool()).request({
        method: method as 'GET',
        path: fullPath,
        headers: {
          authorization: `Bearer ${key}`,
          accept: 'application/json',
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        headersTimeout: this.timeoutMs(this.options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS),
        bodyTimeout: this.timeoutMs(this.options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS),
      });
      status = res.statusCode;
      headers = res.headers;
      text = await res.body.text();
    } catch (error) {
      recordDocSpaceRequest(performance.now() - startedAt, true);
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new DocSpaceError(0, `no answer from DocSpace (${reason})`, method, path);
    }

    recordDocSpaceRequest(performance.now() - startedAt, isTransientStatus(status));
    let body: unknown = null;
    if (text.length > 0) {
      try {
        body = JSON.parse(text);
      } catch {
        // Proxies answer 502/503 with HTML, and the API-key handler may answer 401 with no JSON at all.
        body = null;
      }
    }
    const envelope: Envelope = isObject(body) ? body : {};
    const failedInside = envelope.status === 1 || envelope.error !== undefined;
    if (status < 200 || status >= 300 || failedInside) {
      const effective = status >= 200 && status < 300 ? (envelope.statusCode ?? 400) : status;
      const error = new DocSpaceError(effective, messageOf(body, effective), method, path, retryAfterFromHeaders(headers));
      const resetInMs = rateLimitResetInMs(headers);
      if (resetInMs !== undefined) error.resetInMs = resetInMs;
      throw error;
    }
    // `DELETE group/{id}` answers NoContent(): 204 with no body and no envelope (docs/docspace-caveats.md#groups).
    if (status === 204 && text.length === 0) {
      const empty = options.schema.safeParse(undefined);
      if (empty.success) return empty.data;
    }
    if (!isObject(body)) {
      throw new DocSpaceError(502, 'DocSpace answered 2xx without a JSON envelope', method, path);
    }
    const parsed = options.schema.safeParse(envelope.response);
    if (!parsed.success) {
      throw new DocSpaceError(502, `unexpected DocSpace response: ${parsed.error.issues[0]?.message ?? 'invalid'}`, method, path);
    }
    options.onTotal?.(typeof body.total === 'number' ? body.total : undefined);
    return parsed.data;
  }
}
