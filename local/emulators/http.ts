/** Small pieces shared by the emulators: body reading, JSON answers, start and stop on a loopback port. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { ...(text ? { 'content-type': 'application/json; charset=utf-8' } : {}), ...headers });
  res.end(text);
}

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** A loopback HTTP server that counts the TCP connections it accepts and closes them all on stop. */
class EmulatorServer {
  connections = 0;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(handler: Handler) {
    this.server = createServer((req, res) => {
      handler(req, res).catch((error: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { message: error instanceof Error ? error.message : String(error) });
        else res.destroy();
      });
    });
    this.server.keepAliveTimeout = 60_000;
    this.server.on('connection', (socket: Socket) => {
      this.connections += 1;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    const address = this.server.address() as AddressInfo;
    return `http://${host}:${address.port}`;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** An emulator: a loopback HTTP server around `handle`, started on a given or free port. */
export abstract class HttpEmulator {
  url = '';
  protected readonly server = new EmulatorServer((req, res) => this.handle(req, res));

  protected abstract handle(req: IncomingMessage, res: ServerResponse): Promise<void>;

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    this.url = await this.server.listen(port, host);
    return this.url;
  }

  stop(): Promise<void> {
    return this.server.close();
  }
}
