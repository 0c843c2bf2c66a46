import { bySlot, type ReceivedMessage } from './fire-consumer';

/** The fires of one slot second: how late they went out and how late a reader got them. */
export interface LatenessRow {
  /** The slot's second, relative to `origin` (e.g. the kill), in seconds. */
  second: number;
  fires: number;
  /** tc-published-at minus the slot (the publish attempt that got through), ms. */
  published: { p99: number; max: number };
  /** When the reader first had the (task, slot), minus the slot, ms: what a worker sees. */
  delivered: { p99: number; max: number };
}

const quantile = (sorted: number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

/**
 * Per slot second, the lateness of each (task, slot)'s first copy: a retried batch re-sends
 * the fires an earlier attempt already wrote, and those later copies add no delay.
 */
export function latenessTimeline(messages: ReceivedMessage[], origin: number): LatenessRow[] {
  const seconds = new Map<number, { published: number[]; delivered: number[] }>();
  for (const group of bySlot(messages).values()) {
    const { scheduledAt } = group[0]!.fire!;
    const published = Math.min(...group.map((m) => m.fire!.publishedAt)) - scheduledAt;
    const delivered = Math.min(...group.map((m) => m.receivedAt)) - scheduledAt;
    const second = Math.floor((scheduledAt - origin) / 1000);
    const row = seconds.get(second) ?? { published: [], delivered: [] };
    row.published.push(published);
    row.delivered.push(delivered);
    seconds.set(second, row);
  }
  return [...seconds]
    .sort(([a], [b]) => a - b)
    .map(([second, row]) => {
      const published = row.published.sort((a, b) => a - b);
      const delivered = row.delivered.sort((a, b) => a - b);
      return {
        second,
        fires: published.length,
        published: { p99: quantile(published, 0.99), max: published[published.length - 1] ?? 0 },
        delivered: { p99: quantile(delivered, 0.99), max: delivered[delivered.length - 1] ?? 0 },
      };
    });
}

/** The timeline as a fixed-width table for the test log. */
export function formatTimeline(rows: LatenessRow[]): string {
  const pad = (v: string | number, n: number) => String(v).padStart(n);
  const head = `${pad('slot s', 7)} ${pad('fires', 6)} ${pad('pub p99', 8)} ${pad('pub max', 8)} ${pad('dlv p99', 8)} ${pad('dlv max', 8)}`;
  const lines = rows.map(
    (r) =>
      `${pad(r.second, 7)} ${pad(r.fires, 6)} ${pad(r.published.p99, 8)} ${pad(r.published.max, 8)} ${pad(r.delivered.p99, 8)} ${pad(r.delivered.max, 8)}`,
  );
  return [head, ...lines].join('\n');
}
