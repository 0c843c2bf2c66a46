import type { Overview, WorkerInfo } from '@task-center/client/types';
import { hrefOf } from './routes';

// View logic of the Overview and Workers pages: plain functions, no DOM, no clock reads (the
// caller passes `now` and, in tests, a time zone).

export type OverviewPoint = Overview['series']['points'][number];
type Count = Exclude<keyof OverviewPoint, 'at_ms'>;

/* ------------------------------------------------------------------ auto-refresh */

export interface RefreshChoice {
  value: string;
  label: string;
  /** Null: no auto-refresh. */
  ms: number | null;
}

export const REFRESH_CHOICES: readonly RefreshChoice[] = [
  { value: 'off', label: 'Off', ms: null },
  { value: '5', label: '5 s', ms: 5_000 },
  { value: '30', label: '30 s', ms: 30_000 },
];
export const DEFAULT_REFRESH = '5';

/** The interval of a choice (the `<select>`'s value); anything unknown is the default. */
export function refreshMsOf(value: string): number | null {
  const choice =
    REFRESH_CHOICES.find((c) => c.value === value) ??
    REFRESH_CHOICES.find((c) => c.value === DEFAULT_REFRESH)!;
  return choice.ms;
}

/* ------------------------------------------------------------------ times and durations */

const formats = new Map<string, Intl.DateTimeFormat>();
function formatOf(options: Intl.DateTimeFormatOptions, timeZone?: string): Intl.DateTimeFormat {
  const key = JSON.stringify([options, timeZone]);
  let format = formats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', { ...options, hourCycle: 'h23', timeZone });
    formats.set(key, format);
  }
  return format;
}

/** `14:02` (the browser's zone unless `timeZone` is given). */
export const clockMinute = (ms: number, timeZone?: string): string =>
  formatOf({ hour: '2-digit', minute: '2-digit' }, timeZone).format(ms);

/** `14:02:05`. */
export const clockSecond = (ms: number, timeZone?: string): string =>
  formatOf({ hour: '2-digit', minute: '2-digit', second: '2-digit' }, timeZone).format(ms);

/** `2026-11-27 14:02:05 UTC`: the exact instant, for a tooltip. */
export function exactTime(ms: number, timeZone?: string): string {
  const parts = formatOf(
    {
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZoneName: 'short',
    },
    timeZone,
  ).formatToParts(ms);
  const part = (type: Intl.DateTimeFormatPartTypes) =>
    parts.find((p) => p.type === type)?.value ?? '';
  return (
    `${part('year')}-${part('month')}-${part('day')} ` +
    `${part('hour')}:${part('minute')}:${part('second')} ${part('timeZoneName')}`
  );
}

