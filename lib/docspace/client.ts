/**
 * Transport to the DocSpace API: the service's HTTP client (lib/net/http.ts: one keep-alive undici pool per origin and
 * container, its answers capped), Bearer API key, bounded timeouts, the retry policy (lib/net/retry.ts), the
 * `{response, status, statusCode}` envelope unwrapped, and every failure turned into a DocSpaceError. It knows
 * nothing of senders or sync rules.
 */
import type { z } from 'zod';
import { BodyTooLargeError, openHttpClient, type Headers, type HttpClient } from '../net/http';
import { Retries, retrying, serverWaitMs, type RetryClock, type RetryPolicy } from '../net/retry';
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
  remainingMs: () => number;
  clock: RetryClock;
  /** Attempts and backoff of one request (DOCSPACE_RETRY unless a test says otherwise). */
  retry?: RetryPolicy;
}

/**
 * One request: five attempts at most, the first retry within 100 ms, then up to 0.2, 0.4 and 0.8 s (5 s at most), or
 * what DocSpace asked for (a 429's `Retry-After` or window reset) — whatever of it the invocation has time for.
 */
const DOCSPACE_RETRY: RetryPolicy = { attempts: 5, baseMs: 100, capMs: 5_000 };

/** Kept back from the invocation's time for answering after the last try. */
const ANSWER_MARGIN_MS = 1_000;

/**
 * The most of an answer this client reads. DocSpace's largest answers are list pages (100 profiles: a few hundred
 * KiB); anything past 4 MiB is not an API answer (a proxy's page, a file), and would only cost the function memory.
 */
const DOCSPACE_MAX_BODY_BYTES = 4 * 1024 * 1024;

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
export type DocSpacePool = HttpClient;

/**
 * The keep-alive pool to DocSpace. The composition root opens one per container and hands it to every client, so
 * a warm container opens its TCP (and TLS) connection once; undici itself is loaded on the first request.
 */
export function openDocSpacePool(baseUrl: string, connections = 1): DocSpacePool {
  return openHttpClient({ url: baseUrl, connections, maxBodyBytes: DOCSPACE_MAX_BODY_BYTES });
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
   * Sends a request, retrying what is safe to retry while the policy and the invocation allow: reads after any
   * passing failure, writes only after a refusal at the door (429/503), since a write that failed otherwise may have
   * been applied (the sync rule re-reads and decides again instead). A 401 re-reads the key once (rotation).
   */
  async request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, options: RequestOptions<T>): Promise<T> {
    let key = await this.options.apiKey(false);
    let refreshedKey = false;
    const attempt = async (): Promise<T> => {
      try {
        return await this.send(method, path, options, key);
      } catch (error) {
        if (!(error instanceof DocSpaceError) || error.status !== 401 || refreshedKey) throw error;
        // The key may have been rotated since this container cached it: fetch it again, and try once more.
        key = await this.options.apiKey(true);
        refreshedKey = true;
        return await this.send(method, path, options, key);
      }
    };
    return retrying(attempt, {
      policy: this.options.retry ?? DOCSPACE_RETRY,
      ...this.timing(),
      judge: (error) =>
        error instanceof DocSpaceError && error.retryable && (method === 'GET' || error.certainlyNotApplied)
          ? { retry: true, ...(error.serverWaitMs === undefined ? {} : { serverWaitMs: error.serverWaitMs }) }
          : { retry: false },
      onRetry: () => countDocSpaceRetry(),
    });
  }

  /**
   * Retries of something larger than one request (a sync rule run again after an ambiguous write) on this client's
   * clock and deadline: a wait must leave time for one more request and the answer.
   */
  retries(policy: RetryPolicy): Retries {
    return new Retries(policy, this.timing());
  }

  private timing() {
    return {
      clock: this.options.clock,
      remainingMs: this.options.remainingMs,
      reserveMs: (this.options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS) / 4 + ANSWER_MARGIN_MS,
    };
  }

  /** A request never outlives the invocation: its timeout shrinks to the time left (but stays above zero). */
  private timeoutMs(configured: number): number {
    return Math.max(100, Math.min(configured, this.options.remainingMs() - ANSWER_MARGIN_MS));
  }

  private async send<T>(method: string, path: string, options: RequestOptions<T>, key: string): Promise<T> {
    const query = options.query ? `?${new URLSearchParams(options.query).toString()}` : '';
    const fullPath = `${this.basePath}/${path}${query}`;
    this.calls += 1;
    const startedAt = performance.now();
    let status: number;
    let headers: Headers;
    let text: string;
    try {
      ({ status, headers, text } = await this.pool.send({
        method: method as 'GET',
        path: fullPath,
        headers: {
          authorization: `Bearer ${key}`,
          accept: 'application/json',
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        headersTimeoutMs: this.timeoutMs(this.options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS),
        bodyTimeoutMs: this.timeoutMs(this.options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS),
      }));
    } catch (error) {
      recordDocSpaceRequest(performance.now() - startedAt, true);
      // Too large to read: asking again brings the same answer (a 5xx's page aside, which passes with time).
      if (error instanceof BodyTooLargeError) throw new DocSpaceError(error.status, `DocSpace sent ${error.message}`, method, path);
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
      throw new DocSpaceError(effective, messageOf(body, effective), method, path, serverWaitMs(headers, this.options.clock.now()));
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
