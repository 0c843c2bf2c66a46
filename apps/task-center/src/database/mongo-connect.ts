import { createConnection } from 'mongoose';
import { type AppConfig } from '../config';

const ATTEMPT_TIMEOUT_MS = 2000;

/** The URI and driver options of the one connection (also used to reopen it). */
export function connectionOptions(config: AppConfig) {
  const timeoutMs = Math.min(ATTEMPT_TIMEOUT_MS, config.startupTimeoutMs);
  return { uri: config.mongo.uri, options: { serverSelectionTimeoutMS: timeoutMs } };
}

/** Connects a new client, pings, closes it: whether the server answers right now. */
export async function ping(uri: string, timeoutMs: number): Promise<void> {
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
