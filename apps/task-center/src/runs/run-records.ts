import { messageIdOf } from '@task-center/contracts';
import { type WorkerIdentity } from '@task-center/contracts';

/**
 * What happened to one attempt of one fire. Insert-only, `_id` = `<message id>:<kind>`: a
 * duplicate outcome (Kafka redelivers the results topic, a second worker of the same service)
 * is a no-op insert, and "did attempt n get an answer?" is two `_id` lookups.
 */
export type RunEventKind = 'succeeded' | 'failed' | 'timeout' | 'dead' | 'redriven';

export interface RunEvent {
  id: string;
  kind: RunEventKind;
  messageId: string;
  taskId: string;
  name: string;
  scheduledAt: number;
  attempt: number;
  /** Epoch ms when the center recorded it. */
  at: number;
  /** UTC day of `at` (YYYY-MM-DD): the stats' grouping key. */
  day: string;
  error?: string;
  startedAt?: number;
  durationMs?: number;
  worker?: WorkerIdentity;
}

export const runEventId = (messageId: string, kind: RunEventKind): string => `${messageId}:${kind}`;

/** Which attempt of which fire an event or a timer is about. */
export interface AttemptRef {
  taskId: string;
  name: string;
  scheduledAt: number;
  attempt: number;
}

/**
 * The one way a run event is made: `_id` from the message id and the kind, `day` from `at`.
 * `messageId` defaults to the attempt's (`messageIdOf`); optional details absent stay absent.
 */
export function runEvent(
  kind: RunEventKind,
  of: AttemptRef,
  at: number,
  details: Pick<RunEvent, 'error' | 'startedAt' | 'durationMs' | 'worker'> & {
    messageId?: string;
  } = {},
): RunEvent {
  const { messageId = messageIdOf(of.taskId, of.scheduledAt, of.attempt), ...rest } = details;
  const event: RunEvent = {
    id: runEventId(messageId, kind),
    kind,
    messageId,
    taskId: of.taskId,
    name: of.name,
    scheduledAt: of.scheduledAt,
    attempt: of.attempt,
    at,
    day: utcDay(at),
  };
  for (const [key, value] of Object.entries(rest))
    if (value !== undefined) Object.assign(event, { [key]: value });
  return event;
}

/**
 * A durable timer, due at `dueAt`, acted on by the replica that owns `shard`:
 * - `redeliver`: publish attempt `attempt` (a retry or a redrive);
 * - `deadline`: attempt `attempt` of an `ack` task must have an outcome by now;
 * - `dead`: attempt `attempt` was the last: dead-letter the fire.
 * `_id` = `<r|d|x>:<message id>`: inserting it is the claim, so of two replicas (or a
 * failure and a timeout of one attempt) exactly one schedules attempt n+1.
 */
export type RunTimerKind = 'redeliver' | 'deadline' | 'dead';

export interface RunTimer {
  id: string;
  kind: RunTimerKind;
  taskId: string;
  name: string;
  scheduledAt: number;
  attempt: number;
  dueAt: number;
  shard: number;
  /** redeliver: why (failed, timeout, redrive); dead: the last error. */
  reason?: string;
  lastError?: string;
  createdAt: number;
}

const TIMER_PREFIX: Record<RunTimerKind, string> = { redeliver: 'r', deadline: 'd', dead: 'x' };
export const runTimerId = (kind: RunTimerKind, messageId: string): string =>
  `${TIMER_PREFIX[kind]}:${messageId}`;

/**
 * One published attempt of a fire: the dispatcher's first one, or a redelivery. `messageId`
 * = `<task id>:<scheduled ms>:<attempt>`, so re-publishing records nothing new.
 */
export interface FireRecord {
  messageId: string;
  taskId: string;
  name: string;
  scheduledAt: number;
  publishedAt: number;
  attempt: number;
  /** True for a run-now fire. */
  manual: boolean;
}

/** A fire that exhausted its attempts, until it is redriven. `_id` = last message id. */
export interface DeadLetter {
  messageId: string;
  taskId: string;
  name: string;
  scheduledAt: number;
  attempt: number;
  lastError: string;
  deadAt: number;
  topic: string;
  headers: Record<string, string>;
}

/** A worker process as its heartbeats describe it. */
export interface WorkerRecord {
  id: string;
  group: string;
  host: string;
  pid: number;
  sdk: string;
  tags: string[];
  lastSeen: number;
  intervalMs: number;
  stopping: boolean;
}

/** One fire across tasks: what the fire search orders by (scheduled time, then task id). */
export interface FireKey {
  taskId: string;
  scheduledAt: number;
}

/** The parts of a fire id (`<task id>:<scheduled ms>`) and message id (`…:<attempt>`). */
export const fireIdOf = (taskId: string, scheduledAt: number): string => `${taskId}:${scheduledAt}`;

export const utcDay = (at: number): string => new Date(at).toISOString().slice(0, 10);
