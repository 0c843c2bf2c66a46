import { TASK_STATUSES, TaskType } from '@task-center/contracts';
import { type FleetSnapshot, type ReplicaMinute } from '../repositories/overview-stats.repository';
import { tagsWithoutWorker } from '../runs/tags-without-worker';
import { type WorkerView } from '../runs/worker-registry';
import { emptyLateness, mergeLateness, summarizeLateness } from './lateness-histogram';
import { MINUTE_MS, minuteOf } from './minute-tally';

export interface OverviewWindow {
  /** Minutes of the series, the current (partial) one included. */
  minutes: number;
  /** Minutes the lateness percentiles cover, the current one included. */
  latenessMinutes: number;
}

export interface OverviewInput extends OverviewWindow {
  now: number;
  replicaMinutes: readonly ReplicaMinute[];
  snapshot: FleetSnapshot | null;
  workers: readonly WorkerView[];
}

const TYPE_NAMES: Record<number, 'one_shot' | 'loop' | 'crontab'> = {
  [TaskType.OneShot]: 'one_shot',
  [TaskType.Loop]: 'loop',
  [TaskType.Crontab]: 'crontab',
};

/** The first minute of a window of `minutes` ending with the current one. */
export const windowStart = (now: number, minutes: number): number =>
  minuteOf(now) - (minutes - 1) * MINUTE_MS;

/**
 * `GET /v1/api/overview` from what the replicas wrote: the series sums every replica's minute,
 * zero-filled, oldest first; the fleet counts come from the last snapshot (null before the
 * first one); workers and tags from the heartbeats.
 */
export function buildOverview(input: OverviewInput) {
  const { now, snapshot } = input;
  const seriesFrom = windowStart(now, input.minutes);
  const latenessFrom = windowStart(now, input.latenessMinutes);
  const points = new Map<
    number,
    { fires: number; succeeded: number; failed: number; timeout: number; dead: number }
  >();
  for (let m = seriesFrom; m <= minuteOf(now); m += MINUTE_MS) {
    points.set(m, { fires: 0, succeeded: 0, failed: 0, timeout: 0, dead: 0 });
  }
  const lateness = emptyLateness();
  let latenessMax = 0;
  const replicas = new Set<string>();
  for (const { minute, replica, counts } of input.replicaMinutes) {
    const p = points.get(minute);
    if (p) {
      p.fires += counts.fires;
      p.succeeded += counts.succeeded;
      p.failed += counts.failed;
      p.timeout += counts.timeout;
      p.dead += counts.dead;
    }
    if (minute >= latenessFrom && minute <= now) {
      mergeLateness(lateness, counts.lateness);
      latenessMax = Math.max(latenessMax, counts.latenessMaxMs);
    }
    if (minute >= minuteOf(now) - MINUTE_MS) replicas.add(replica);
  }

  const live = input.workers.filter((w) => w.alive);
  const liveByTag = new Map<string, number>();
  for (const w of live) for (const tag of w.tags) liveByTag.set(tag, (liveByTag.get(tag) ?? 0) + 1);

  return {
    generated_at_ms: now,
    tasks: snapshot && tasksView(snapshot),
    series: {
      minute_ms: MINUTE_MS,
      points: [...points].map(([at, p]) => ({ at_ms: at, ...p })),
    },
    lateness: {
      from_ms: latenessFrom,
      ...summarizeLateness(lateness, latenessMax),
    },
    dead_letters_waiting: snapshot?.deadLettersWaiting ?? null,
    workers: {
      live: live.length,
      by_tag: [...liveByTag]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([tag, workers]) => ({ tag, live_workers: workers })),
    },
    tags_without_worker: snapshot && {
      tags: tagsWithoutWorker(snapshot.activeNames, (tag) => liveByTag.has(tag)),
      truncated: snapshot.activeNamesTruncated,
    },
    replicas_reporting: replicas.size,
  };
}

export type OverviewView = ReturnType<typeof buildOverview>;

function tasksView(s: FleetSnapshot) {
  const byStatus = Object.fromEntries(TASK_STATUSES.map((st) => [st, 0])) as Record<
    (typeof TASK_STATUSES)[number],
    number
  >;
  const byType = { one_shot: 0, loop: 0, crontab: 0 };
  for (const row of s.tasks) {
    if (row.status in byStatus) byStatus[row.status as keyof typeof byStatus] += row.count;
    const type = TYPE_NAMES[row.type];
    if (type && row.status !== 'deleted') byType[type] += row.count;
  }
  return {
    counted_at_ms: s.countedAt,
    count_took_ms: s.tookMs,
    total: byStatus.active + byStatus.paused + byStatus.completed,
    by_status: byStatus,
    by_type: byType,
  };
}
