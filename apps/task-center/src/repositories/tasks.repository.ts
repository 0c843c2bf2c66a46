import { type TaskStatus, type TaskType } from '@task-center/contracts';
import { type NewTask, type Task, type TaskDefinition } from '../tasks/task';
import { type Advance } from '../tasks/task-advance';

export interface TaskPage {
  tasks: Task[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** What a task search matches: every given field must hold. Instants in epoch ms. */
export interface TaskSearchFilter {
  /** Live statuses only (never 'deleted'); at least one. */
  statuses: TaskStatus[];
  name?: string;
  namePrefix?: string;
  type?: TaskType;
  topic?: string;
  key?: string;
  /** next_run_at >= this. */
  nextRunFrom?: number;
  /** next_run_at < this. */
  nextRunBefore?: number;
}

/**
 * `created_at`: newest first (ties: larger id first). `next_run_at`: soonest first (ties:
 * smaller id first), then the tasks without a next run, by id.
 */
export type TaskSearchSort = 'created_at' | 'next_run_at';

/** Where a page ended: the last task's sort key (null: no next run) and id. */
export interface TaskSearchPosition {
  key: number | null;
  id: string;
}

/** A second task already holds the idempotency key. */
export class DuplicateKeyError extends Error {
  override readonly name = 'DuplicateKeyError';
}

/** Changes that replace a task's definition and schedule state together. */
export type TaskReplacement = TaskDefinition & Pick<Task, 'status' | 'nextRunAt'>;

/** Tasks counted by type and status. */
export interface TaskCount {
  type: number;
  status: string;
  count: number;
}

/**
 * The `tasks` collection: the API's writes, the dispatcher's due reads and write-backs, the
 * metrics' counts. Callers receive plain {@link Task} objects. Deleted tasks are invisible
 * to every read by id, key or name.
 */
export abstract class TasksRepository {
  /** @throws DuplicateKeyError when `key` is taken. */
  abstract insert(task: NewTask): Promise<Task>;
  /**
   * Inserts tasks in one round trip, each on its own (no transaction: one failing leaves the
   * others inserted). Per task, in order: the stored task, a DuplicateKeyError when its `key`
   * is taken, or the error the database gave for it.
   */
  abstract insertMany(tasks: NewTask[]): Promise<(Task | Error)[]>;
  abstract findById(id: string): Promise<Task | null>;
  /** The live tasks among `ids` (repeats allowed), by id: one `_id` lookup each, a few at a time. */
  abstract findByIds(ids: string[]): Promise<Map<string, Task>>;
  abstract findByKey(key: string): Promise<Task | null>;
  /** Newest first; `cursor` is the `nextCursor` of the previous page. */
  abstract listByName(name: string, limit: number, cursor?: string): Promise<TaskPage>;
  /** Up to `limit` live tasks matching `filter` in `sort` order, strictly after `after`. */
  abstract search(
    filter: TaskSearchFilter,
    sort: TaskSearchSort,
    limit: number,
    after?: TaskSearchPosition,
  ): Promise<Task[]>;
  /** How many live tasks match `filter`, counting no further than `limit`. */
  abstract countMatching(filter: TaskSearchFilter, limit: number): Promise<number>;
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

  /** Tasks whose due time falls in this shard's second (equality lookup). */
  abstract dueInSlot(shard: number, bucket: number): Promise<Task[]>;
  /** Everything due by `until` in a shard, earliest first: catch-up after a takeover. */
  abstract dueBy(shard: number, until: number, limit: number): Promise<Task[]>;
  /**
   * Writes advances (at most one per task: their order does not matter) in bulk. A task the
   * API changed since it was loaded gets the advance merged into its new state instead (its
   * fires still count); a deleted task is left as it is. Returns the advances another advance
   * of the same version superseded (the dispatcher reads those tasks again).
   */
  abstract advance(advances: Advance[]): Promise<Advance[]>;

  /**
   * The counts below scan the collection (no index helps a count of everything, and
   * FerretDB's SQLite backend scans on any filter other than `_id`): callers cache them.
   */
  abstract countByTypeAndStatus(): Promise<TaskCount[]>;
  /**
   * Distinct names of tasks that will fire again (status active) for SDK workers: tasks with
   * an HTTP target are the delivery worker's, whatever their name.
   */
  abstract activeNames(): Promise<string[]>;
  /** Whether any active task has an HTTP target (the delivery worker must be alive). */
  abstract hasActiveHttpTargets(): Promise<boolean>;
  /** Active tasks due by `now`, not yet published (the backlog). */
  abstract countDueBy(now: number): Promise<number>;
  /**
   * The ids among `ids` that have a task document, deleted tasks included: an outcome for any
   * other id is another deployment's (runs/known-tasks.ts).
   */
  abstract knownIds(ids: string[]): Promise<Set<string>>;

  /**
   * Deletes the completed and deleted tasks that finished in retention bucket `rb` (one
   * equality statement); how many. Active and paused tasks carry no bucket.
   */
  abstract deleteFinishedBucket(rb: number): Promise<number>;
  /** The oldest retention bucket of a finished task, null when none. */
  abstract oldestFinishedBucket(): Promise<number | null>;
}
