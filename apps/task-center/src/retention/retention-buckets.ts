/**
 * Retention buckets, pure (no clock reads: instants are passed in). Every document of a
 * collection that grows with time carries `rb`, the start (epoch ms) of the bucket of the
 * instant its retention counts from; the purge deletes one bucket per statement by equality
 * (`{rb: <start>}`), the one kind of filter FerretDB v1 serves from an index.
 *
 * `rb` is a bucket's start in ms rather than its number, so documents written under another
 * RETENTION_BUCKET_S keep a meaning: a smaller size that divides the old one still visits
 * every old bucket.
 */

/** The start (epoch ms) of the bucket of width `bucketMs` that holds `instant`. */
export function bucketOf(instant: number, bucketMs: number): number {
  return Math.floor(instant / bucketMs) * bucketMs;
}

/**
 * The newest bucket whose every instant is older than `now - retentionMs`: the last one a
 * purge at `now` may delete (a bucket goes whole, never while part of it is still kept).
 */
export function cutoffBucket(now: number, retentionMs: number, bucketMs: number): number {
  return bucketOf(now - retentionMs, bucketMs) - bucketMs;
}

/**
 * How many buckets past the purge's reach a late history record is placed: a write computed
 * just before the cutoff moves still lands at least this many buckets minus one before its
 * bucket can be purged.
 */
export const LATE_MARGIN_BUCKETS = 3;

/**
 * The bucket of a fire's records (every attempt and every run event of the fire): the bucket of
 * its scheduled time, so that a fire and its outcomes are always purged by the same statement
 * pair and a fire is never shown with part of its history. A record written so late that this
 * bucket may already be purged (a redrive days later, a long paused catch-up, a retry policy
 * longer than the retention) goes to the first bucket the purge cannot have reached:
 * otherwise it would sit behind the purge's cursor forever.
 */
export function historyBucket(
  scheduledAt: number,
  writtenAt: number,
  historyMs: number,
  bucketMs: number,
): number {
  const reachable = cutoffBucket(writtenAt, historyMs, bucketMs);
  return Math.max(bucketOf(scheduledAt, bucketMs), reachable + LATE_MARGIN_BUCKETS * bucketMs);
}

/**
 * Where the purge of a collection starts when it has no cursor yet: just before the oldest
 * bucket stored (`oldest`, null when none), or at the cutoff when nothing older is stored.
 * Records written from now on are never behind it (see historyBucket).
 */
export function firstCursor(oldest: number | null, cutoff: number, bucketMs: number): number {
  return oldest === null ? cutoff : Math.min(cutoff, oldest - bucketMs);
}

/**
 * The buckets to delete after `cursor` (the last bucket purged) up to `cutoff`, oldest first,
 * at most `max`. A cursor left by another bucket size is aligned down first.
 */
export function bucketsToPurge(
  cursor: number,
  cutoff: number,
  bucketMs: number,
  max: number,
): number[] {
  const buckets: number[] = [];
  for (let b = bucketOf(cursor, bucketMs) + bucketMs; b <= cutoff && buckets.length < max;) {
    buckets.push(b);
    b += bucketMs;
  }
  return buckets;
}
