import { type ShardReadAhead } from '../due-time/shard-read-ahead';
import { type Task } from '../tasks/task';
import { type Advance, merged } from '../tasks/task-advance';
import { DueQueue } from './due-queue';
import { type Settled, type WriteBehind } from './write-behind';

/**
 * The tasks this replica holds in memory, by id and by due time. A task is held while the
 * read-ahead covers its due time; memory wins over a database copy of the same version that
 * it is ahead of (it fired since that copy was read).
 */
export class LoadedTasks {
  private readonly tasks = new Map<string, Task>();
  private readonly queue = new DueQueue();
  /** Tasks whose publish is in flight, with what the API made of them meanwhile (if anything). */
  private readonly inFlight = new Map<string, Task | 'gone' | undefined>();

  constructor(
    private readonly reach: ShardReadAhead<Task>,
    private readonly writes: WriteBehind,
    /** Called when a task was queued: the publish loop re-arms its timer. */
    private readonly onQueued: () => void,
  ) {}

  get size(): number {
    return this.tasks.size;
  }

  get(id: string): Task | undefined {
    return this.tasks.get(id);
  }

  /** The earliest due time held, or undefined. */
  peekDue(): number | undefined {
    return this.queue.peek();
  }

  /** Removes from the due queue (not from memory) up to `max` ids due by `at`. */
  popDue(at: number, max: number): string[] {
    return this.queue.popDue(at, max);
  }

  /** Puts a held task back in the due queue (its publish failed, or it is due later). */
  requeue(id: string, dueAt: number): void {
    this.queue.set(id, dueAt);
  }

  /** Takes a task read from the database into memory, unless memory already knows better. */
  consider(read: Task): void {
    let task = read;
    const held = this.writes.heldOf(task.id);
    if (held) {
      // Our publishes since this copy are not written yet: ours is ahead.
      if (task.version === held.advance.before.version) return;
      // The API changed the task meanwhile: merge our publishes into its new state, here as
      // the write (queued now) will in the database.
      this.writes.write([task.id]);
      task = merged(task, held.advance) ?? task;
    }
    const known = this.tasks.get(task.id);
    if (known && known.version === task.version && (known.lastRunAt ?? 0) > (task.lastRunAt ?? 0)) {
      return; // our copy is ahead: it fired since this was read
    }
    if (this.keep(task)) this.onQueued();
  }

  /** Its publish is going out to Kafka: API changes until it is settled are remembered. */
  sending(tasks: Task[]): void {
    for (const task of tasks) this.inFlight.set(task.id, undefined);
  }

  /** Its publish failed: the tasks stay as they are in memory, due again. */
  unsent(tasks: Task[]): void {
    for (const task of tasks) this.inFlight.delete(task.id);
  }

  /** A copy the API changed (from the change log): taken like any read, and remembered. */
  changedByApi(task: Task): void {
    if (this.inFlight.has(task.id)) this.inFlight.set(task.id, task);
    this.consider(task);
  }

  /** The API deleted the task. */
  goneByApi(id: string): void {
    if (this.inFlight.has(id)) this.inFlight.set(id, 'gone');
    this.unload(id);
  }

  /**
   * A publish planned from `planned` was acknowledged and leads to `next`, which memory now
   * holds if the read-ahead covers it. If the API changed the task while the publish was in
   * flight, its change wins: our fires are merged into the copy memory took (as the write of
   * `advance`, at once, merges them in the database), and a deleted or paused task stays out.
   */
  settle(planned: Task, advance: Advance, next: Task): Settled {
    const change = this.inFlight.get(planned.id);
    this.inFlight.delete(planned.id);
    if (change === undefined) return { kept: this.keep(next), changed: false, dueAt: next.dueAt };
    const current = this.tasks.get(planned.id);
    if (!current) return { kept: false, changed: true, dueAt: null };
    const now = merged(current, advance) ?? current;
    const kept = this.keep(now);
    if (kept) this.onQueued();
    return { kept, changed: true, dueAt: now.dueAt };
  }

  /**
   * Holds the task, due, if it is active and the read-ahead covers its due time; otherwise
   * drops it from memory (a later read finds it where it is due). Whether it is held.
   */
  keep(task: Task): boolean {
    const dueAt = task.status === 'active' ? task.dueAt : null;
    if (dueAt === null || !this.reach.covers(task.shard, dueAt)) {
      this.unload(task.id);
      return false;
    }
    this.tasks.set(task.id, task);
    this.queue.set(task.id, dueAt);
    return true;
  }

  unload(id: string): void {
    this.tasks.delete(id);
    this.queue.delete(id);
  }

  /** Drops every task of a shard (its lease is gone). */
  unloadShard(shard: number): void {
    for (const [id, task] of this.tasks) if (task.shard === shard) this.unload(id);
  }

  /** Drops everything (a reload from the database follows). */
  clear(): void {
    for (const id of [...this.tasks.keys()]) this.unload(id);
  }
}
