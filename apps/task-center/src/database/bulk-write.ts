/**
 * Largest number of statements sent in one `update` command. FerretDB v1.24 keeps every
 * statement's read cursor, and the pooled SQLite connection under it, open until the whole
 * command ends (`defer closer.Close()` inside its per-statement loop, msg_update.go), and its
 * pool has 100 connections on SQLite, 50 on PostgreSQL (`pool_max_conns`): one command of that
 * many statements, or concurrent commands adding up to it, wait for a connection forever. Small chunks, sent one after another,
 * keep every writer of this process far below the limit.
 */
export const MAX_BULK_OPS = 16;

/** Sums of the counts the callers look at, over every chunk. */
export interface BulkResult {
  matchedCount: number;
  modifiedCount: number;
}

/**
 * Runs `write` (an unordered `bulkWrite`) over `ops` in chunks of at most `MAX_BULK_OPS`
 * statements, one chunk at a time.
 */
export async function chunkedBulkWrite<Op>(
  ops: Op[],
  write: (chunk: Op[]) => Promise<BulkResult>,
): Promise<BulkResult> {
  const total: BulkResult = { matchedCount: 0, modifiedCount: 0 };
  for (let i = 0; i < ops.length; i += MAX_BULK_OPS) {
    const result = await write(ops.slice(i, i + MAX_BULK_OPS));
    total.matchedCount += result.matchedCount;
    total.modifiedCount += result.modifiedCount;
  }
  return total;
}
