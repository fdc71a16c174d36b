/**
 * One HTTP request with `node:http(s)` on a keep-alive agent per protocol, body read whole: for the few requests a
 * door makes (an AWS call, a sender API read). Node's own `fetch` would cost a cold start about 30 ms of CPU to load
 * on its first request, undici from the bundle more (README, Benchmark (b)); DocSpace, with many requests per
 * invocation, keeps its undici pool. Redirects are not followed: a 3xx is an answer like any other.
 */
import type { Agent, IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/** The agents, made on first use: `node:https` (TLS) is not even loaded where only http is used (the local stack). */
const transports = new Map<string, { agent: Agent; request: typeof import('node:http').request }>();
function transport(protocol: string) {
  let t = transports.get(protocol);
  if (!t) {
    // getBuiltinModule: a plain synchronous load (an ES `import()` of node:http would also load Node's own fetch).
    const mod = protocol === 'https:' ? process.getBuiltinModule('node:https') : process.getBuiltinModule('node:http');
    t = { agent: new mod.Agent({ keepAlive: true }), request: mod.request };
    transports.set(protocol, t);
  }
  return t;
}

/** Sends the request and reads the answer; rejects on a network error or when there is no whole answer in `timeoutMs`. */
export function request(url: URL, options: { method: string; headers: OutgoingHttpHeaders; body?: string; timeoutMs: number }): Promise<Answer> {
  const { agent, request: send } = transport(url.protocol);
  return new Promise((resolve, reject) => {
    const req = send(url, { method: options.method, headers: options.headers, agent, signal: AbortSignal.timeout(options.timeoutMs) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}
