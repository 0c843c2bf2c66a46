/** Width of a due-time bucket: one bucket per shard per second is read by equality. */
export const BUCKET_MS = 1000;

export const bucketOf = (at: number): number => Math.floor(at / BUCKET_MS);

/**
 * A read-ahead further behind than this many buckets (a stall, an outage) is caught up with
 * one range query rather than one lookup per bucket.
 */
export const MAX_BUCKET_GAP = 10;

/** Where due items come from: a collection keyed by shard and due second. */
export interface DueSource<T> {
  /** Items of one shard due in one bucket (an equality lookup, cheap at any size). */
  inSlot(shard: number, bucket: number): Promise<T[]>;
  /** Items of one shard due by `until` (ms), earliest first, at most `limit` (a range; rare). */
  dueBy(shard: number, until: number, limit: number): Promise<T[]>;
}

interface ShardCursor {
  /** Last bucket of this shard whose items were handed over; -1: catch up first. */
  loadedUntil: number;
  /**
   * Bumped by `reread`. A read that started before the bump must not mark buckets loaded:
   * the items it missed are due in buckets it already passed.
   */
  resets: number;
}

/**
 * The due-time engine: for each tracked shard, reads what falls due ahead of time, one
 * bucket (second) at a time, with a catch-up range query when a shard is new or the reader
 * fell behind. Task fires and run timers both use it; what is done with the items read is
 * the caller's (`take`), and so is how many may be held (`room`, bounding memory).
 */
export class ShardReadAhead<T> {
  private readonly cursors = new Map<number, ShardCursor>();

  constructor(
    private readonly source: DueSource<T>,
    private readonly readAheadMs: number,
  ) {}

  /** Last bucket a read started now covers. */
  horizon(now = Date.now()): number {
    return bucketOf(now + this.readAheadMs);
  }

  /** Starts reading a shard: everything already due is caught up first. */
  track(shard: number): void {
    this.cursors.set(shard, { loadedUntil: -1, resets: 0 });
  }

  untrack(shard: number): void {
    this.cursors.delete(shard);
  }

  tracks(shard: number): boolean {
    return this.cursors.has(shard);
  }

  /** The tracked shards, live: a shard tracked while a pass iterates is visited too. */
  shards(): IterableIterator<number> {
    return this.cursors.keys();
  }

  /** Sends a shard back to catch-up: items of it were dropped and must be read again. */
  reread(shard: number): void {
    const cursor = this.cursors.get(shard);
    if (!cursor) return;
    cursor.loadedUntil = -1;
    cursor.resets++;
  }

  /**
   * Whether an item of `shard` due at `dueAt` is the holder's to keep in memory: it is due
   * by the last bucket read or by the horizon. One due later is left to a later read, which
   * must then find it in the database (see the dispatcher's write order).
   */
  covers(shard: number, dueAt: number, now = Date.now()): boolean {
    const cursor = this.cursors.get(shard);
    return (
      cursor !== undefined && bucketOf(dueAt) <= Math.max(cursor.loadedUntil, this.horizon(now))
    );
  }

  /** Whether the next read of the shard is a catch-up (new, reread, or too far behind). */
  catchingUp(shard: number, horizon: number): boolean {
    const cursor = this.cursors.get(shard);
    return (
      cursor !== undefined &&
      (cursor.loadedUntil < 0 || horizon - cursor.loadedUntil > MAX_BUCKET_GAP)
    );
  }

  /**
   * Reads one shard up to `horizon`: the buckets not read yet one by one, or, when the shard
   * is new or more than MAX_BUCKET_GAP buckets behind, one catch-up of at most `room` items.
   */
  async read(shard: number, horizon: number, room: number, take: (items: T[]) => void) {
    const cursor = this.cursors.get(shard);
    if (!cursor) return;
    if (this.catchingUp(shard, horizon)) return this.catchUp(shard, horizon, room, take);
    while (cursor.loadedUntil < horizon && this.cursors.get(shard) === cursor) {
      const bucket = cursor.loadedUntil + 1;
      const resets = cursor.resets;
      const items = await this.source.inSlot(shard, bucket);
      if (cursor.resets !== resets) return; // caught up on the next read instead
      cursor.loadedUntil = bucket;
      take(items);
    }
  }

  /**
   * Everything of the shard due by `horizon` (a range query), at most `room` items. A full
   * page means more is due than fits: the shard stays in catch-up until the backlog drains.
   */
  async catchUp(shard: number, horizon: number, room: number, take: (items: T[]) => void) {
    const cursor = this.cursors.get(shard);
    if (!cursor || room <= 0) return;
    const resets = cursor.resets;
    const items = await this.source.dueBy(shard, (horizon + 1) * BUCKET_MS - 1, room);
    if (this.cursors.get(shard) !== cursor || cursor.resets !== resets) return;
    cursor.loadedUntil = horizon;
    take(items);
    if (items.length >= room) cursor.loadedUntil = -1;
  }
}
