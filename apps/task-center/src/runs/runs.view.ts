import { type FireHistory } from './fire-history';
import { type DeadLetter } from './run-records';
import { type ErrorGroup } from './run-search';
import { type RunStats } from './runs.service';
import { type WorkerView } from './worker-registry';

/** Wire shapes of the runs API: snake_case, instants in epoch ms (`*_ms`), like message ids. */
export const toFireView = (f: FireHistory) => ({
  fire_id: f.fireId,
  task_id: f.taskId,
  name: f.name,
  scheduled_at_ms: f.scheduledAt,
  state: f.state,
  attempts: f.attempts.map((a) => ({
    attempt: a.attempt,
    message_id: a.messageId,
    published_at_ms: a.publishedAt,
    manual: a.manual,
    outcomes: a.outcomes.map((o) => ({
      result: o.kind,
      at_ms: o.at,
      error: o.error,
      duration_ms: o.durationMs,
      worker: o.worker && {
        id: o.worker.id,
        group: o.worker.group,
        host: o.worker.host,
        pid: o.worker.pid,
      },
    })),
  })),
  last_error: f.lastError,
});

export const toDeadLetterView = (d: DeadLetter) => ({
  message_id: d.messageId,
  fire_id: `${d.taskId}:${d.scheduledAt}`,
  task_id: d.taskId,
  name: d.name,
  scheduled_at_ms: d.scheduledAt,
  attempts: d.attempt,
  last_error: d.lastError,
  dead_at_ms: d.deadAt,
  topic: d.topic,
  headers: d.headers,
});

export const toStatsView = (s: RunStats) => ({
  date: s.date,
  backlog: s.backlog,
  totals: s.totals,
  by_name: s.byName,
});

export const toWorkersView = ({
  workers,
  byTag,
}: {
  workers: WorkerView[];
  byTag: Record<string, string[]>;
}) => ({
  workers: workers.map((w) => ({
    id: w.id,
    group: w.group,
    host: w.host,
    pid: w.pid,
    sdk: w.sdk,
    tags: w.tags,
    alive: w.alive,
    stopping: w.stopping,
    last_seen_ms: w.lastSeen,
    interval_ms: w.intervalMs,
  })),
  by_tag: byTag,
});

/** Instants in unix seconds here, like the `from`/`to` of the query that found them. */
export const toErrorGroupView = (g: ErrorGroup) => ({
  error: g.error,
  count: g.count,
  first_seen: Math.floor(g.firstSeen / 1000),
  last_seen: Math.floor(g.lastSeen / 1000),
  names: g.names,
  example: { fire_id: g.example.fireId, message_id: g.example.messageId },
});
