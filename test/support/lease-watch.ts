import mongoose, { type Connection } from 'mongoose';

/** Who held which shard at one moment, as `dispatch_leases` said (newest epoch per shard). */
export interface LeaseSnapshot {
  at: number;
  /** shard → owner (null: released). */
  owners: Map<number, string | null>;
}

interface LeaseDoc {
  shard: number;
  epoch: number;
  owner: string | null;
  expires_at: number;
}

/**
 * Reads a center database's `dispatch_leases` every `intervalMs` from the test process (a
 * path no partition touches) and keeps every snapshot: the timeline of shard ownership.
 */
export class LeaseWatch {
  readonly snapshots: LeaseSnapshot[] = [];
  private timer: NodeJS.Timeout | undefined;
  private reading = false;

  private constructor(private readonly conn: Connection) {}

  static async start(mongoUri: string, intervalMs = 100): Promise<LeaseWatch> {
    const conn = mongoose.createConnection(mongoUri, { serverSelectionTimeoutMS: 10_000 });
    await conn.asPromise();
    const watch = new LeaseWatch(conn);
    watch.timer = setInterval(() => void watch.read(), intervalMs);
    return watch;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.conn.close().catch(() => undefined);
  }

  private async read(): Promise<void> {
    if (this.reading) return;
    this.reading = true;
    try {
      const docs = await this.conn.collection<LeaseDoc>('dispatch_leases').find({}).toArray();
      const newest = new Map<number, LeaseDoc>();
      for (const d of docs) {
        const seen = newest.get(d.shard);
        if (!seen || seen.epoch < d.epoch) newest.set(d.shard, d);
      }
      this.snapshots.push({
        at: Date.now(),
        owners: new Map([...newest].map(([shard, d]) => [shard, d.owner])),
      });
    } catch {
      // a slow read: the next one fills the timeline
    } finally {
      this.reading = false;
    }
  }
}

/** The shards `owner` held in the last snapshot taken at or before `at`. */
export function shardsHeld(snapshots: LeaseSnapshot[], owner: string, at: number): number[] {
  const before = snapshots.filter((s) => s.at <= at);
  const last = before[before.length - 1];
  if (!last) return [];
  return [...last.owners].filter(([, o]) => o === owner).map(([shard]) => shard);
}

/** First snapshot after `since` in which `owner` holds at least `count` shards. */
export function firstHolding(
  snapshots: LeaseSnapshot[],
  owner: string,
  count: number,
  since: number,
): number | undefined {
  return snapshots.find(
    (s) => s.at >= since && [...s.owners.values()].filter((o) => o === owner).length >= count,
  )?.at;
}
