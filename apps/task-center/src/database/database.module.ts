import { Logger, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { APP_CONFIG, type AppConfig } from '../config';
import { retryUntil } from '../startup/retry-until';
import { ConnectionEvents } from './connection-events';
import { ConnectionWatchdog } from './connection-watchdog';
import { DatabaseFlavor } from './database-flavor';
import { FerretdbIndexCheck } from './ferretdb/index-check';
import { TaskWriteLocks } from './ferretdb/task-write-locks';
import { connectionOptions, ping } from './mongo-connect';

/**
 * The one MongoDB connection. Reachability is probed first, with our own retry loop,
 * so a database that is down at startup gives one readable line per attempt and a
 * clear final error instead of the driver's topology dump. Everything FerretDB-specific
 * (which server this is, the task write locks, the index hint) sits behind `ferretdb/` and
 * {@link DatabaseFlavor}.
 */
@Module({
  imports: [
    MongooseModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: async (config: AppConfig) => {
        const { uri, options } = connectionOptions(config);
        await retryUntil(() => ping(uri, options.serverSelectionTimeoutMS), {
          what: `mongodb: connecting to ${redact(uri)}`,
          deadlineMs: config.startupTimeoutMs,
          logger: new Logger('Database'),
        });
        return { uri, ...options, retryAttempts: 0 };
      },
    }),
  ],
  providers: [
    ConnectionWatchdog,
    ConnectionEvents,
    FerretdbIndexCheck,
    DatabaseFlavor,
    TaskWriteLocks,
  ],
  exports: [ConnectionEvents, DatabaseFlavor, TaskWriteLocks],
})
export class DatabaseModule {}

/** Hides the password of a connection string for log lines. */
export function redact(uri: string): string {
  return uri.replace(/\/\/([^:/@]+):([^@]+)@/, '//$1:***@');
}
