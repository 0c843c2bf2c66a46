import { bucketOf, emptyLateness, type LatenessCounts } from './lateness-histogram';

export const MINUTE_MS = 60_000;

/** What one replica saw in one minute. */
export interface MinuteCounts {
  fires: number;
  succeeded: number;
  failed: number;
  timeout: number;
  dead: number;
  /** Due → Kafka-ack lateness of the fires published, by LATENESS_BOUNDS_MS bucket. */
  lateness: LatenessCounts;
  latenessMaxMs: number;
}

export type Outcome = 'succeeded' | 'failed' | 'timeout' | 'dead';

export const emptyMinute = (): MinuteCounts => ({
  fires: 0,
  succeeded: 0,
  failed: 0,
  timeout: 0,
  dead: 0,
  lateness: emptyLateness(),
  latenessMaxMs: 0,
});

export const minuteOf = (ms: number): number => Math.floor(ms / MINUTE_MS) * MINUTE_MS;

/** Minutes kept when writes keep failing: the oldest are dropped beyond this. */
const KEEP_MINUTES = 120;

/**
 * This replica's counts per minute, in memory until written. A minute is written as its
 * running totals (a `$set`, so writing it again is harmless) and forgotten once it is over
 * and written.
 */
export class MinuteTally {
  private readonly minutes = new Map<number, { counts: MinuteCounts; dirty: boolean }>();

  fires(latenessMs: readonly number[], now: number): void {
    if (latenessMs.length === 0) return;
    const m = this.at(now);
    m.fires += latenessMs.length;
    for (const ms of latenessMs) {
      const bucket = bucketOf(ms);
      m.lateness[bucket] = (m.lateness[bucket] ?? 0) + 1;
      if (ms > m.latenessMaxMs) m.latenessMaxMs = ms;
    }
  }

  outcomes(outcome: Outcome, count: number, now: number): void {
    if (count > 0) this.at(now)[outcome] += count;
  }

  /** Minutes changed since they were last written, oldest first (copies). */
  unwritten(): { minute: number; counts: MinuteCounts }[] {
    return [...this.minutes]
      .filter(([, m]) => m.dirty)
      .sort(([a], [b]) => a - b)
      .map(([minute, m]) => ({
        minute,
        counts: { ...m.counts, lateness: [...m.counts.lateness] },
      }));
  }

  /**
   * After a successful write of `written` (as `unwritten()` returned them): clean unless
   * counted into again meanwhile; past minutes that are clean are forgotten.
   */
  written(written: readonly { minute: number; counts: MinuteCounts }[], now: number): void {
    for (const w of written) {
      const m = this.minutes.get(w.minute);
      if (m && sameCounts(m.counts, w.counts)) m.dirty = false;
    }
    const current = minuteOf(now);
    for (const [minute, m] of this.minutes) {
      if (minute < current && !m.dirty) this.minutes.delete(minute);
    }
  }

  private at(now: number): MinuteCounts {
    const minute = minuteOf(now);
    let m = this.minutes.get(minute);
    if (!m) {
      m = { counts: emptyMinute(), dirty: true };
      this.minutes.set(minute, m);
      if (this.minutes.size > KEEP_MINUTES) {
        this.minutes.delete(Math.min(...this.minutes.keys()));
      }
    }
    m.dirty = true;
    return m.counts;
  }
}

const sameCounts = (a: MinuteCounts, b: MinuteCounts): boolean =>
  a.fires === b.fires &&
  a.succeeded === b.succeeded &&
  a.failed === b.failed &&
  a.timeout === b.timeout &&
  a.dead === b.dead;
