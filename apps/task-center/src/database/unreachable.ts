import { mongo } from 'mongoose';

/**
 * Whether an error says the database could not be reached (no server selected, the
 * connection dropped or is being reopened by the watchdog), rather than anything about the
 * request: the API answers those with 503, to be retried, instead of a 500.
 */
export function isDatabaseUnreachable(err: unknown): boolean {
  return (
    err instanceof mongo.MongoNetworkError ||
    err instanceof mongo.MongoServerSelectionError ||
    err instanceof mongo.MongoNotConnectedError ||
    err instanceof mongo.MongoTopologyClosedError ||
    // Not exported by the driver: a connection checked out of a pool the watchdog closed.
    (err instanceof mongo.MongoError && err.name === 'MongoPoolClosedError')
  );
}
