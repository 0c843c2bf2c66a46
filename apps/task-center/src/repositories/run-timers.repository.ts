import { type RunTimer, type RunTimerKind } from '../runs/run-records';

/**
 * The `run_timers` collection: durable timers (redeliveries, ack deadlines, dead letters).
 * Inserting a timer is its claim; it is deleted once acted on.
 */
export abstract class RunTimersRepository {
  /** Inserts timers; returns the ones this call inserted (the others were claimed before). */
  abstract claim(timers: RunTimer[]): Promise<RunTimer[]>;
  /** Timers of one shard due in one second (equality lookup on `due_slot`). */
  abstract inSlot(shard: number, bucket: number): Promise<RunTimer[]>;
  /** Every timer of a shard due by `until`, earliest first (catch-up: a range). */
  abstract dueBy(shard: number, until: number, limit: number): Promise<RunTimer[]>;
  abstract delete(ids: string[]): Promise<void>;
  /** Timers of this kind due by `now` (the redelivery backlog). */
  abstract countDueBy(kind: RunTimerKind, now: number): Promise<number>;
}
