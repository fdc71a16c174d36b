/**
 * One HTTP request with `node:http(s)` on a keep-alive agent per protocol, body read whole: what lib/aws/awsJson.ts
 * signs its AWS calls over, and nothing else now — DocSpace and the senders' APIs use the service's HTTP client
 * (lib/net/http.ts). It goes with awsJson.ts when the SDK clients replace it.
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
