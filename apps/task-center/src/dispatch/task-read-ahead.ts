import { type ConditionLog } from '../background/condition-log';
import { SingleFlight } from '../background/single-flight';
import { ShardReadAhead } from '../due-time/shard-read-ahead';
import { type TasksRepository } from '../repositories/tasks.repository';
import { type Task } from '../tasks/task';
import { type LoadedTasks } from './loaded-tasks';
import { type WriteBehind } from './write-behind';

export interface TaskReadAheadPorts {
  tasks: Pick<TasksRepository, 'dueInSlot' | 'dueBy'>;
  /** Whether this replica may publish for the shard now (its lease is valid). */
  holds(shard: number): boolean;
  isRunning(): boolean;
  conditions: ConditionLog;
}

/**
 * The dispatcher's use of the due-time engine: reads the tasks of the shards this replica
 * leases into memory ahead of their due time, after our own writes that moved tasks into the
 * buckets it reads have landed.
 */
export class TaskReadAhead {
  readonly shards: ShardReadAhead<Task>;
  private readonly loading: SingleFlight;
  private memory!: LoadedTasks;
  private writes!: WriteBehind;

  constructor(
    private readonly ports: TaskReadAheadPorts,
    private readonly settings: { readAheadMs: number; maxLoaded: number },
  ) {
    const { tasks } = ports;
    this.shards = new ShardReadAhead(
      { inSlot: (shard, bucket) => tasks.dueInSlot(shard, bucket), dueBy: tasks.dueBy.bind(tasks) },
      settings.readAheadMs,
    );
    this.loading = new SingleFlight(() => this.loadAll(), {
      conditions: ports.conditions,
      condition: 'dispatch: reading due tasks',
    });
  }

  /** The memory it fills and the writes it waits for (built after the engine they use). */
  attach(memory: LoadedTasks, writes: WriteBehind): void {
    this.memory = memory;
    this.writes = writes;
  }

  /** Reads every shard up to the horizon (joins a read under way). */
  load(): Promise<void> {
    return this.loading.run();
  }

  settled(): Promise<void> {
    return this.loading.settled();
  }

  /** Writes what memory holds, drops it and catches every shard up from the database. */
  async reloadAll(): Promise<void> {
    this.writes.writeHeld(Infinity);
    await this.writes.flushed();
    this.memory.clear();
    for (const shard of this.shards.shards()) {
      const horizon = this.shards.horizon();
      await this.writes.writesInto(horizon);
      await this.shards.catchUp(shard, horizon, this.room(), this.take);
    }
  }

  private async loadAll(): Promise<void> {
    // Our own writes land first, so a bucket read never misses a task we moved into it.
    // The horizon is taken before: a task handed back to the database after this point is
    // due after it (see LoadedTasks.keep), and no read of this pass covers its bucket.
    const horizon = this.shards.horizon();
    await this.writes.writesInto(horizon);
    for (const shard of this.shards.shards()) {
      if (!this.ports.isRunning() || this.room() <= 0) return;
      // Lease renewal is late (the database is slow or down): what we load now could not be
      // published. The publish loop has sent the shard back to catch-up; it runs once the
      // lease is valid again.
      if (!this.ports.holds(shard)) continue;
      // A catch-up reads tasks that left memory in any state (a failed write, a late lease,
      // a new shard): it waits for every queued write, so it never reads a copy from before
      // our own publishes (re-firing them, and merging our next fires away as counted).
      if (this.shards.catchingUp(shard, horizon)) await this.writes.flushed();
      await this.shards.read(shard, horizon, this.room(), this.take);
    }
  }

  private room(): number {
    return this.settings.maxLoaded - this.memory.size;
  }

  private readonly take = (tasks: Task[]): void => {
    for (const task of tasks) this.memory.consider(task);
  };
}
