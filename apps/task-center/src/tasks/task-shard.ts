/** Width of a due-time bucket: the dispatcher reads one bucket per shard per second. */
export const BUCKET_MS = 1000;

/** FNV-1a over the id: spreads ObjectIds (sequential counters) evenly over the shards. */
export function shardOf(id: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}

export const bucketOf = (at: number): number => Math.floor(at / BUCKET_MS);

/**
 * The equality key the dispatcher looks tasks up by: "<shard>:<second>". FerretDB pushes
 * equality (never ranges) down to its indexes, so "what is due in this second of this
 * shard" stays proportional to its answer at any collection size.
 */
export function dueSlot(shard: number, dueAt: number | null): string | null {
  return dueAt === null ? null : `${shard}:${bucketOf(dueAt)}`;
}
