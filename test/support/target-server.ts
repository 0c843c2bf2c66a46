import {
  createServer,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import { type AddressInfo } from 'node:net';

/** One request as the server saw it, with the time it arrived (epoch ms). */
export interface ReceivedRequest {
  at: number;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** When the answer was written (epoch ms); absent while the request waits or hangs. */
  answeredAt?: number;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Wait this long before answering. */
  delayMs?: number;
}

/** `hang`: accept the request and never answer (until the server closes). */
export type Responder = (req: ReceivedRequest, n: number) => Reply | 'hang';

/**
 * A real HTTP server on loopback that records every request and connection; what it answers
 * is up to the test (by default 204 at once).
 */
export class TargetServer {
  readonly requests: ReceivedRequest[] = [];
  connections = 0;
  private readonly hanging = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    private respond: Responder,
    /** The loopback address it listens on: `127.0.0.1` or `::1`. */
    readonly host: string,
  ) {}

  static async start(
    respond: Responder = () => ({ status: 204 }),
    host = '127.0.0.1',
  ): Promise<TargetServer> {
    const server = createServer();
    const target = new TargetServer(server, respond, host);
    server.on('connection', () => target.connections++);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const received: ReceivedRequest = {
          at: Date.now(),
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks),
        };
        target.requests.push(received);
        const reply = target.respond(received, target.requests.length);
        if (reply === 'hang') {
          target.hanging.add(res);
          return;
        }
        const send = () => {
          received.answeredAt = Date.now();
          res.writeHead(reply.status, reply.headers ?? {});
          res.end(reply.body ?? '');
        };
        if (reply.delayMs) setTimeout(send, reply.delayMs);
        else send();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    return target;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  url(path = '/'): string {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    return `http://${host}:${this.port}${path}`;
  }

  /** Requests whose path starts with `path`. */
  to(path: string): ReceivedRequest[] {
    return this.requests.filter((r) => r.path.startsWith(path));
  }

  answer(respond: Responder): void {
    this.respond = respond;
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
