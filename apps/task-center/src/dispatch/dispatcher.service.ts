import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  Optional,
} from '@nestjs/common';
import { ConditionLog } from '../background/condition-log';
import { settledBy } from '../background/settled-by';
import { APP_CONFIG, type AppConfig } from '../config';
import { FirePublisher } from '../kafka/fire-publisher';
import { KafkaAdminService } from '../kafka/kafka-admin.service';
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
 * The dispatcher's part of SHUTDOWN_TIMEOUT_S, counted from SIGTERM: write-back chunks start
 * until `writes`, the leases are handed back once the writes have settled, at `handOver` at
 * the latest, and all is done by `done`. The rest is for the other hooks (the Kafka consumers
 * leave their groups) and closing the connections.
 */
const SHUTDOWN_SHARES = { writes: 0.4, handOver: 0.6, done: 0.75 };

/**
 * The dispatch loop of one replica, assembled from its parts (docs/architecture.md):
 * for each shard it leases, the read-ahead loads tasks ahead of their due time into memory,
 * the change follower applies the API's changes, the publish loop publishes each due batch
 * at its slot, and the write-behind records the fires, arms their `ack` deadlines and moves
 * the tasks on in the database. This class wires them and runs their lifecycle.
 */
@Injectable()
export class Dispatcher
  implements OnApplicationBootstrap, OnModuleDestroy, BeforeApplicationShutdown, ShardOwner
{
  private readonly logger = new Logger(Dispatcher.name);
  private readonly readAhead: TaskReadAhead;
  private readonly writes: WriteBehind;
  private readonly memory: LoadedTasks;
  private readonly changes: ChangeFollower;
  private readonly loop: PublishLoop;
  private intervals: NodeJS.Timeout[] = [];
  private running = false;
  /** When SIGTERM stopped the dispatcher (undefined while it runs or never ran). */
  private stoppedAt: number | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    tasks: TasksRepository,
    fires: FiresRepository,
    changeLog: TaskChangesRepository,
    publisher: FirePublisher,
    private readonly leases: ShardLeases,
    timers: RunTimerLoop,
    private readonly kafkaAdmin: KafkaAdminService,
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
      // Called while the drain waits for the change log (pollChanges): see PublishLoop.needs.
      written: (id) => {
        const write = this.writes.writingOf(id);
        return write ? this.loop.needs(write) : Promise.resolve();
      },
      consider: (task) => this.memory.changedByApi(task),
      gone: (id) => {
        this.writes.drop(id); // gone for good: nothing to write
        this.memory.goneByApi(id);
      },
      // Waits for every write of ours: see PublishLoop.needs.
      reloadAll: () => this.loop.needs(this.readAhead.reloadAll()),
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

  /**
   * SIGTERM, the first hook Nest calls: stop taking work now rather than after the hooks
   * that run before ours (consumers leaving their groups take seconds each).
   */
  onModuleDestroy(): void {
    if (!this.running) return;
    this.running = false;
    this.stoppedAt = Date.now();
    this.intervals.forEach(clearInterval);
    this.loop.stop();
    this.writes.stopBy(this.shutdownMark('writes'));
  }

  /**
   * SIGTERM: let the batch in flight finish, write back what fits, hand back the leases,
   * each phase bounded by SHUTDOWN_SHARES. After a burst the write queue can hold minutes of
   * writes (thousands of advances on FerretDB): what is left goes to the next owner, which
   * re-publishes those fires under the same message ids (see WriteBehind.stopBy).
   */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.stoppedAt === undefined) return;
    // What is still under way when the hand-over is due, for the log line.
    const busy = new Set<string>();
    const track = (what: string, work: Promise<void>) => {
      busy.add(what);
      return work.then(() => void busy.delete(what));
    };
    const idle = Promise.all([
      track('publish', this.loop.settled()),
      track('read-ahead', this.readAhead.settled()),
      track('change log', this.changes.settled()),
    ]);
    const drained = idle.then(() => {
      this.writes.writeHeld(Infinity);
      return track('write-back', this.writes.flushed());
    });
    const written = await settledBy(drained, this.shutdownMark('handOver'));
    const writtenAt = Date.now();
    const handedBack = written && (await settledBy(this.leases.stop(), this.shutdownMark('done')));
    if (!handedBack) {
      // Something still under way: the shards expire instead, as after a crash, so that no
      // next owner reads a task before our write of it lands. It may yet land (and free its
      // task locks) before the database connection closes.
      await this.leases.abandon();
      await settledBy(drained, this.shutdownMark('done'));
    }
    const { records, advances } = this.writes.leftUnwritten;
    this.logger.log(
      `dispatch stopped in ${Date.now() - this.stoppedAt} ms ` +
        `(writes ${writtenAt - this.stoppedAt} ms${written ? '' : `, still under way: ${[...busy].join(', ')}`}, ` +
        `leases ${Date.now() - writtenAt} ms): ` +
        (handedBack ? 'leases released' : 'leases left to expire') +
        (advances + records > 0
          ? `; ${advances} advances and ${records} fire records left unwritten: the next owner re-publishes those fires under the same ids`
          : ''),
    );
  }

  /** When a shutdown phase must end: its share of SHUTDOWN_TIMEOUT_S after SIGTERM. */
  private shutdownMark(phase: keyof typeof SHUTDOWN_SHARES): number {
    return (this.stoppedAt ?? Date.now()) + this.config.shutdownTimeoutMs * SHUTDOWN_SHARES[phase];
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

  publishingFailedSince(): number | undefined {
    return this.loop.failingSince();
  }

  /**
   * Kafka answers a metadata request within a third of the lease TTL (a round's interval), and
   * no publish of ours is still waiting for its answer (a connection stuck since the cut).
   */
  async publishingWorks(): Promise<boolean> {
    try {
      await this.kafkaAdmin.ping(Math.max(500, Math.floor(this.config.dispatch.leaseTtlMs / 3)));
    } catch {
      return false;
    }
    this.loop.forgetFailures();
    return this.loop.failingSince() === undefined;
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
