import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  Optional,
} from '@nestjs/common';
import { ConditionLog } from '../background/condition-log';
import { APP_CONFIG, type AppConfig } from '../config';
import { FirePublisher } from '../kafka/fire-publisher';
import { type ShardOwner, ShardLeases } from '../leases/shard-leases';
import { MetricsService } from '../metrics/metrics.service';
import { FiresRepository } from '../repositories/fires.repository';
import { TaskChangesRepository } from '../repositories/task-changes.repository';
import { TasksRepository } from '../repositories/tasks.repository';
import { ackDeadlineOf } from '../runs/ack-deadline';
import { RunTimerLoop } from '../runs/run-timer.loop';
import { shardOf } from '../tasks/task-shard';
import { ChangeFollower } from './change-follower';
import { LoadedTasks } from './loaded-tasks';
import { PublishLoop } from './publish-loop';
import { TaskReadAhead } from './task-read-ahead';
import { WriteBehind } from './write-behind';

const LOAD_INTERVAL_MS = 250;
const CHANGE_POLL_MS = 25;
/** How often advances held in memory are checked for being due to be written. */
const WRITE_BEHIND_TICK_MS = 250;

/**
 * The dispatch loop of one replica, assembled from its parts (docs/architecture.md):
 * for each shard it leases, the read-ahead loads tasks ahead of their due time into memory,
 * the change follower applies the API's changes, the publish loop publishes each due batch
 * at its slot, and the write-behind records the fires, arms their `ack` deadlines and moves
 * the tasks on in the database. This class wires them and runs their lifecycle.
 */
@Injectable()
export class Dispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown, ShardOwner {
  private readonly logger = new Logger(Dispatcher.name);
  private readonly readAhead: TaskReadAhead;
  private readonly writes: WriteBehind;
  private readonly memory: LoadedTasks;
  private readonly changes: ChangeFollower;
  private readonly loop: PublishLoop;
  private intervals: NodeJS.Timeout[] = [];
  private running = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    tasks: TasksRepository,
    fires: FiresRepository,
    changeLog: TaskChangesRepository,
    publisher: FirePublisher,
    private readonly leases: ShardLeases,
    timers: RunTimerLoop,
    @Optional() private readonly metrics?: MetricsService,
  ) {
    const { dispatch, runs, tasks: taskSettings, kafka } = config;
    const conditions = new ConditionLog(this.logger);
    const isRunning = () => this.running;
    const onError = (component: 'kafka' | 'mongo') => (err: unknown) =>
      metrics?.failed(err, component);
    this.readAhead = new TaskReadAhead(
      { tasks, holds: (shard) => leases.holds(shard), isRunning, conditions },
      dispatch,
    );
    const shards = this.readAhead.shards;
    this.writes = new WriteBehind(
      {
        advance: (advances) => tasks.advance(advances),
        recordFires: (records) => fires.record(records),
        armDeadlines: async (deadlines) => void (await timers.schedule(deadlines)),
        quiet: () => this.loop.quiet(),
        settle: (planned, advance, next) => this.memory.settle(planned, advance, next),
        forget: (task) => {
          this.memory.unload(task.id);
          shards.reread(task.shard);
        },
        conditions,
        onError: onError('mongo'),
      },
      dispatch.writeBehindMs,
    );
    this.memory = new LoadedTasks(shards, this.writes, () => this.loop.arm());
    this.readAhead.attach(this.memory, this.writes);
    this.changes = new ChangeFollower({
      changes: changeLog,
      findByIds: (ids) => tasks.findByIds(ids),
      owns: (id) => shards.tracks(shardOf(id, dispatch.shards)),
      written: (id) => this.writes.writingOf(id) ?? Promise.resolve(),
      consider: (task) => this.memory.changedByApi(task),
      gone: (id) => {
        this.writes.drop(id); // gone for good: nothing to write
        this.memory.goneByApi(id);
      },
      reloadAll: () => this.readAhead.reloadAll(),
      logger: this.logger,
      conditions,
    });
    this.loop = new PublishLoop(
      {
        memory: this.memory,
        writes: this.writes,
        publisher,
        pollChanges: () => this.changes.poll(),
        holds: (shard, now) => leases.holds(shard, now),
        reread: (shard) => shards.reread(shard),
        deadlinesOf: (batch) =>
          batch.flatMap(({ task, records }) =>
            records.flatMap(
              (r) =>
                ackDeadlineOf(task, r.scheduledAt, r.attempt, r.publishedAt, runs.ackGraceMs) ?? [],
            ),
          ),
        isRunning,
        conditions,
        onPublished: (messages, now) => metrics?.firesPublished(messages, now),
        onError: onError('kafka'),
      },
      { ...dispatch, misfire: taskSettings.misfire, topics: kafka.topics },
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.dispatch.enabled) {
      this.logger.log(
        'dispatch disabled (DISPATCH_ENABLED=false): this replica serves the API only',
      );
      return;
    }
    await this.changes.start();
    this.running = true;
    this.intervals = [
      setInterval(() => void this.loop.quiet().then(() => this.readAhead.load()), LOAD_INTERVAL_MS),
      setInterval(() => void this.changes.poll(), CHANGE_POLL_MS),
      setInterval(() => this.writes.writeHeld(Date.now()), WRITE_BEHIND_TICK_MS),
    ];
    this.metrics?.watchUnwritten(() => this.writes.unwrittenCount);
    this.leases.start(this);
    this.logger.log(
      `dispatching as ${this.leases.replicaId} over ${this.config.dispatch.shards} shards`,
    );
  }

  /** SIGTERM: stop taking work, let the batch in flight finish, write its advances, hand back leases. */
  async beforeApplicationShutdown(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.intervals.forEach(clearInterval);
    this.loop.stop();
    await Promise.all([this.loop.settled(), this.readAhead.settled(), this.changes.settled()]);
    this.writes.writeHeld(Infinity);
    await this.writes.flushed();
    await this.leases.stop();
    this.logger.log('dispatch stopped; leases released');
  }

  /**
   * Lease taken: catch up on everything already due in the shard, then read ahead. The
   * read-ahead does it, so that the lease round never waits for our writes.
   */
  acquired(shard: number): Promise<void> {
    this.readAhead.shards.track(shard);
    void this.readAhead.load();
    return Promise.resolve();
  }

  /** Lease going away: forget the shard's tasks once no batch is in flight. */
  async releasing(shard: number): Promise<void> {
    this.readAhead.shards.untrack(shard);
    await this.loop.settled();
    this.writes.writeShard(shard);
    await this.writes.flushed();
    this.memory.unloadShard(shard);
  }
}
