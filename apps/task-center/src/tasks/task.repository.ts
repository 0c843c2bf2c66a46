import { type TaskStatus } from '@task-center/contracts';
import { type NewTask, type Task, type TaskDefinition } from './task';

export interface TaskPage {
  tasks: Task[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** A second task already holds the idempotency key. */
export class DuplicateKeyError extends Error {
  override readonly name = 'DuplicateKeyError';
}

/** Changes that replace a task's definition and schedule state together. */
export type TaskReplacement = TaskDefinition & Pick<Task, 'status' | 'nextRunAt'>;

/**
 * Persistence of tasks: the only place that knows about MongoDB. Services receive plain
 * {@link Task} objects. Deleted tasks are invisible to every read here.
 */
export abstract class TaskRepository {
  /** @throws DuplicateKeyError when `key` is taken. */
  abstract insert(task: NewTask): Promise<Task>;
  abstract findById(id: string): Promise<Task | null>;
  /** The live tasks among `ids` (repeats allowed), by id: one `_id` lookup each, a few at a time. */
  abstract findByIds(ids: string[]): Promise<Map<string, Task>>;
  abstract findByKey(key: string): Promise<Task | null>;
  /** Newest first; `cursor` is the `nextCursor` of the previous page. */
  abstract listByName(name: string, limit: number, cursor?: string): Promise<TaskPage>;
  /** Marks tasks deleted (frees their keys); returns the ids that existed and were live. */
  abstract markDeleted(ids: string[], now: number): Promise<string[]>;
  abstract markDeletedByName(name: string, now: number): Promise<string[]>;
  /**
   * Replaces definition and schedule if the task is still at `version`.
   * @returns the updated task, or null if it is gone or changed meanwhile.
   * @throws DuplicateKeyError when the new `key` is taken.
   */
  abstract replace(
    id: string,
    version: number,
    next: TaskReplacement,
    now: number,
  ): Promise<Task | null>;
  /** Moves a task from one status to another; null if it was not in `from`. */
  abstract transition(
    id: string,
    from: TaskStatus,
    to: TaskStatus,
    nextRunAt: number | null,
    now: number,
  ): Promise<Task | null>;
  /** Queues one extra fire at `at` for an active task; null if there is no such active task. */
  abstract addManualRun(id: string, at: number, now: number): Promise<Task | null>;
}
