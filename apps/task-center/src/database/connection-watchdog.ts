import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { type Connection, ConnectionStates } from 'mongoose';
import { APP_CONFIG, type AppConfig } from '../config';
import { connectionOptions, ping } from './mongo-connect';

const CHECK_MS = 1000;
/**
 * Longer than the driver's own recovery ever takes when it works: an operation waiting for
 * the server makes the monitor check at once, and without any it checks every 10 s
 * (heartbeatFrequencyMS).
 */
const STUCK_AFTER_MS = 15_000;

/**
 * Reopens the MongoDB connection when the driver stays disconnected from a server that
 * answers a new client.
 *
 * Why: the driver's server monitor (mongodb 6.x) can hang for good when the server closes
 * every socket at once, as a restart of FerretDB or mongod does. The first operation that
 * sees its socket closed marks the server Unknown and wakes the monitor at once; the monitor
 * writes its heartbeat on its own socket, already destroyed by the same close but not yet
 * flagged closed, and `Connection.writeCommand` then waits for a `drain` that never comes
 * (no error either, and no timeout applies to that wait). No heartbeat completes again, so
 * the server stays Unknown and every operation fails server selection with the first error
 * ("connection N to host closed") until the process restarts. Seen in the MongoDB restart
 * e2e case: `serverHeartbeatStarted` without a succeeded or failed event for over a minute
 * while new clients connected at once.
 */
@Injectable()
export class ConnectionWatchdog implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Database');
  private timer: NodeJS.Timeout | undefined;
  private healthyAt = Date.now();
  private checking = false;

  constructor(
    @InjectConnection() private readonly connection: Connection,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.healthyAt = Date.now();
    this.timer = setInterval(() => void this.check(), CHECK_MS);
    this.timer.unref();
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async check(): Promise<void> {
    if (this.checking) return;
    const now = Date.now();
    if (this.connection.readyState === ConnectionStates.connected) {
      this.healthyAt = now;
      return;
    }
    if (now - this.healthyAt < STUCK_AFTER_MS) return;
    this.checking = true;
    const { uri, options } = connectionOptions(this.config);
    try {
      // Down for real: nothing to do, the driver reconnects by itself once it is back.
      await ping(uri, options.serverSelectionTimeoutMS);
      if (!this.timer) return;
      this.logger.warn(
        `mongodb: disconnected for ${Math.round((now - this.healthyAt) / 1000)}s although the server answers: reopening the connection`,
      );
      await this.connection.close();
      await this.connection.openUri(uri, options);
      this.healthyAt = Date.now();
      this.logger.log('mongodb: connection reopened');
    } catch {
      // The server is down, or reopening failed: look again on the next tick.
    } finally {
      this.checking = false;
    }
  }
}
