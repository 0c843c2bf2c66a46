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
