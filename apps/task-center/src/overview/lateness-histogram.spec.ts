import {
  bucketOf,
  emptyLateness,
  LATENESS_BOUNDS_MS,
  mergeLateness,
  summarizeLateness,
} from './lateness-histogram';

function histogramOf(values: number[]) {
  const counts = emptyLateness();
  for (const v of values) counts[bucketOf(v)] = (counts[bucketOf(v)] ?? 0) + 1;
  return { counts, max: Math.max(0, ...values) };
}

/** The bucket bound at or above the exact percentile (nearest rank), capped by the max. */
function expected(values: number[], q: number) {
  const sorted = [...values].sort((a, b) => a - b);
  const exact = sorted[Math.ceil(q * sorted.length) - 1]!;
  const bound = LATENESS_BOUNDS_MS.find((b) => exact <= b) ?? Infinity;
  return Math.min(bound, sorted.at(-1)!);
}

describe('lateness histogram', () => {
  it('puts a lateness in the first bucket whose bound holds it', () => {
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(1)).toBe(0);
    expect(bucketOf(1.5)).toBe(1);
    expect(bucketOf(50)).toBe(5);
    expect(bucketOf(51)).toBe(6);
    expect(bucketOf(60_000)).toBe(LATENESS_BOUNDS_MS.length - 1);
    expect(bucketOf(60_001)).toBe(LATENESS_BOUNDS_MS.length);
  });

  it('reads percentiles at bucket resolution, matching the exact ones rounded up', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) ** 3 * 5000;
    for (let round = 0; round < 20; round++) {
      const values = Array.from({ length: 1 + round * 37 }, () => Math.round(random()));
      const { counts, max } = histogramOf(values);
      const s = summarizeLateness(counts, max);
      expect(s.count).toBe(values.length);
      expect(s.p50_ms).toBe(expected(values, 0.5));
      expect(s.p90_ms).toBe(expected(values, 0.9));
      expect(s.p99_ms).toBe(expected(values, 0.99));
      expect(s.max_ms).toBe(max);
    }
  });

  it('answers nulls when nothing was counted, and the max for lateness past the last bound', () => {
    expect(summarizeLateness(emptyLateness(), 0)).toEqual({
      count: 0,
      p50_ms: null,
      p90_ms: null,
      p99_ms: null,
      max_ms: null,
    });
    const { counts } = histogramOf([90_000, 120_000]);
    expect(summarizeLateness(counts, 120_000).p50_ms).toBe(120_000);
  });

  it('merges replicas by adding counts, tolerating short arrays', () => {
    const a = histogramOf([1, 3, 40]).counts;
    mergeLateness(a, histogramOf([3, 3]).counts);
    mergeLateness(a, [1]);
    mergeLateness(a, undefined);
    expect(a[0]).toBe(2);
    expect(a[2]).toBe(3);
    expect(a.reduce((x, y) => x + y, 0)).toBe(6);
  });
});
