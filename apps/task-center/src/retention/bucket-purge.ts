import { nextStatementDelayMs } from './purge-pacing';
import { type BucketStream } from './purge-streams';
import { bucketsToPurge, cutoffBucket, firstCursor } from './retention-buckets';

/** What a pass did, for the log line and the metrics. */
export class PassTally {
  readonly deleted = new Map<string, number>();
  statements = 0;
  slowestMs = 0;
  slowestDocs = 0;
  slowestCollection = '';

  add(collection: string, docs: number, tookMs: number): void {
    this.deleted.set(collection, (this.deleted.get(collection) ?? 0) + docs);
    this.statements++;
    if (tookMs >= this.slowestMs) {
      this.slowestMs = tookMs;
      this.slowestDocs = docs;
      this.slowestCollection = collection;
    }
  }

  total(): number {
    let n = 0;
    for (const v of this.deleted.values()) n += v;
    return n;
  }
}

/** The ports a pass needs: its cursors, a clock and a wait, and whether it may go on. */
export interface PurgePorts {
  cursor(stream: string): Promise<number | null>;
  saveCursor(stream: string, cursor: number, now: number): Promise<void>;
  now(): number;
  /** Resolves after `ms`, or early (false) when the pass must stop. */
  wait(ms: number): Promise<boolean>;
  /** False when the pass must stop before its next statement (shutdown, lease lost). */
  mayContinue(): boolean;
}

export interface PurgeLimits {
  bucketMs: number;
  /** Buckets per stream per pass: a long catch-up is spread over passes. */
  maxBuckets: number;
  /** A pass starts no statement after this long. */
  budgetMs: number;
}

/**
 * One retention pass: for each stream, the buckets after its cursor up to its cutoff, oldest
 * first, one equality delete per collection per bucket, each started by the pacing rule
 * (purge-pacing.ts); the cursor is saved after every bucket, so a crash or a handover repeats
 * at most one bucket's deletes (of documents already gone).
 */
export class BucketPurge {
  private lastTookMs = 0;
  private startedAt = 0;

  constructor(
    private readonly ports: PurgePorts,
    private readonly limits: PurgeLimits,
  ) {}

  async pass(streams: BucketStream[], tally: PassTally): Promise<void> {
    this.startedAt = this.ports.now();
    for (const stream of streams) {
      if (!(await this.purge(stream, tally))) return;
    }
  }

  /** Runs one statement under the pacing rule; undefined when the pass must stop first. */
  async statement(collection: string, work: () => Promise<number>, tally: PassTally) {
    if (this.ports.now() - this.startedAt >= this.limits.budgetMs) return undefined;
    const delay = nextStatementDelayMs(this.ports.now(), this.lastTookMs);
    if (delay > 0 && !(await this.ports.wait(delay))) return undefined;
    if (!this.ports.mayContinue()) return undefined;
    const t0 = this.ports.now();
    const docs = await work();
    this.lastTookMs = this.ports.now() - t0;
    tally.add(collection, docs, this.lastTookMs);
    return docs;
  }

  /** False when the pass must stop. */
  private async purge(stream: BucketStream, tally: PassTally): Promise<boolean> {
    const { bucketMs, maxBuckets } = this.limits;
    const cutoff = cutoffBucket(this.ports.now(), stream.retentionMs, bucketMs);
    const saved = await this.ports.cursor(stream.name);
    const cursor = saved ?? firstCursor(await stream.oldest(), cutoff, bucketMs);
    if (saved === null) await this.ports.saveCursor(stream.name, cursor, this.ports.now());
    for (const rb of bucketsToPurge(cursor, cutoff, bucketMs, maxBuckets)) {
      for (const d of stream.deletes) {
        const done = await this.statement(d.collection, () => d.delete(rb), tally);
        if (done === undefined) return false;
      }
      await this.ports.saveCursor(stream.name, rb, this.ports.now());
    }
    return true;
  }
}
