import { type Overview, type RunStats } from '../http/task-center.types';
import { intOption, stringOption, UsageError } from './args';
import { type Command } from './command-helpers';
import { formatFields, formatTable, isoFromMs, truncate } from './format';

const BARS = '▁▂▃▄▅▆▇█';

/** One character per value, scaled to the largest (all-zero series: the lowest bar). */
export function sparkline(values: readonly number[]): string {
  const top = Math.max(0, ...values);
  return values
    .map(
      (v) =>
        BARS[top === 0 ? 0 : Math.min(BARS.length - 1, Math.floor((v / top) * (BARS.length - 1)))],
    )
    .join('');
}

const ms = (value: number | null) => (value === null ? '-' : `${value} ms`);

/** The overview as aligned `field  value` lines. */
export function overviewText(o: Overview): string {
  const points = o.series.points;
  const total = (key: 'fires' | 'succeeded' | 'failed' | 'timeout' | 'dead') =>
    points.reduce((sum, p) => sum + p[key], 0);
  const t = o.tasks;
  const l = o.lateness;
  const orphans = o.tags_without_worker;
  return formatFields([
    [
      'tasks',
      t
        ? `${t.total} (active ${t.by_status.active}, paused ${t.by_status.paused}, completed ${t.by_status.completed}; ` +
          `one-shot ${t.by_type.one_shot}, loop ${t.by_type.loop}, crontab ${t.by_type.crontab}) as of ${isoFromMs(t.counted_at_ms)}`
        : 'not counted yet',
    ],
    [
      `fires, ${points.length} min`,
      `${total('fires')}  ${sparkline(points.map((p) => p.fires))}  (this minute ${points.at(-1)?.fires ?? 0})`,
    ],
    [
      'outcomes',
      `succeeded ${total('succeeded')}, failed ${total('failed')}, timeout ${total('timeout')}, dead ${total('dead')}`,
    ],
    [
      'lateness',
      l.count === 0
        ? 'no fires'
        : `p50 ${ms(l.p50_ms)}, p90 ${ms(l.p90_ms)}, p99 ${ms(l.p99_ms)}, max ${ms(l.max_ms)} (${l.count} fires since ${isoFromMs(l.from_ms)})`,
    ],
    ['dead letters', o.dead_letters_waiting === null ? '-' : `${o.dead_letters_waiting} waiting`],
    [
      'workers',
      `${o.workers.live} live` +
        (o.workers.by_tag.length > 0
          ? `: ${truncate(o.workers.by_tag.map((t) => `${t.tag} (${t.live_workers})`).join(', '), 200)}`
          : ''),
    ],
    [
      'no live worker',
      !orphans
        ? '-'
        : orphans.tags.length === 0
          ? 'none'
          : truncate(orphans.tags.join(', '), 200) +
            (orphans.truncated ? ' (first 1000 names checked)' : ''),
    ],
    ['replicas', String(o.replicas_reporting)],
  ]);
}

export function runStatsText(s: RunStats): string {
  const names = Object.keys(s.by_name).sort();
  const row = (name: string, c: RunStats['totals']) => [
    name,
    String(c.succeeded),
    String(c.failed),
    String(c.timeout),
    String(c.dead),
  ];
  return [
    `${s.date} (UTC); backlog: ${s.backlog.tasks} tasks, ${s.backlog.redeliveries} redeliveries`,
    formatTable(
      ['NAME', 'SUCCEEDED', 'FAILED', 'TIMEOUT', 'DEAD'],
      [...names.map((n) => row(n, s.by_name[n]!)), row('(total)', s.totals)],
    ),
  ].join('\n');
}

/** `overview`, `run-stats`. */
export const OVERVIEW_COMMANDS: Command[] = [
  {
    words: ['overview'],
    args: [],
    summary: 'the system at a glance (GET /v1/api/overview)',
    options: [
      { name: 'minutes', value: 'N', help: 'minutes of fires and outcomes, 1..60 (default 60)' },
      { name: 'lateness-minutes', value: 'N', help: 'minutes of lateness, 1..60 (default 5)' },
    ],
    run: async ({ api, options }) => {
      const o = await api.overview({
        minutes: intOption(options.minutes, 'minutes', 'overview', 1, 60),
        lateness_minutes: intOption(
          options['lateness-minutes'],
          'lateness-minutes',
          'overview',
          1,
          60,
        ),
      });
      return { data: o, text: () => overviewText(o) };
    },
  },
  {
    words: ['run-stats'],
    args: [],
    summary: "a day's outcomes per name and the backlog (GET /v1/api/run-stats)",
    options: [{ name: 'date', value: 'YYYY-MM-DD', help: 'the UTC day (default today)' }],
    run: async ({ api, options }) => {
      const date = stringOption(options.date);
      if (options.date !== undefined && (date === undefined || !/^\d{4}-\d\d-\d\d$/.test(date))) {
        throw new UsageError('--date must be YYYY-MM-DD', 'run-stats');
      }
      const stats = await api.runStats(date);
      return { data: stats, text: () => runStatsText(stats) };
    },
  },
];
