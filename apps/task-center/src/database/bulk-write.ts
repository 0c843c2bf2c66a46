/**
 * Largest number of statements sent in one `update` command. FerretDB v1.24 keeps every
 * statement's read cursor, and the pooled SQLite connection under it, open until the whole
 * command ends (`defer closer.Close()` inside its per-statement loop, msg_update.go), and its
 * pool has 100 connections on SQLite, 50 on PostgreSQL (`pool_max_conns`): one command of that
 * many statements, or concurrent commands adding up to it, wait for a connection forever. Every
 * writer of this process keeps at most this many statements in flight (one chunk of 16, or the
 * dispatcher's two of 8), far below the limit.
 */
export const MAX_BULK_OPS = 16;

/**
 * Runs `fn` over `items`, at most MAX_BULK_OPS at a time, results in the order of `items`. For
 * one-document commands sent side by side, e.g. one `_id` lookup per task: the only filter
 * every FerretDB v1 backend answers from an index (`_id: {$in: [...]}` scans the collection).
 */
export async function inSmallGroups<T, R>(items: T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += MAX_BULK_OPS) {
    out.push(...(await Promise.all(items.slice(i, i + MAX_BULK_OPS).map(fn))));
  }
  return out;
}
