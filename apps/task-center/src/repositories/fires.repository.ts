import { type FireRecord } from '../runs/run-records';

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
}
