/**
 * Due → Kafka ack lateness as the task center itself measures it: its Prometheus histogram
 * `task_center_dispatch_lateness_seconds` is observed right after Kafka acknowledged a batch
 * (ack time − scheduled time). Scraped before and after a workload; the difference is that
 * workload's. Percentiles are interpolated within the histogram's buckets (1, 5, 10, 25, 50,
 * 100 ms, …), so they are estimates; the shares at or under 10 ms and 50 ms are exact.
 */
const METRIC = 'task_center_dispatch_lateness_seconds_bucket';

/** Cumulative counts by upper bound in ms (Infinity for +Inf). */
export type Buckets = Map<number, number>;

export interface AckLateness {
  count: number;
  p50: number;
  p99: number;
  /** Share of fires acknowledged within 10 ms / 50 ms of their slot, in %. */
  within10: number;
  within50: number;
}

export async function scrapeBuckets(baseUrl: string): Promise<Buckets> {
  const url = new URL('/metrics', baseUrl);
  // Only the histogram: the full page also counts the tasks, a collection scan.
  url.searchParams.append('name[]', 'task_center_dispatch_lateness_seconds');
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  const buckets: Buckets = new Map();
  for (const line of text.split('\n')) {
    if (!line.startsWith(METRIC)) continue;
    const m = /le="([^"]+)"\}\s+(\S+)/.exec(line);
    if (!m) continue;
    const le = m[1] === '+Inf' ? Infinity : Number(m[1]) * 1000;
    buckets.set(le, Number(m[2]));
  }
  return buckets;
}

export function ackLateness(before: Buckets, after: Buckets): AckLateness | undefined {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const cum = bounds.map((le) => (after.get(le) ?? 0) - (before.get(le) ?? 0));
  const count = cum[cum.length - 1] ?? 0;
  if (count === 0) return undefined;
  const quantile = (q: number) => {
    const target = q * count;
    for (let i = 0; i < bounds.length; i++) {
      if (cum[i]! < target) continue;
      const lo = i === 0 ? 0 : bounds[i - 1]!;
      const hi = bounds[i]!;
      if (hi === Infinity) return lo; // beyond the last bound: at least that
      const below = i === 0 ? 0 : cum[i - 1]!;
      return Math.round(lo + ((hi - lo) * (target - below)) / (cum[i]! - below));
    }
    return bounds[bounds.length - 2] ?? 0;
  };
  const share = (ms: number) => {
    const i = bounds.indexOf(ms);
    return i < 0 ? NaN : Math.round((1000 * cum[i]!) / count) / 10;
  };
  return {
    count,
    p50: quantile(0.5),
    p99: quantile(0.99),
    within10: share(10),
    within50: share(50),
  };
}
