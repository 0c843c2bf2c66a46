import { type HttpTarget, type TaskStatus, type TaskType } from '@task-center/contracts';
import { type MisfirePolicy, type RetryPolicy } from '../scheduling';

/** How a failed fire is redelivered: defined beside the pure retry rules. */
export type { RetryPolicy } from '../scheduling';

/** The definition a user controls: everything that create and update accept. */
export interface TaskDefinition {
  name: string;
  type: TaskType;
  data: string;
  crontab?: string;
  /** Seconds. */
  loopTime?: number;
  /** 0 or absent: unlimited. */
  loopCount?: number;
  /** Unix seconds. */
  startTime?: number;
  /** Unix seconds. */
  endTime?: number;
  /** Seconds. */
  maxRuntime?: number;
  ack: boolean;
  timezone: string;
  key?: string;
  topic?: string;
  /** Call a URL at every fire (the HTTP topic) instead of publishing for SDK workers. */
  target?: HttpTarget;
  retry?: RetryPolicy;
  misfire: MisfirePolicy;
}

/** A stored task: its definition plus the state the scheduler keeps. Instants in epoch ms. */
export interface Task extends TaskDefinition {
  id: string;
  status: TaskStatus;
  /** Next regular slot, or null when none remains (completed) or the task is paused/deleted. */
  nextRunAt: number | null;
  /** Extra fires requested with "run now", not yet published. */
  manualRuns: number[];
  runCount: number;
  lastRunAt: number | null;
  createdAt: number;
  updatedAt: number;
  /** Bumped by every change of definition or status; the dispatcher fences on it. */
  version: number;
  /** Dispatch shard, fixed at creation. */
  shard: number;
  /** Earliest pending fire (regular or manual) of an active task, else null. */
  dueAt: number | null;
}

/** What the repository needs to insert a task: the service has computed its first slot. */
export type NewTask = TaskDefinition & Pick<Task, 'status' | 'nextRunAt' | 'createdAt'>;

/** The earliest pending fire of an active task; null keeps it out of the due scan. */
export function dueAt(
  status: Task['status'],
  nextRunAt: number | null,
  manualRuns: number[],
): number | null {
  if (status !== 'active') return null;
  const pending = nextRunAt === null ? manualRuns : [nextRunAt, ...manualRuns];
  return pending.length === 0 ? null : Math.min(...pending);
}
