import { bucketOf } from '../due-time/shard-read-ahead';

export { BUCKET_MS, bucketOf } from '../due-time/shard-read-ahead';

/** FNV-1a over the id: spreads ObjectIds (sequential counters) evenly over the shards. */
export function shardOf(id: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}

/**
 * The equality key the dispatcher looks tasks up by: "<shard>:<second>". FerretDB pushes
 * equality (never ranges) down to its indexes, so "what is due in this second of this
 * shard" stays proportional to its answer at any collection size.
 */
export function dueSlot(shard: number, dueAt: number | null): string | null {
  return dueAt === null ? null : `${shard}:${bucketOf(dueAt)}`;
}
