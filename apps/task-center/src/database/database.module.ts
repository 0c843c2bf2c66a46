import { Logger, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { createConnection } from 'mongoose';
import { APP_CONFIG, type AppConfig } from '../config';
import { retryUntil } from '../startup/retry-until';

const ATTEMPT_TIMEOUT_MS = 2000;

/**
 * The one MongoDB connection. Reachability is probed first, with our own retry loop,
 * so a database that is down at startup gives one readable line per attempt and a
 * clear final error instead of the driver's topology dump.
 */
@Module({
  imports: [
    MongooseModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: async (config: AppConfig) => {
        const { uri } = config.mongo;
        const timeoutMs = Math.min(ATTEMPT_TIMEOUT_MS, config.startupTimeoutMs);
        await retryUntil(() => ping(uri, timeoutMs), {
          what: `mongodb: connecting to ${redact(uri)}`,
          deadlineMs: config.startupTimeoutMs,
          logger: new Logger('Database'),
        });
        return { uri, serverSelectionTimeoutMS: timeoutMs, retryAttempts: 0 };
      },
    }),
  ],
})
export class DatabaseModule {}

async function ping(uri: string, timeoutMs: number): Promise<void> {
  const conn = createConnection(uri, {
    serverSelectionTimeoutMS: timeoutMs,
    connectTimeoutMS: timeoutMs,
  });
  try {
    await conn.asPromise();
    await conn.db?.admin().ping();
  } finally {
    await conn.close().catch(() => undefined);
  }
}

/** Hides the password of a connection string for log lines. */
export function redact(uri: string): string {
  return uri.replace(/\/\/([^:/@]+):([^@]+)@/, '//$1:***@');
}
