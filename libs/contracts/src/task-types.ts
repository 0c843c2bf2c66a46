/** The three task kinds of the original task center, with their wire values. */
export enum TaskType {
  /** Fires once, at `start_time` or immediately. */
  OneShot = 1,
  /** Fires every `loop_time` seconds, anchored to the first fire. */
  Loop = 2,
  /** Fires on a crontab expression, evaluated in the task's time zone. */
  Crontab = 3,
}

export const TASK_TYPES: readonly TaskType[] = [TaskType.OneShot, TaskType.Loop, TaskType.Crontab];

export type TaskStatus = 'active' | 'paused' | 'completed' | 'deleted';

export const TASK_STATUSES: readonly TaskStatus[] = ['active', 'paused', 'completed', 'deleted'];
