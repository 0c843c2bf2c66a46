import {
  type DeadLetter,
  type PublishedAttempt,
  type RunEvent,
  type RunTimer,
  type WorkerRecord,
} from './run-records';

/**
 * The write path of runs: events, timers, published attempts, dead letters. Everything is
 * an insert with a deterministic `_id`, an `_id` lookup or an `_id` delete, because FerretDB v1
 * updates are not atomic and only `_id` equality is cheap on its SQLite backend.
 */
export abstract class RunStore {
  /** Inserts events; ones that exist already are ignored. */
  abstract insertEvents(events: RunEvent[]): Promise<void>;
  /** Which of these event ids exist. */
  abstract existingEvents(ids: string[]): Promise<Set<string>>;
  /** Inserts timers; returns the ones this call inserted (the others were claimed before). */
  abstract claimTimers(timers: RunTimer[]): Promise<RunTimer[]>;
  /** Timers of one shard due in one second (equality lookup on `due_slot`). */
  abstract timersInSlot(shard: number, second: number): Promise<RunTimer[]>;
  /** Every timer of a shard due by `until`, earliest first (catch-up: a range, see the Mongo class). */
  abstract timersDueBy(shard: number, until: number, limit: number): Promise<RunTimer[]>;
  abstract deleteTimers(ids: string[]): Promise<void>;
  /** Records published attempts in the dispatcher's `fires` collection; duplicates ignored. */
  abstract recordAttempts(attempts: PublishedAttempt[]): Promise<void>;
  abstract attempt(messageId: string): Promise<PublishedAttempt | null>;
  abstract insertDeadLetter(dead: DeadLetter): Promise<void>;
  abstract deadLetter(messageId: string): Promise<DeadLetter | null>;
  abstract deleteDeadLetter(messageId: string): Promise<void>;
}

export interface DeadLetterPage {
  items: DeadLetter[];
  nextCursor: string | null;
}

/** Per UTC day, per task name, per event kind. */
export interface RunCount {
  name: string;
  kind: RunEvent['kind'];
  count: number;
}

/** The API's reads. Costs are stated per method in the Mongo class. */
export abstract class RunHistoryReader {
  /** Scheduled times (ms) of a task's fires, newest first, strictly before `before`. */
  abstract fireTimes(taskId: string, limit: number, before?: number): Promise<number[]>;
  /** Published attempts and events of a task's fires scheduled in [from, to]. */
  abstract firesBetween(
    taskId: string,
    from: number,
    to: number,
  ): Promise<{ attempts: PublishedAttempt[]; events: RunEvent[] }>;
  abstract deadLetters(limit: number, cursor?: string): Promise<DeadLetterPage>;
  abstract countsOfDay(day: string): Promise<RunCount[]>;
  /** Active tasks due by `now` and redeliveries due by `now`: not yet published. */
  abstract backlog(now: number): Promise<{ tasks: number; redeliveries: number }>;
}

export abstract class WorkerStore {
  abstract save(worker: WorkerRecord): Promise<void>;
  /** Workers heard from since `since`. */
  abstract seenSince(since: number): Promise<WorkerRecord[]>;
}
