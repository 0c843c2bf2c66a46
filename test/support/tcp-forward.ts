import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP forwarder in the test process: accepts on a listen address (e.g. a service address
 * that network-namespaced hosts reach) and pipes every connection to `target` (a server that
 * listens on 127.0.0.1 only, like the stack's MongoDB-wire server).
 */
export class TcpForwarder {
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;

  private constructor(target: { host: string; port: number }) {
    this.server = createServer((client) => {
      const upstream = createConnection(target);
      this.track(client);
      this.track(upstream);
      // Either side failing ends both, as the loss of a real server's connection would.
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
    });
  }

  static async start(
    listen: { host: string; port?: number },
    target: { host: string; port: number },
  ): Promise<TcpForwarder> {
    const forwarder = new TcpForwarder(target);
    await new Promise<void>((resolve, reject) => {
      forwarder.server.once('error', reject);
      forwarder.server.listen(listen.port ?? 0, listen.host, () => resolve());
    });
    return forwarder;
  }

  /** The address it accepts on, `host:port`. */
  get address(): string {
    const address = this.server.address();
    if (typeof address !== 'object' || !address) throw new Error('forwarder is not listening');
    return `${address.address}:${address.port}`;
  }

  /** Stops accepting and drops every open connection. */
  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }
}
