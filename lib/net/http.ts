/**
 * The service's one HTTP client, for DocSpace and the senders' APIs: a keep-alive undici pool per origin and
 * container, loaded on the first request (a door that only verifies and enqueues never pays for it: about 40 ms of a
 * cold start), bounded timeouts, and a cap on the answer's body so that a runaway answer fails with an error that
 * names the cap instead of exhausting the function's memory. Redirects are not followed: a 3xx is an answer like any
 * other. What an answer means, and whether to try again (lib/net/retry.ts), is the caller's.
 */
import type { Dispatcher, Pool } from 'undici';

export type Headers = Record<string, string | string[] | undefined>;

export interface HttpAnswer {
  status: number;
  headers: Headers;
  /** The body, UTF-8. */
  text: string;
}

interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path and query on the client's origin. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Longest wait for the answer's headers, and between two parts of its body (undici's timeouts). */
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  /** The whole exchange, headers and body, within this (an AbortSignal timeout); none when absent. */
  totalTimeoutMs?: number;
  /** This answer's cap, when it is not the client's (a sender's roster against its single records). */
  maxBodyBytes?: number;
}

/** The answer's body was longer than the client reads. */
export class BodyTooLargeError extends Error {
  constructor(
    readonly status: number,
    readonly limitBytes: number,
  ) {
    super(`an answer (HTTP ${status}) larger than the ${formatBytes(limitBytes)} this client reads`);
    this.name = 'BodyTooLargeError';
  }
}

const formatBytes = (bytes: number): string =>
  bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`;

export interface HttpClientOptions {
  /** Any URL of the origin: only its origin is used. */
  url: string;
  /** The most bytes of an answer's body this client reads (unless a request says otherwise). */
  maxBodyBytes: number;
  connections?: number;
  connectTimeoutMs?: number;
}

/** The container's pool to one origin, opened on the first request. */
export interface HttpClient {
  readonly origin: string;
  /** Sends the request and reads the whole answer; rejects when no whole answer came (network, timeout) or it was too large. */
  send(request: HttpRequest): Promise<HttpAnswer>;
  /** Closes the pool if it was opened. */
  close(): Promise<void>;
}

export function openHttpClient({ url, maxBodyBytes, connections = 1, connectTimeoutMs = 3_000 }: HttpClientOptions): HttpClient {
  const origin = new URL(url).origin;
  let pool: Promise<Pool> | undefined;
  const open = () =>
    (pool ??= import('undici').then(
      ({ Pool: UndiciPool }) => new UndiciPool(origin, { connections, keepAliveTimeout: 30_000, connect: { timeout: connectTimeoutMs } }),
    ));
  return {
    origin,
    async send(request) {
      const answer = await (
        await open()
      ).request({
        method: request.method,
        path: request.path,
        headers: request.headers,
        body: request.body ?? null,
        headersTimeout: request.headersTimeoutMs,
        bodyTimeout: request.bodyTimeoutMs,
        ...(request.totalTimeoutMs === undefined ? {} : { signal: AbortSignal.timeout(request.totalTimeoutMs) }),
      });
      return { status: answer.statusCode, headers: answer.headers, text: await readCapped(answer, request.maxBodyBytes ?? maxBodyBytes) };
    },
    close: async () => void (pool && (await (await pool).close())),
  };
}

/** The body as text, or BodyTooLargeError (the rest left unread, the connection dropped) past `limit` bytes. */
async function readCapped(answer: Dispatcher.ResponseData, limit: number): Promise<string> {
  const declared = Number(answer.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    discard(answer.body);
    throw new BodyTooLargeError(answer.statusCode, limit);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of answer.body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      discard(answer.body);
      throw new BodyTooLargeError(answer.statusCode, limit);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

/** Leaves the rest unread: the stream destroyed (undici drops the connection), its abort error expected, not thrown. */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => undefined);
  body.destroy();
}
