/**
 * Transport to the DocSpace API: one keep-alive undici pool per origin and container, Bearer API key, bounded
 * timeouts, the `{response, status, statusCode}` envelope unwrapped, and every failure turned into a DocSpaceError.
 * It knows nothing of senders or sync rules.
 */
import { Pool } from 'undici';
import type { z } from 'zod';
import { DocSpaceError } from './errors';

/** Gives the API key; `refresh` asks for a fresh copy after DocSpace refused the cached one (key rotation). */
export type ApiKeyProvider = (refresh: boolean) => Promise<string>;

export interface DocSpaceClientOptions {
  baseUrl: string;
  apiKey: ApiKeyProvider;
  connectTimeoutMs?: number;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
}

export interface RequestOptions<T> {
  query?: Record<string, string>;
  body?: unknown;
  /** The shape of `response` inside the envelope. */
  schema: z.ZodType<T>;
}

const pools = new Map<string, Pool>();

/** Reused across warm invocations, so a container opens its TCP (and TLS) connection once. */
function poolFor(origin: string, connectTimeoutMs: number): Pool {
  let pool = pools.get(origin);
  if (!pool) {
    pool = new Pool(origin, {
      // A container runs one invocation at a time and its calls are sequential: one connection, kept alive.
      connections: 1,
      keepAliveTimeout: 30_000,
      connect: { timeout: connectTimeoutMs },
    });
    pools.set(origin, pool);
  }
  return pool;
}

/** Closes every pool; for tests and scripts that want the event loop to drain at once. */
export async function closeDocSpacePools(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((p) => p.close()));
}

interface Envelope {
  response?: unknown;
  status?: number;
  statusCode?: number;
  error?: { message?: string };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function retryAfterSeconds(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

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

export class DocSpaceClient {
  /** Requests sent by this client: the number an operator sees in the log line of an event. */
  calls = 0;
  private readonly origin: string;
  private readonly basePath: string;
  private readonly pool: Pool;

  constructor(private readonly options: DocSpaceClientOptions) {
    const url = new URL(options.baseUrl);
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.pool = poolFor(this.origin, options.connectTimeoutMs ?? 3_000);
  }

  async request<T>(method: 'GET' | 'POST' | 'PUT', path: string, options: RequestOptions<T>): Promise<T> {
    const key = await this.options.apiKey(false);
    try {
      return await this.send(method, path, options, key);
    } catch (error) {
      if (!(error instanceof DocSpaceError) || error.status !== 401) throw error;
      // The key may have been rotated since this container cached it: fetch it again, and try once more.
      const fresh = await this.options.apiKey(true);
      return this.send(method, path, options, fresh);
    }
  }

  private async send<T>(method: string, path: string, options: RequestOptions<T>, key: string): Promise<T> {
    const query = options.query ? `?${new URLSearchParams(options.query).toString()}` : '';
    const fullPath = `${this.basePath}/${path}${query}`;
    this.calls += 1;
    let status: number;
    let headers: Record<string, string | string[] | undefined>;
    let text: string;
    try {
      const res = await this.pool.request({
        method: method as 'GET',
        path: fullPath,
        headers: {
          authorization: `Bearer ${key}`,
          accept: 'application/json',
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        headersTimeout: this.options.headersTimeoutMs ?? 10_000,
        bodyTimeout: this.options.bodyTimeoutMs ?? 10_000,
      });
      status = res.statusCode;
      headers = res.headers;
      text = await res.body.text();
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new DocSpaceError(0, `no answer from DocSpace (${reason})`, method, path);
    }

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
      throw new DocSpaceError(effective, messageOf(body, effective), method, path, retryAfterSeconds(headers['retry-after']));
    }
    if (!isObject(body)) {
      throw new DocSpaceError(502, 'DocSpace answered 2xx without a JSON envelope', method, path);
    }
    const parsed = options.schema.safeParse(envelope.response);
    if (!parsed.success) {
      throw new DocSpaceError(502, `unexpected DocSpace response: ${parsed.error.issues[0]?.message ?? 'invalid'}`, method, path);
    }
    return parsed.data;
  }
}
