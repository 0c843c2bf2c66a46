import { type Logger } from '@nestjs/common';
import { type ConditionLog } from '../background/condition-log';
import { SingleFlight } from '../background/single-flight';
import { type TaskChangesRepository } from '../repositories/task-changes.repository';
import { type Task } from '../tasks/task';

/** How often to compare the change log's head with where we are. */
const HEAD_CHECK_MS = 1000;
/** Appends racing a poll can put head a little ahead of the entry just found missing. */
const CHANGE_LOG_SLACK = 100;

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
    for (;;) {
      const change = await this.ports.changes.entry(this.seq + 1);
      if (change === undefined) return this.checkExpired();
      if (change === 'all') await this.ports.reloadAll();
      else await this.reload(change.filter((id) => this.ports.owns(id)));
      this.seq++;
    }
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
