import { type TaskStatus, type TaskType } from '@task-center/contracts';

// The task center's HTTP shapes (snake_case and unix seconds, as in seed 002), copied from
// apps/task-center/src/tasks/dto and task.view.ts: the SDK is published without the server.

export type MisfirePolicy = 'fire_once' | 'skip' | 'fire_all';

export interface RetryPolicy {
  /** Deliveries in total, the first included (1 = no retry). */
  max_attempts?: number;
  backoff?: 'exponential' | 'fixed';
  /** First retry delay, seconds. */
  delay?: number;
  /** Cap on exponential delays, seconds. */
  max_delay?: number;
  /** Explicit delays in seconds, one per retry: `[60, 600, 3600]` or `"60 600 3600"`. */
  intervals?: number[] | string;
}

/** A task's definition. As in the seed, 0 and "" in optional fields mean "not set". */
export interface TaskDefinition {
  /** The tag workers subscribe to. */
  name: string;
  type: TaskType;
  /** Delivered to the worker byte for byte. */
  data: string;
  /** Type 3: 5 fields, or 6 with leading seconds. */
  crontab?: string;
  /** Type 2: seconds between fires. */
  loop_time?: number;
  /** Types 2, 3: fires at most (0 = unlimited). */
  loop_count?: number;
  /** Unix seconds. */
  start_time?: number;
  /** Unix seconds. */
  end_time?: number;
  /** Seconds a handler may run. */
  max_runtime?: number;
  ack?: boolean;
  /** IANA zone for crontab evaluation. */
  timezone?: string;
  /** Idempotency / business key, unique among live tasks. */
  key?: string;
  /** Publish to this allowed topic instead of the default. */
  topic?: string;
  retry?: RetryPolicy;
  misfire?: MisfirePolicy;
}

export interface CreateTaskRequest extends TaskDefinition {
  /** With `key`: update the existing task instead of returning it. */
  upsert?: boolean;
}

export interface CreateTaskResponse {
  taskid: string;
  name: string;
  /** False when `key` matched an existing task. */
  created: boolean;
}

/** Fields to change; absent fields keep their value. */
export type UpdateTaskRequest = Partial<TaskDefinition>;

export interface PreviewTaskRequest {
  type: TaskType;
  crontab?: string;
  loop_time?: number;
  loop_count?: number;
  start_time?: number;
  end_time?: number;
  timezone?: string;
  /** How many fire times (default 10, at most 1000). */
  count?: number;
}

export interface PreviewFire {
  /** Unix seconds. */
  at: number;
  iso: string;
}

/** A task as the API returns it. Optional fields the task does not set are absent. */
export interface Task {
  _id: string;
  name: string;
  type: TaskType;
  data: string;
  crontab?: string;
  loop_time?: number;
  loop_count?: number;
  start_time?: number;
  end_time?: number;
  max_runtime?: number;
  ack?: boolean;
  /** Unix seconds. */
  created_at: number;
  timezone?: string;
  key?: string;
  topic?: string;
  retry?: {
    max_attempts?: number;
    backoff?: 'exponential' | 'fixed';
    delay?: number;
    max_delay?: number;
    intervals?: number[];
  };
  misfire?: MisfirePolicy;
  status: TaskStatus;
  /** Unix seconds, null when the task will not fire again. */
  next_run_at: number | null;
  /** Unix seconds of queued run-now fires. */
  manual_runs: number[];
  run_count: number;
  last_run_at: number | null;
  updated_at: number;
}

export interface TaskPage {
  /** Newest first. */
  tasks: Task[];
  /** Pass as `cursor` for the next page; absent on the last page. */
  nextCursor?: string;
}

// ---- Search (GET /v1/api/tasks, /runs, /run-errors) and runs: docs/api.md, README "Runs".
// Query parameters keep the API's snake_case names; a list is sent comma-separated.

/** The statuses `GET /v1/api/tasks` can filter by (deleted tasks are never listed). */
export type SearchableTaskStatus = 'active' | 'paused' | 'completed';