/** How long ago a worker was last heard from: `just now`, `12 s ago`, `3 min ago`, `2 h ago`. */
export function lastHeard(lastSeenMs: number, nowMs: number): string {
  const ms = nowMs - lastSeenMs; // negative when the clocks disagree: still "just now"
  if (ms < 1_000) return 'just now';
  if (ms < 60_000) return `${Math.floor(ms / 1_000)} s ago`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ago`;
  if (ms < 86_400_000) return `${Math.floor(ms / 3_600_000)} h ago`;
  return `${Math.floor(ms / 86_400_000)} d ago`;
}

/** A lateness: `7 ms`, `1.2 s`, `45 s`, `2 min 5 s`; `–` when there is none. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '–';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${(Math.round(ms / 100) / 10).toString()} s`;
  if (ms < 60_000) return `${Math.round(ms / 1_000)} s`;
  const s = Math.round(ms / 1_000);
  return s % 60 === 0 ? `${s / 60} min` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

/* ------------------------------------------------------------------ counts */

export const plural = (n: number, one: string, many = `${one}s`): string =>
  `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

type Tasks = NonNullable<Overview['tasks']>;

/** `5 active`, `1 paused`, … in a fixed order (deleted last: they are not in the total). */
export const statusCounts = (tasks: Tasks): { label: string; count: number }[] => [
  { label: 'active', count: tasks.by_status.active },
  { label: 'paused', count: tasks.by_status.paused },
  { label: 'completed', count: tasks.by_status.completed },
  { label: 'deleted', count: tasks.by_status.deleted },
];

export const typeCounts = (tasks: Tasks): { label: string; count: number }[] => [
  { label: 'one-shot', count: tasks.by_type.one_shot },
  { label: 'loop', count: tasks.by_type.loop },
  { label: 'crontab', count: tasks.by_type.crontab },
];

/** Where the tasks of one name are listed. */
export const tasksHrefOf = (name: string): string =>
  hrefOf({ page: 'tasks', query: new URLSearchParams({ name }) });

/* ------------------------------------------------------------------ workers */

export type WorkerState = 'alive' | 'stopping' | 'dead';

/** A stopping worker said goodbye (the server no longer counts it as alive); dead: missed beats. */
export const workerStateOf = (w: Pick<WorkerInfo, 'alive' | 'stopping'>): WorkerState =>
  w.stopping ? 'stopping' : w.alive ? 'alive' : 'dead';

/** The per-tag table: tags in order, each with its live workers' ids. */
export const tagRowsOf = (byTag: Record<string, string[]>): { tag: string; ids: string[] }[] =>
  Object.entries(byTag)
    .map(([tag, ids]) => ({ tag, ids: [...ids].sort() }))
    .sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));

/** Alive first, then stopping, then dead; the most recently heard first within each. */
export function sortWorkers<W extends Pick<WorkerInfo, 'alive' | 'stopping' | 'last_seen_ms'>>(
  workers: W[],
): W[] {
  const rank: Record<WorkerState, number> = { alive: 0, stopping: 1, dead: 2 };
  return [...workers].sort(
    (a, b) => rank[workerStateOf(a)] - rank[workerStateOf(b)] || b.last_seen_ms - a.last_seen_ms,
  );
}

/* ------------------------------------------------------------------ charts */

/** One stacked series of a chart: `key` is a point's field and the CSS class of its bars. */
export interface ChartSeries {
  key: Count;
  label: string;
}

export const FIRE_SERIES: readonly ChartSeries[] = [{ key: 'fires', label: 'fires' }];
export const OUTCOME_SERIES: readonly ChartSeries[] = [
  { key: 'succeeded', label: 'succeeded' },
  { key: 'failed', label: 'failed' },
  { key: 'timeout', label: 'timeout' },
  { key: 'dead', label: 'dead' },
];

/** A chart's data: a bar per point, a stacked segment per series, and the texts a reader gets. */
export interface ChartData {
  series: readonly ChartSeries[];
  bars: { atMs: number; values: number[]; title: string; axisLabel: string }[];
  /** What the whole chart says, for its `<title>` and `aria-label`. */
  summary: string;
}

/**
 * The bars of `series` over `points` (oldest first, the last one the current, partial minute),
 * with a `<title>` per bar (the minute and its counts) and a summary of the totals.
 */
export function chartDataOf(
  title: string,
  points: readonly OverviewPoint[],
  series: readonly ChartSeries[],
  timeZone?: string,
): ChartData {
  const bars = points.map((p, i) => {
    const values = series.map((s) => p[s.key]);
    const counts = series.map((s, j) => `${values[j]} ${s.label}`).join(', ');
    const minute = clockMinute(p.at_ms, timeZone);
    const partial = i === points.length - 1 ? ' (this minute, so far)' : '';
    return { atMs: p.at_ms, values, title: `${minute}${partial}: ${counts}`, axisLabel: minute };
  });
  const totals = series.map((_, j) => bars.reduce((sum, b) => sum + b.values[j]!, 0));
  const what = series.map((s, j) => `${totals[j]!.toLocaleString('en-US')} ${s.label}`);
  let summary = `${title}, last ${plural(points.length, 'minute')}: ${what.join(', ')}`;
  if (series.length === 1) summary += ' in total';
  const busiest = bars.reduce<(typeof bars)[number] | undefined>(
    (best, b) => (sum(b.values) > (best ? sum(best.values) : 0) ? b : best),
    undefined,
  );
  summary += busiest
    ? `; busiest minute ${busiest.axisLabel} with ${sum(busiest.values)}.`
    : '; nothing in any minute.';
  return { series, bars, summary };
}

const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);

/**
 * The top of a count axis and its ticks: steps of 1, 2 or 5 × 10ⁿ (whole numbers, counts are
 * whole), at most `maxTicks` steps above zero. An empty chart still has an axis from 0 to 1.
 */
export function countAxis(max: number, maxTicks = 4): { top: number; ticks: number[] } {
  const want = Math.max(max, 1);
  let step = 1;
  for (let magnitude = 1; ; magnitude *= 10) {
    const fit = [1, 2, 5].map((m) => m * magnitude).find((s) => Math.ceil(want / s) <= maxTicks);
    if (fit !== undefined) {
      step = fit;
      break;
    }
  }
  const top = Math.ceil(want / step) * step;
  const ticks = Array.from({ length: top / step + 1 }, (_, i) => i * step);
  return { top, ticks };
}

/** Where everything of a chart goes, in SVG user units (one unit is one CSS pixel). */
export interface ChartLayout {
  width: number;
  height: number;
  plot: { x: number; y: number; width: number; height: number };
  ticks: { value: number; y: number }[];
  bars: {
    /** The bar's column (the whole slot, for hovering). */
    slot: { x: number; width: number };
    x: number;
    width: number;
    segments: { series: number; y: number; height: number }[];
  }[];
  labels: { x: number; text: string; anchor: 'middle' | 'end' }[];
}

const round = (n: number): number => Math.round(n * 100) / 100;

/**
 * Lays the bars of `data` out in a `width` × `height` box: count ticks on the left, a time
 * label every `labelEvery` bars counted back from the last one (now) at the bottom. A count
 * that is not zero is at least one unit tall, so that a single fire shows on a tall axis.
 */
export function layoutChart(
  data: Pick<ChartData, 'bars'>,
  box: { width: number; height: number },
  labelEvery = 15,
): ChartLayout {
  const left = 34;
  const right = 8;
  const top = 8;
  const bottom = 20;
  const plot = {
    x: left,
    y: top,
    width: Math.max(box.width - left - right, 10),
    height: Math.max(box.height - top - bottom, 10),
  };
  const axis = countAxis(Math.max(0, ...data.bars.map((b) => sum(b.values))));
  const yOf = (value: number) => round(plot.y + plot.height - (value / axis.top) * plot.height);
  const n = Math.max(data.bars.length, 1);
  const slotWidth = plot.width / n;
  const barWidth = Math.max(1, slotWidth * 0.7);
  const bars = data.bars.map((b, i) => {
    const slotX = plot.x + i * slotWidth;
    let base = plot.y + plot.height;
    const segments: ChartLayout['bars'][number]['segments'] = [];
    b.values.forEach((value, series) => {
      if (value <= 0) return;
      const height = Math.max(1, (value / axis.top) * plot.height);
      base -= height;
      segments.push({ series, y: round(base), height: round(height) });
    });
    return {
      slot: { x: round(slotX), width: round(slotWidth) },
      x: round(slotX + (slotWidth - barWidth) / 2),
      width: round(barWidth),
      segments,
    };
  });
  const labels: ChartLayout['labels'] = [];
  data.bars.forEach((b, i) => {
    if ((data.bars.length - 1 - i) % labelEvery !== 0) return;
    const last = i === data.bars.length - 1;
    labels.push({
      x: round(last ? plot.x + plot.width : plot.x + (i + 0.5) * slotWidth),
      text: b.axisLabel,
      anchor: last ? 'end' : 'middle',
    });
  });
  return {
    width: box.width,
    height: box.height,
    plot: { x: plot.x, y: plot.y, width: round(plot.width), height: round(plot.height) },
    ticks: axis.ticks.map((value) => ({ value, y: yOf(value) })),
    bars,
    labels,
  };
}
