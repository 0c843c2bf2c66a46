import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { type Connection } from 'mongoose';

/** Called with the error, or with nothing when the connection was lost. */
export type ConnectionTroubleListener = (err?: unknown) => void;

/**
 * Errors and losses of the one MongoDB connection, for layers above that count them (the
 * metrics) without knowing about the driver.
 */
@Injectable()
export class ConnectionEvents implements OnModuleDestroy {
  private readonly detach: (() => void)[] = [];

  constructor(@InjectConnection() private readonly connection: Connection) {}

  onTrouble(listener: ConnectionTroubleListener): void {
    const onError = (err: unknown) => listener(err);
    const onLost = () => listener();
    this.connection.on('error', onError);
    this.connection.on('disconnected', onLost);
    this.detach.push(() => {
      this.connection.off('error', onError);
      this.connection.off('disconnected', onLost);
    });
  }

  onModuleDestroy(): void {
    for (const detach of this.detach.splice(0)) detach();
  }
}
