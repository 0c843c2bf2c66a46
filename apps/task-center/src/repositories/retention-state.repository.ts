/**
 * The `retention_state` collection: one small document per purged collection, the purge's
 * cursor. Written by the replica holding shard 0 only; two holders during a handover each
 * save a bucket they purged up to, so a cursor never claims a bucket nobody deleted.
 */
export abstract class RetentionStateRepository {
  /** The last bucket purged for `stream`, null before its first purge. */
  abstract cursor(stream: string): Promise<number | null>;
  abstract saveCursor(stream: string, cursor: number, now: number): Promise<void>;
}
