/**
 * Upper bounds (ms) of the lateness buckets a replica counts per minute. Fixed, so that the
 * minutes of every replica merge by adding counts; a percentile is read at bucket resolution.
 */
export const LATENESS_BOUNDS_MS = [
  1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 30_000, 60_000,
] as const;

/** Counts per bucket: one more than the bounds (the last counts everything above 60 s). */
export type LatenessCounts = number[];

export const emptyLateness = (): LatenessCounts =>
  new Array<number>(LATENESS_BOUNDS_MS.length + 1).fill(0);

export function bucketOf(latenessMs: number): number {
  const i = LATENESS_BOUNDS_MS.findIndex((bound) => latenessMs <= bound);
  return i === -1 ? LATENESS_BOUNDS_MS.length : i;
}

/** Adds `from` into `into` (missing or short arrays count as zeros). */
export function mergeLateness(into: LatenessCounts, from: readonly number[] | undefined): void {
  if (!from) return;
  for (let i = 0; i < into.length && i < from.length; i++)
    into[i] = (into[i] ?? 0) + (from[i] ?? 0);
}

export interface LatenessSummary {
  count: number;
  p50_ms: number | null;
  p90_ms: number | null;
  p99_ms: number | null;
  max_ms: number | null;
}

/**
 * Percentiles as the upper bound of the bucket that holds them (never above the largest
 * lateness seen); nulls when nothing was counted.
 */
export function summarizeLateness(counts: readonly number[], maxMs: number): LatenessSummary {
  const count = counts.reduce((a, b) => a + b, 0);
  if (count === 0) return { count, p50_ms: null, p90_ms: null, p99_ms: null, max_ms: null };
  const at = (q: number) => {
    const rank = Math.ceil(q * count);
    let seen = 0;
    for (let i = 0; i < counts.length; i++) {
      seen += counts[i] ?? 0;
      if (seen >= rank) return Math.min(LATENESS_BOUNDS_MS[i] ?? maxMs, maxMs);
    }
    return maxMs;
  };
  return { count, p50_ms: at(0.5), p90_ms: at(0.9), p99_ms: at(0.99), max_ms: maxMs };
}
