/**
 * What the chaos suite checks, as pure functions over what it collected: the workers' handler
 * records (chaos-worker.ts) and the centers' JSON log lines.
 */
import { type ExpectedFire, slotKey } from './fire-consumer';

/** One line of a worker's record file: a handler starting (S) or ending (E). */
export interface HandlerRecord {
  kind: 'S' | 'E';
  messageId: string;
  taskId: string;
  scheduledAt: number;
  pid: number;
  at: number;
}

export function parseRecords(text: string): HandlerRecord[] {
  const out: HandlerRecord[] = [];
  for (const line of text.split('\n')) {
    const [kind, messageId, taskId, scheduledAt, pid, at] = line.split(' ');
    // A SIGKILL can cut the last line short: only whole lines count.
    if ((kind !== 'S' && kind !== 'E') || at === undefined || !/^\d+$/.test(at)) continue;
    out.push({
      kind,
      messageId: messageId!,
      taskId: taskId!,
      scheduledAt: Number(scheduledAt),
      pid: Number(pid),
      at: Number(at),
    });
  }
  return out;
}

export interface HandlingReport {
  /** Expected (task, slot)s no handler completed. */
  unhandled: string[];
  /** (task, slot)s handled that were not expected. */
  unexpected: string[];
  /** (task, slot)s whose handler runs carry more than one message id. */
  mixedIds: string[];
  /** (message id, pid) pairs whose handler started more than once in that process. */
  sameWorkerTwice: string[];
  /** Message ids whose handler started in more than one process (allowed: redeliveries). */
  ranInTwoWorkers: string[];
  /** Handler runs cut off (a start without an end in the same process). */
  cutOff: HandlerRecord[];
  /** Completed handler runs. */
  completed: number;
}

export function checkHandling(records: HandlerRecord[], expected: ExpectedFire[]): HandlingReport {
  const wanted = new Set(expected.map((e) => slotKey(e.taskId, e.scheduledAt)));
  const done = new Set<string>();
  const idsBySlot = new Map<string, Set<string>>();
  const startsByRun = new Map<string, HandlerRecord[]>();
  const ended = new Set<string>();
  const pidsById = new Map<string, Set<number>>();
  let completed = 0;
  for (const r of records) {
    const slot = slotKey(r.taskId, r.scheduledAt);
    const run = `${r.messageId} in pid ${r.pid}`;
    if (r.kind === 'E') {
      done.add(slot);
      ended.add(run);
      completed++;
      continue;
    }
    (idsBySlot.get(slot) ?? idsBySlot.set(slot, new Set()).get(slot)!).add(r.messageId);
    (startsByRun.get(run) ?? startsByRun.set(run, []).get(run)!).push(r);
    (pidsById.get(r.messageId) ?? pidsById.set(r.messageId, new Set()).get(r.messageId)!).add(
      r.pid,
    );
  }
  return {
    unhandled: [...wanted].filter((k) => !done.has(k)).sort(),
    unexpected: [...idsBySlot.keys()].filter((k) => !wanted.has(k)).sort(),
    mixedIds: [...idsBySlot]
      .filter(([, ids]) => ids.size > 1)
      .map(([slot, ids]) => `${slot}: ${[...ids].join(' / ')}`),
    sameWorkerTwice: [...startsByRun]
      .filter(([, starts]) => starts.length > 1)
      .map(([run, starts]) => `${run} started ${starts.length} times`),
    ranInTwoWorkers: [...pidsById].filter(([, pids]) => pids.size > 1).map(([id]) => id),
    cutOff: [...startsByRun].filter(([run]) => !ended.has(run)).flatMap(([, starts]) => starts),
    completed,
  };
}

/** One line of a center's log (LOG_FORMAT=json), with the process it came from. */
export interface LogLine {
  process: string;
  at: number;
  level: number;
  context: string;
  msg: string;
}