/** `GET /v1/api/tasks`: every filter given must hold. */
export interface SearchTasksFilters {
  /** Exact name; not together with `name_prefix`. */
  name?: string;
  /** Names starting with this (case-sensitive); not together with `name`. */
  name_prefix?: string;
  /** One status or several; default all three. */
  status?: SearchableTaskStatus | SearchableTaskStatus[];
  type?: TaskType;
  /** Tasks created with this `topic` (a task on the default topic has none). */
  topic?: string;
  /** The live task with this idempotency key. */
  key?: string;
  /** Unix seconds: `next_run_at >= next_run_after`. */
  next_run_after?: number;
  /** Unix seconds: `next_run_at < next_run_before`. */
  next_run_before?: number;
  /** `created_at` (default): newest first. `next_run_at`: soonest first, then no next run. */
  sort?: 'created_at' | 'next_run_at';
  /** 1..1000, default 50. */
  limit?: number;
  /** The `next_cursor` of the previous page, with the same sort and filters. */
  cursor?: string;
  /** Also answer `total` (counted up to 10,000) and `total_capped`. */
  count?: boolean;
}

export interface TaskSearchPage {
  tasks: Task[];
  /** Pass as `cursor` for the next page; null on the last page. */
  next_cursor: string | null;
  /** With `count: true`: the matches, at most 10,000. */
  total?: number;
  /** With `count: true`: true when there are more than `total`. */
  total_capped?: boolean;
}

/** `state=` of `GET /v1/api/runs`. */
export type RunSearchState = 'pending' | 'succeeded' | 'failed' | 'timeout' | 'dead';

/** A fire's state, folded from its records. */
export type FireState = 'dispatched' | 'succeeded' | 'retrying' | 'dead';

/** `GET /v1/api/runs`. */
export interface RunsFilters {
  /** One state or several. */
  state?: RunSearchState | RunSearchState[];
  /** Task name, exact. */
  name?: string;
  /** One task. */
  task_id?: string;
  /** Unix seconds of the scheduled time, inclusive; default `to` − 24 h; at most 7 days. */
  from?: number;
  /** Unix seconds, exclusive; default now. */
  to?: number;
  /** 1..500, default 50. */
  limit?: number;
  /** The `next_cursor` of the previous page, unchanged. */
  cursor?: string;
}

export interface FireOutcome {
  result: 'succeeded' | 'failed' | 'timeout' | 'dead' | 'redriven';
  /** Epoch ms the center recorded it. */
  at_ms: number;
  error?: string;
  duration_ms?: number;
  worker?: { id: string; group: string; host: string; pid: number };
}

export interface FireAttempt {
  attempt: number;
  /** `<task id>:<scheduled ms>:<attempt>`. */
  message_id: string;
  /** Absent while only an outcome is known. */
  published_at_ms?: number;
  /** A run-now fire. */
  manual?: boolean;
  outcomes: FireOutcome[];
}

/** One fire with its attempts (instants in epoch ms, like message ids). */
export interface Fire {
  /** `<task id>:<scheduled ms>`. */
  fire_id: string;
  task_id: string;
  name: string;
  scheduled_at_ms: number;
  state: FireState;
  attempts: FireAttempt[];
  last_error?: string;
}

export interface RunsPage {
  /** Newest first; with `state`, a page may hold fewer than `limit` and still go on. */
  fires: Fire[];
  /** Pass as `cursor` for the next page; null at the end of the window. */
  next_cursor: string | null;
}

/** `GET /v1/api/run-errors`: events recorded in `[from, to)`. */
export interface RunErrorsRange {
  /** Unix seconds, inclusive; default `to` − 24 h; at most 7 days. */
  from?: number;
  /** Unix seconds, exclusive; default now. */
  to?: number;
  /** 1..100, default 20. */
  limit?: number;
}

export interface RunErrorGroup {
  /** The error message ("" for events without one). */
  error: string;
  /** `failed`, `timeout` and `dead` events with this message. */
  count: number;
  /** Unix seconds. */
  first_seen: number;
  /** Unix seconds. */
  last_seen: number;
  /** Up to 10 task names, first seen first. */
  names: string[];
  /** The latest event. */
  example: { fire_id: string; message_id: string };
}

