/**
 * Events workers publish on the results topic (JSON values, UTF-8). The task center consumes
 * them to keep the run history, schedule redeliveries and list live workers.
 *
 * Every event carries `kind`; the message key is the task id for outcomes (per-task order)
 * and the worker id for heartbeats. The Kafka header `tc-event` repeats `kind`.
 */
export const WORKER_EVENT_VERSION = 1;

export const EVENT_KIND_HEADER = 'tc-event';

/** Who ran a handler: enough to find the process. */
export interface WorkerIdentity {
  /** Unique per worker process (random at start). */
  id: string;
  /** The Kafka consumer group of the worker's service. */
  group: string;
  host: string;
  pid: number;
  /** The SDK's package version. */
  sdk: string;
}

/** The result of one handler run for one delivered fire. */
export interface FireOutcomeEvent {
  kind: 'outcome';
  v: typeof WORKER_EVENT_VERSION;
  messageId: string;
  taskId: string;
  tag: string;
  /** The attempt number the fire carried (`tc-attempt`). */
  attempt: number;
  /** Epoch ms of the slot (`tc-scheduled-at`). */
  scheduledAt: number;
  result: 'succeeded' | 'failed';
  /** The handler's error message (at most 2,000 characters) when it failed. */
  error?: string;
  /** True when the attempt failed because it ran past `max_runtime`. */
  timedOut?: boolean;
  /**
   * Failed only: the next attempt should wait at least this long (ms), e.g. an HTTP
   * `Retry-After`. The center waits for the longer of it and the task's backoff, capped by
   * RUNS_RETRY_AFTER_MAX_S.
   */
  retryAfterMs?: number;
  /** Epoch ms when the handler started. */
  startedAt: number;
  durationMs: number;
  worker: WorkerIdentity;
}

/** Sent every few seconds by a running worker, and once with `stopping: true` on stop. */
export interface WorkerHeartbeatEvent {
  kind: 'heartbeat';
  v: typeof WORKER_EVENT_VERSION;
  worker: WorkerIdentity;
  /** Tags with a handler ('*' when the worker takes every tag). */
  tags: string[];
  /** Epoch ms at which the event was sent. */
  at: number;
  /** Milliseconds until the next heartbeat; the center treats 3 missed ones as dead. */
  intervalMs: number;
  stopping?: boolean;
}

export type WorkerEvent = FireOutcomeEvent | WorkerHeartbeatEvent;