/** The pino lines of a center's stdout (others, e.g. a crash trace, are left out). */
export function parseLogLines(processLabel: string, stdout: string): LogLine[] {
  const out: LogLine[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const o = JSON.parse(line) as {
        time?: number;
        level?: number;
        context?: string;
        msg?: string;
      };
      if (typeof o.time !== 'number' || typeof o.msg !== 'string') continue;
      out.push({
        process: processLabel,
        at: o.time,
        level: o.level ?? 0,
        context: o.context ?? '',
        msg: o.msg,
      });
    } catch {
      // a line cut short by SIGKILL
    }
  }
  return out;
}

/**
 * The conditions `ConditionLog` logs (background/condition-log.ts): a warning
 * `<condition>: <error>` when it starts failing, `<condition>: recovered after Ns (k failures)`
 * when it clears. Names as the centre's code spells them.
 */
export const CONDITIONS = [
  'dispatch: publishing to Kafka',
  'dispatch: advancing tasks',
  'dispatch: reading due tasks',
  'dispatch: reading task changes',
  'dispatch leases',
  'run timers',
  'retention purge failed (retried next pass)',
];

export interface ConditionEpisode {
  process: string;
  condition: string;
  startAt: number;
  /** Undefined when no recovery line followed (the process died, or it still fails). */
  endAt?: number;
  startLine: string;
}

export interface ConditionReport {
  episodes: ConditionEpisode[];
  /** A start after a start, or a recovery without a start, in one process. */
  outOfOrder: string[];
}

const RECOVERED = /^(.*): recovered after \d+s \(\d+ failures\)$/;

/** Outages logged outside ConditionLog, as their start and end lines. */
export const OTHER_OUTAGES = [
  {
    // leases/shard-leases.ts: a replica that cannot publish hands its shards over
    condition: 'leases: cannot publish to Kafka',
    start: /^cannot publish to Kafka for \d+s: handing \d+ shards/,
    end: /^Kafka answers again after \d+s/,
  },
];

/** Whether `msg` starts or ends an outage, and which. */
export function outageLine(msg: string): { condition: string; kind: 'start' | 'end' } | undefined {
  const other = OTHER_OUTAGES.find((o) => o.start.test(msg) || o.end.test(msg));
  if (other) return { condition: other.condition, kind: other.start.test(msg) ? 'start' : 'end' };
  const condition = CONDITIONS.find((c) => msg.startsWith(`${c}: `));
  if (!condition) return undefined;
  return { condition, kind: RECOVERED.exec(msg)?.[1] === condition ? 'end' : 'start' };
}

/** Folds each process's outage lines into episodes, in log order. */
export function conditionEpisodes(lines: LogLine[]): ConditionReport {
  const episodes: ConditionEpisode[] = [];
  const outOfOrder: string[] = [];
  const open = new Map<string, ConditionEpisode>();
  for (const l of lines) {
    const line = outageLine(l.msg);
    if (!line) continue;
    const key = `${l.process}|${line.condition}`;
    const at = `${l.process} ${new Date(l.at).toISOString()}`;
    if (line.kind === 'end') {
      const episode = open.get(key);
      if (episode) {
        episode.endAt = l.at;
        open.delete(key);
      } else {
        outOfOrder.push(`${at}: an end without a start: ${l.msg}`);
      }
      continue;
    }
    if (open.has(key)) {
      outOfOrder.push(`${at}: a second start line: ${l.msg}`);
      continue;
    }
    const episode = {
      process: l.process,
      condition: line.condition,
      startAt: l.at,
      startLine: l.msg,
    };
    open.set(key, episode);
    episodes.push(episode);
  }
  return { episodes, outOfOrder };
}

/** The `q` quantile (0..1) of `values`, nearest rank; NaN when empty. */
export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export function percentiles(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return 'none';
  return `p50 ${quantile(sorted, 0.5)} ms, p90 ${quantile(sorted, 0.9)} ms, p99 ${quantile(sorted, 0.99)} ms, max ${sorted.at(-1)} ms`;
}