export interface TaskRunsPage {
  /** Newest first. */
  fires: Fire[];
  /** From the X-Next-Cursor header; absent on the last page. */
  nextCursor?: string;
}

/** A dead fire not redriven yet. */
export interface DeadLetter {
  message_id: string;
  fire_id: string;
  task_id: string;
  name: string;
  scheduled_at_ms: number;
  attempts: number;
  last_error: string;
  dead_at_ms: number;
  topic: string;
  headers: Record<string, string>;
}

export interface DeadLetterPage {
  /** Newest first. */
  deadLetters: DeadLetter[];
  /** From the X-Next-Cursor header; absent on the last page. */
  nextCursor?: string;
}

export interface RedriveResult {
  message_id: string;
  /** The attempt the redrive publishes. */
  attempt: number;
}

export interface RunCounts {
  succeeded: number;
  failed: number;
  timeout: number;
  dead: number;
}

/** `GET /v1/api/run-stats`: one UTC day. */
export interface RunStats {
  /** YYYY-MM-DD. */
  date: string;
  /** Approximate: due tasks and redeliveries not published yet. */
  backlog: { tasks: number; redeliveries: number };
  totals: RunCounts;
  by_name: Record<string, RunCounts>;
}

/** A worker process, as its heartbeats describe it. */
export interface WorkerInfo {
  id: string;
  group: string;
  host: string;
  pid: number;
  sdk: string;
  tags: string[];
  alive: boolean;
  stopping: boolean;
  last_seen_ms: number;
  interval_ms: number;
}

export interface WorkersView {
  workers: WorkerInfo[];
  /** Live worker ids per tag. */
  by_tag: Record<string, string[]>;
}

/** What `POST /v1/api/bulk-task-action` does to each task. */
export type BulkTaskAction = 'pause' | 'resume' | 'delete';

/** Which live tasks a bulk action by filter selects: every field given must hold. */
export interface BulkTaskFilter {
  /** Exact name; not together with `name_prefix`. */
  name?: string;
  name_prefix?: string;
  /** Default: the statuses the action changes (pause: active, resume: paused, delete: all). */
  status?: SearchableTaskStatus[];
  type?: TaskType;
}

/**
 * By `ids` (1..1000; a write key) or by `filter` (at least one field; an admin key), never
 * both. `limit` (1..1000, default 1000) bounds a request by filter.
 */
export type BulkTaskActionRequest =
  | { action: BulkTaskAction; ids: string[] }
  | { action: BulkTaskAction; filter: BulkTaskFilter; limit?: number };

/** One task's result: `ok` with its status after the action, or the error it alone got. */
export type BulkTaskResult =
  | { taskid: string; ok: true; status: TaskStatus }
  | { taskid: string; ok: false; err: number; msg: string };

export interface BulkTaskActionResult {
  action: BulkTaskAction;
  /** By ids: one per id, in the order given. By filter: newest task first. */
  results: BulkTaskResult[];
  succeeded: number;
  failed: number;
  /** By filter: more tasks match; send the same request again. */
  more: boolean;
}

/** Which dead letters a redrive by filter selects; `since`/`until` are unix seconds of death. */
export interface DeadLetterFilter {
  name?: string;
  since?: number;
  /** Exclusive; later than `since`. */
  until?: number;
}

/** By `message_ids` (1..1000; a write key) or by `filter` (an admin key), never both. */
export type RedriveDeadLettersRequest =
  { message_ids: string[] } | { filter: DeadLetterFilter; limit?: number };

export type RedriveItemResult =
  | { message_id: string; ok: true; redriven_as: string; attempt: number }
  | { message_id: string; ok: false; err: number; msg: string };

export interface RedriveDeadLettersResult {
  /** By message ids: one per id, in the order given. By filter: oldest dead first. */
  results: RedriveItemResult[];
  succeeded: number;
  failed: number;
  /** By filter: more dead letters match; send the same request again. */
  more: boolean;
}
