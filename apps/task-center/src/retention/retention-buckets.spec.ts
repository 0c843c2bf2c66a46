import {
  bucketOf,
  bucketsToPurge,
  cutoffBucket,
  firstCursor,
  historyBucket,
  LATE_MARGIN_BUCKETS,
} from './retention-buckets';

const MIN = 60_000;
const DAY = 86_400_000;
const T = Date.UTC(2026, 11, 1, 12, 0, 30, 250); // 30.25 s into a minute

describe('retention buckets', () => {
  it('bucketOf is the start of the bucket holding the instant', () => {
    expect(bucketOf(T, MIN)).toBe(Date.UTC(2026, 11, 1, 12, 0, 0));
    expect(bucketOf(T, 1000)).toBe(T - 250);
    expect(bucketOf(bucketOf(T, MIN), MIN)).toBe(bucketOf(T, MIN));
    // Buckets tile time: every instant is in exactly one, [start, start + width).
    for (let t = T; t < T + 3 * MIN; t += 7_919) {
      const b = bucketOf(t, MIN);
      expect(b).toBeLessThanOrEqual(t);
      expect(t).toBeLessThan(b + MIN);
    }
  });

  it('the cutoff is the newest bucket entirely older than the retention', () => {
    for (let now = T; now < T + 2 * MIN; now += 3_331) {
      const cut = cutoffBucket(now, 7 * DAY, MIN);
      // Everything in it is past the retention; the next bucket still holds a kept instant.
      expect(cut + MIN).toBeLessThanOrEqual(now - 7 * DAY);
      expect(cut + 2 * MIN).toBeGreaterThan(now - 7 * DAY);
    }
  });

  it('a fire written on time is in the bucket of its scheduled time, whatever the attempt', () => {
    const scheduled = T - 5 * 3_600_000;
    // First attempt published at once, retries hours later: one bucket for the whole fire.
    for (const written of [scheduled + 20, scheduled + 3_600_000, scheduled + 3 * DAY]) {
      expect(historyBucket(scheduled, written, 7 * DAY, MIN)).toBe(bucketOf(scheduled, MIN));
    }
  });

  it('a record too late for its bucket goes where the purge cannot have reached yet', () => {
    const scheduled = T - 20 * DAY; // a dead letter redriven after 20 days
    const written = T;
    const b = historyBucket(scheduled, written, 7 * DAY, MIN);
    const reach = cutoffBucket(written, 7 * DAY, MIN);
    expect(b).toBe(reach + LATE_MARGIN_BUCKETS * MIN);
    // Purgeable only once the cutoff passes it: at least two buckets after the write.
    let now = written;
    while (cutoffBucket(now, 7 * DAY, MIN) < b) now += 1000;
    expect(now - written).toBeGreaterThanOrEqual((LATE_MARGIN_BUCKETS - 1) * MIN);
    // A record exactly at the edge of reach is clamped too; one a margin inside it is not.
    expect(historyBucket(reach, written, 7 * DAY, MIN)).toBe(b);
    expect(historyBucket(b + MIN, written, 7 * DAY, MIN)).toBe(b + MIN);
  });

  it('the first cursor starts before the oldest stored bucket, never past the cutoff', () => {
    const cut = cutoffBucket(T, 7 * DAY, MIN);
    expect(firstCursor(null, cut, MIN)).toBe(cut);
    expect(firstCursor(cut - 10 * MIN, cut, MIN)).toBe(cut - 11 * MIN);
    expect(firstCursor(cut + 5 * MIN, cut, MIN)).toBe(cut);
    // The oldest bucket is then the first one purged.
    const oldest = cut - 10 * MIN;
    expect(bucketsToPurge(firstCursor(oldest, cut, MIN), cut, MIN, 1)).toEqual([oldest]);
  });

  it('walks the buckets after the cursor up to the cutoff, oldest first, at most max', () => {
    const cursor = bucketOf(T, MIN);
    expect(bucketsToPurge(cursor, cursor, MIN, 10)).toEqual([]);
    expect(bucketsToPurge(cursor, cursor - MIN, MIN, 10)).toEqual([]);
    expect(bucketsToPurge(cursor, cursor + 3 * MIN, MIN, 10)).toEqual([
      cursor + MIN,
      cursor + 2 * MIN,
      cursor + 3 * MIN,
    ]);
    const capped = bucketsToPurge(cursor, cursor + 100 * MIN, MIN, 4);
    expect(capped).toEqual([1, 2, 3, 4].map((i) => cursor + i * MIN));
    // The next pass continues from the last bucket of this one: no bucket skipped or repeated.
    const next = bucketsToPurge(capped.at(-1)!, cursor + 100 * MIN, MIN, 1000);
    expect([...capped, ...next]).toEqual(
      Array.from({ length: 100 }, (_, i) => cursor + (i + 1) * MIN),
    );
  });

  it('after a smaller bucket size that divides the old one, every old bucket is visited', () => {
    const cursor = bucketOf(T, MIN) - 10 * MIN; // left by 60 s buckets
    const oldBuckets = Array.from({ length: 5 }, (_, i) => cursor + (i + 1) * MIN);
    const walked = new Set(bucketsToPurge(cursor, cursor + 5 * MIN, 10_000, 1000));
    for (const b of oldBuckets) expect(walked.has(b)).toBe(true);
    // A cursor not on the new grid is aligned down: nothing after it is skipped.
    expect(bucketsToPurge(cursor + 1500, cursor + 5000, 1000, 10)[0]).toBe(cursor + 2000);
  });
});
