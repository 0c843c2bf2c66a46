/**
 * Largest number of statements sent in one `update` command. FerretDB v1.24 keeps every
 * statement's read cursor, and the pooled SQLite connection under it, open until the whole
 * command ends (`defer closer.Close()` inside its per-statement loop, msg_update.go), and its
 * pool has 100 connections on SQLite, 50 on PostgreSQL (`pool_max_conns`): one command of that
 * many statements, or concurrent commands adding up to it, wait for a connection forever. Small chunks, sent one after another,
 * keep every writer of this process far below the limit.
 */
export const MAX_BULK_OPS = 16;
