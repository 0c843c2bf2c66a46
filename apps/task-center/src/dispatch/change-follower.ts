import { type Logger } from '@nestjs/common';
import { type ConditionLog } from '../background/condition-log';
import { SingleFlight } from '../background/single-flight';
import {
  type TaskChange,
  type TaskChangesRepository,
} from '../repositories/task-changes.repository';
import { type Task } from '../tasks/task';

/** How often to compare the change log's head with where we are. */
const HEAD_CHECK_MS = 1000;
/** Appends racing a poll can put head a little ahead of the entry just found missing. */
const CHANGE_LOG_SLACK = 100;
/**
 * Entries read at once once the next one exists, doubling from the first size while every
 * entry read exists: one round trip per entry could not keep up with the API's appends (a
 * hundred creates a second on a busy FerretDB), and the publish loop waits for the poll before
 * every batch. An idle log costs one read per poll, a single change a few.
 */
const READ_WINDOW = { first: 4, max: 64 };

export interface ChangeFollowerPorts {
  changes: TaskChangesRepository;
  /** Live tasks among `ids` (deleted ones are left out). */
  findByIds(ids: string[]): Promise<Map<string, Task>>;
  /** Whether the task's shard is this replica's. */
  owns(id: string): boolean;
  /** Resolves once our queued writes of the task have landed. */
  written(id: string): Promise<void>;
  /** Takes a fresh copy of a task into memory (see LoadedTasks.consider). */
  consider(task: Task): void;
  /** The task is gone for good: drop it and anything held for it. */
  gone(id: string): void;
  /** Fell behind the log: drop memory and read every shard again. */
  reloadAll(): Promise<void>;
  logger: Logger;
  conditions: ConditionLog;
}

/**
 * Follows the task change log (`task_changes`) that the API appends to before it answers:
 * every task it names that this replica owns is read again, so none fires from a stale copy
 * once a delete, pause or update has answered. Entries are gap-free; a reader that finds an
 * entry missing below the head (trimmed) reloads everything.
 */
export class ChangeFollower {
  private seq = 0;
  private headCheckedAt = 0;
  private readonly polling: SingleFlight;

  constructor(private readonly ports: ChangeFollowerPorts) {
    this.polling = new SingleFlight(() => this.apply(), {
      conditions: ports.conditions,
      condition: 'dispatch: reading task changes',
    });
  }

  /** Starts from the log's head: what the API changed before is in the database already. */
  async start(): Promise<void> {
    this.seq = await this.ports.changes.head();
  }

  /** Applies every entry appended since the last poll (joins a poll under way). */
  poll(): Promise<void> {
    return this.polling.run();
  }

  settled(): Promise<void> {
    return this.polling.settled();
  }

  private async apply(): Promise<void> {
    for (let window = READ_WINDOW.first; ; window = Math.min(READ_WINDOW.max, window * 2)) {
      const next = await this.ports.changes.entry(this.seq + 1);
      if (next === undefined) return this.checkExpired();
      const entries = [next, ...(await this.entriesAfter(this.seq + 1, window - 1))];
      // Applied as one: an 'all' entry reloads everything, the others' tasks are read once
      // each (the newest copy is the one that counts), and `seq` moves past them after.
      let ids = new Set<string>();
      for (const change of entries) {
        if (change === 'all') {
          await this.reload([...ids]);
          ids = new Set();
          await this.ports.reloadAll();
        } else for (const id of change) if (this.ports.owns(id)) ids.add(id);
      }
      await this.reload([...ids]);
      this.seq += entries.length;
      // The entry after them is missing, as `next` would have been.
      if (entries.length < window) return this.checkExpired();
    }
  }

  /** The `count` entries after `seq`, up to the first missing one. */
  private async entriesAfter(seq: number, count: number): Promise<TaskChange[]> {
    const found = await Promise.all(
      Array.from({ length: count }, (_, i) => this.ports.changes.entry(seq + 1 + i)),
    );
    const missing = found.indexOf(undefined);
    return (missing === -1 ? found : found.slice(0, missing)) as TaskChange[];
  }

  private async reload(ids: string[]): Promise<void> {
    // Once our queued writes of these tasks have landed, their database copy is the truth
    // (publishes held in memory are merged by consider()).
    await Promise.all(ids.map((id) => this.ports.written(id)));
    const found = await this.ports.findByIds(ids);
    for (const id of ids) {
      // Not unloaded first: a task fired since our writes were awaited is ahead of this
      // copy, and consider() keeps ours unless the API changed it (a new version).
      const task = found.get(id);
      if (task) this.ports.consider(task);
      else this.ports.gone(id);
    }
  }

  /** Entries are gap-free, so a missing one below the head was dropped: reload everything. */
  private async checkExpired(): Promise<void> {
    const now = Date.now();
    if (now - this.headCheckedAt < HEAD_CHECK_MS) return;
    this.headCheckedAt = now;
    const head = await this.ports.changes.head();
    if (head > this.seq + CHANGE_LOG_SLACK) {
      this.ports.logger.warn(`fell behind the task change log (${this.seq} < ${head}): reloading`);
      await this.ports.reloadAll();
      this.seq = head;
    }
  }
}
