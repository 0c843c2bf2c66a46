import { type RunEvent } from '../runs/run-records';

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
}
