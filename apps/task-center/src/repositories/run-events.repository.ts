import { type FireKey, type RunEvent } from '../runs/run-records';

/** A failure event (`failed`, `timeout`, `dead`) as the error report reads it. */
export type FailureEvent = Pick<
  RunEvent,
  'kind' | 'messageId' | 'taskId' | 'name' | 'scheduledAt' | 'at' | 'error'
>;

/** Per UTC day, per task name, per event kind. */
export interface RunCount {
  name: string;
  kind: RunEvent['kind'];
  count: number;
}

/**
 * The `run_events` collection: what happened to each attempt. Insert-only with deterministic
 * ids, so a replayed outcome is a no-op.
 */
export abstract class RunEventsRepository {
  /** Inserts events; ones that exist already are ignored. */
  abstract insert(events: RunEvent[]): Promise<void>;
  /** Which of these event ids exist. */
  abstract existing(ids: string[]): Promise<Set<string>>;
  /** Events of a task's fires scheduled in [from, to]. */
  abstract between(taskId: string, from: number, to: number): Promise<RunEvent[]>;
  abstract countsOfDay(day: string): Promise<RunCount[]>;
  /** Events of these fires. */
  abstract ofFires(fires: FireKey[]): Promise<RunEvent[]>;
  /** Failure events recorded in [from, to) ms, streamed (memory stays flat whatever the count). */
  abstract failures(from: number, to: number): AsyncIterable<FailureEvent>;
  /** Deletes the documents of retention bucket `rb` in one equality statement; how many. */
  abstract deleteBucket(rb: number): Promise<number>;
  /** The oldest retention bucket stored, null when none (read once, when the purge starts). */
  abstract oldestBucket(): Promise<number | null>;
}
