import { type FireKey, type FireRecord } from '../runs/run-records';

/** Fires across tasks scheduled in [from, to) ms, optionally of one name or one task. */
export interface FireSearch {
  from: number;
  to: number;
  name?: string;
  taskId?: string;
  /** Only fires after this one in the order (newest first: scheduled time, then task id). */
  after?: FireKey;
  limit: number;
}

/**
 * The `fires` collection: one record per published attempt, written by whoever published it
 * (the dispatcher for attempt 1, the run timers for redeliveries).
 */
export abstract class FiresRepository {
  /** Inserts fire records; ones that exist already (a re-publish) are ignored. */
  abstract record(fires: FireRecord[]): Promise<void>;
  abstract findById(messageId: string): Promise<FireRecord | null>;
  /** Scheduled times (ms) of a task's fires (attempt 1), newest first, strictly before `before`. */
  abstract scheduledTimes(taskId: string, limit: number, before?: number): Promise<number[]>;
  /** Every attempt of a task's fires scheduled in [from, to]. */
  abstract between(taskId: string, from: number, to: number): Promise<FireRecord[]>;
  /**
   * Fires (attempt 1, one per fire) matching `q`, newest first by scheduled time then task id
   * (= message id order), at most `q.limit`.
   */
  abstract search(q: FireSearch): Promise<FireKey[]>;
  /** Every attempt of these fires. */
  abstract ofFires(fires: FireKey[]): Promise<FireRecord[]>;
  /** Deletes the documents of retention bucket `rb` in one equality statement; how many. */
  abstract deleteBucket(rb: number): Promise<number>;
  /** The oldest retention bucket stored, null when none (read once, when the purge starts). */
  abstract oldestBucket(): Promise<number | null>;
}
