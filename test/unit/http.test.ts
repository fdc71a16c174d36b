/**
 * The one HTTP client (lib/net/http.ts) and its users under the retry policy, against a scripted server on an
 * ephemeral port: the body caps, the attempt cap, the servers' waits and the deadline — on a manual clock.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { DocSpaceClient, openDocSpacePool } from '../../lib/docspace/client';
import { DocSpaceError } from '../../lib/docspace/errors';
import { BodyTooLargeError, openHttpClient } from '../../lib/net/http';
import { apiAuth, openSenderApi, senderPools } from '../../lib/senders/kit/api';
import { manualClock } from '../../lib/store/memory';

type Reply = { status: number; headers?: Record<string, string>; body?: string | Buffer; chunked?: boolean };
let script: ((req: IncomingMessage) => Reply)[] = [];
let seen: string[] = [];
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      seen.push(`${req.method} ${req.url}`);
      const reply: Reply = (script.shift() ?? (() => ({ status: 500, body: 'unscripted' })))(req);
      const body = reply.body ?? '';
      // Chunked: no Content-Length, so the cap is met while reading.
      res.writeHead(reply.status, { ...(reply.chunked ? {} : { 'content-length': String(Buffer.byteLength(body)) }), ...reply.headers });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  script = [];
  seen = [];
});

const json = (value: unknown, headers: Record<string, string> = {}): Reply => ({
  status: 200,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(value),
});
const times = (n: number, reply: Reply) => Array.from({ length: n }, () => () => reply);

describe('the HTTP client', () => {
  it('reads a body up to its cap, and fails past it with an error naming the cap (declared or streamed)', async () => {
    const client = openHttpClient({ url, maxBodyBytes: 1024 });
    const request = { method: 'GET' as const, path: '/x', headers: {}, headersTimeoutMs: 2_000, bodyTimeoutMs: 2_000 };
    script = [
      () => ({ status: 200, body: 'a'.repeat(1024) }),
      () => ({ status: 200, body: 'a'.repeat(1025) }),
      () => ({ status: 200, body: 'a'.repeat(5000), chunked: true }),
    ];
    expect((await client.send(request)).text).toHaveLength(1024);
    await expect(client.send(request)).rejects.toThrow(new BodyTooLargeError(200, 1024));
    await expect(client.send(request)).rejects.toThrow('an answer (HTTP 200) larger than the 1 KiB this client reads');
    // A request may ask for a larger cap than the client's.
    script = [() => ({ status: 200, body: 'a'.repeat(5000), chunked: true })];
    expect((await client.send({ ...request, maxBodyBytes: 8 * 1024 })).text).toHaveLength(5000);
    await client.close();
  });
});

describe('DocSpace under the policy', () => {
  let docspace: ReturnType<typeof openDocSpacePool>;
  beforeAll(() => {
    docspace = openDocSpacePool(url);
  });
  afterAll(() => docspace.close());
  const client = (remainingMs = () => 60_000, clock = manualClock()) =>
    new DocSpaceClient({
      baseUrl: `${url}/`,
      pool: docspace,
      apiKey: async () => 'key',
      remainingMs,
      clock,
      retry: { attempts: 4, baseMs: 100, capMs: 5_000 },
    });

  it('tries a failing read as many times as the cap says, then passes the failure on as unavailable', async () => {
    script = times(4, { status: 502, body: '<html>bad gateway</html>' });
    const error = await client()
      .request('GET', 'api/2.0/people/email', { schema: z.unknown() })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DocSpaceError);
    expect((error as DocSpaceError).outcome).toBe('unavailable');
    expect(seen).toHaveLength(4);
  });

  it("waits out DocSpace's reset to the millisecond, and passes its Retry-After on when the invocation cannot wait", async () => {
    const clock = manualClock();
    const reset = String(Math.ceil((clock.now() + 1_500) / 1000));
    script = [
      () => ({ status: 429, headers: { 'retry-after': '2', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset } }),
      () => json({ response: 'ok' }),
    ];
    const before = clock.now();
    expect(await client(() => 60_000, clock).request('GET', 'api/2.0/x', { schema: z.string() })).toBe('ok');
    expect(clock.now() - before).toBeGreaterThanOrEqual(Number(reset) * 1000 - before);
    expect(clock.now() - before).toBeLessThan(2_000 + 100);

    seen = [];
    script = [() => ({ status: 429, headers: { 'retry-after': '60' } })];
    const error = (await client(() => 5_000)
      .request('POST', 'api/2.0/people', { schema: z.unknown(), body: {} })
      .catch((e: unknown) => e)) as DocSpaceError;
    expect([error.status, error.retryAfterSeconds, seen.length]).toEqual([429, 60, 1]);
  });

  it('refuses an answer past its 4 MiB cap, naming it, and does not ask again', async () => {
    script = times(4, { status: 200, body: Buffer.alloc(4 * 1024 * 1024 + 1, 0x20) });
    const error = (await client()
      .request('GET', 'api/2.0/people/filter', { schema: z.unknown() })
      .catch((e: unknown) => e)) as DocSpaceError;
    expect(error).toBeInstanceOf(DocSpaceError);
    expect(error.message).toBe('DocSpace sent an answer (HTTP 200) larger than the 4 MiB this client reads');
    expect(error.retryable).toBe(false);
    expect(seen).toHaveLength(1);
  });
});

describe("a sender's API under the policy", () => {
  const pools = senderPools();
  afterAll(() => pools(url).close());
  const api = (clock = manualClock()) =>
    openSenderApi({
      sender: 'okta',
      access: apiAuth({ credentials: z.object({ token: z.string() }), authorization: (c) => `SSWS ${c.token}` }),
      baseUrl: url,
      urlSetting: 'OKTA_API_URL',
      credentials: async () => ({ token: 't' }),
      pools,
      clock,
    });

  it('reads a record again after a 429 whose Retry-After is an HTTP-date, counting each request', async () => {
    const clock = manualClock();
    script = [() => ({ status: 429, headers: { 'retry-after': new Date(clock.now() + 2_000).toUTCString() } }), () => json({ id: 'u1' })];
    const reader = await api(clock);
    const before = clock.now();
    expect(await reader.json('GET', '/api/v1/users/u1', z.object({ id: z.string() }))).toEqual({ id: 'u1' });
    expect(reader.calls).toBe(2);
    expect(clock.now() - before).toBeGreaterThanOrEqual(2_000);
  });

  it("answers a webhook's read at once when the wait asked for is past its 5 s, passing the wait on", async () => {
    script = [() => ({ status: 503, headers: { 'retry-after': '60' } })];
    const reader = await api();
    const error = await reader.json('GET', '/v1/employees/1', z.unknown()).catch((e: unknown) => e);
    expect(error).toMatchObject({ outcome: 'unavailable', retryAfterSeconds: 60 });
    expect(reader.calls).toBe(1);
  });

  it("waits for Okta's X-Rate-Limit-Reset between roster pages while the invocation has time", async () => {
    const clock = manualClock();
    const reset = String(Math.ceil(clock.now() / 1000) + 30);
    script = [
      () => ({ status: 429, headers: { 'x-rate-limit-limit': '1', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': reset } }),
      () => json([{ id: 'u1' }], { link: `<${url}/api/v1/users?after=u1>; rel="next"` }),
    ];
    const reader = await api(clock);
    const page = await reader.page('GET', '/api/v1/users?limit=200', z.array(z.object({ id: z.string() })), { remainingMs: () => 600_000 });
    expect(page).toEqual({ data: [{ id: 'u1' }], next: `${url}/api/v1/users?after=u1` });
    expect(clock.now()).toBeGreaterThanOrEqual(Number(reset) * 1000);
    // With less time left than the wait and the run's reserve, the 429 is passed on at once.
    script = [
      () => ({ status: 429, headers: { 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(Math.ceil(clock.now() / 1000) + 30) } }),
    ];
    await expect(reader.page('GET', '/api/v1/users', z.unknown(), { remainingMs: () => 20_000 })).rejects.toMatchObject({
      outcome: 'unavailable',
    });
    expect(reader.calls).toBe(3);
  });

  it('refuses a record past 1 MiB, naming the cap, without asking again; a roster page may be larger', async () => {
    script = [
      () => ({ status: 200, body: `"${'a'.repeat(1024 * 1024)}"` }),
      () => ({ status: 200, body: `"${'a'.repeat(1024 * 1024)}"`, chunked: true }),
    ];
    const reader = await api();
    await expect(reader.json('GET', '/api/v1/users/u1', z.string())).rejects.toMatchObject({
      outcome: 'failed',
      message: 'the okta API sent an answer (HTTP 200) larger than the 1 MiB this client reads (GET /api/v1/users/u1)',
    });
    expect(reader.calls).toBe(1);
    expect((await reader.page('GET', '/api/v1/users', z.string(), { remainingMs: () => 60_000 })).data).toHaveLength(1024 * 1024);
  });
});
