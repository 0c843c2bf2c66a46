import { type Task } from '../tasks/task';

/** What one publish did to a task, to be written back. */
export interface Advance {
  /** The task as the dispatcher loaded it: the write applies only if it is still so. */
  before: Task;
  nextRunAt: number | null;
  manualRuns: number[];
  /** Regular fires made (manual runs do not count against loop_count). */
  fired: number;
  lastRunAt: number;
  now: number;
}

export interface FireRecord {
  messageId: string;
  taskId: string;
  name: string;
  scheduledAt: number;
  publishedAt: number;
  attempt: number;
  manual: boolean;
}

/** The dispatcher's reads and writes of tasks and fires. */
export abstract class DispatchStore {
  /** Tasks whose due time falls in this shard's second (equality lookup). */
  abstract dueInSlot(shard: number, bucket: number): Promise<Task[]>;
  /** Everything due by `until` in a shard, earliest first: catch-up after a takeover. */
  abstract dueBy(shard: number, until: number, limit: number): Promise<Task[]>;
  /** Current state of these tasks (any status); ids not found are left out. */
  abstract byIds(ids: string[]): Promise<Task[]>;
  /**
   * Writes advances (at most one per task: their order does not matter) in bulk. A task the API changed since it was loaded gets the
   * advance merged into its new state instead (its fires still count).
   */
  abstract advance(advances: Advance[]): Promise<void>;
  /** Inserts fire records; ones that exist already (a re-publish) are ignored. */
  abstract recordFires(records: FireRecord[]): Promise<void>;
}
