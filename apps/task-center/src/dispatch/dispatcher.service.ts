import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  Optional,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config';
import { MAX_BULK_OPS } from '../database/bulk-write';
import { MetricsService } from '../metrics/metrics.service';
import { planDue } from '../scheduling';
import { type Task } from '../tasks/task';
import { scheduleOf } from '../tasks/task-definitions';
import { TaskChangeLog } from '../tasks/task-change-log';
import { bucketOf, BUCKET_MS, shardOf } from '../tasks/task-shard';
import { advanced, combined, merged } from './advance';
import { ConditionLog } from './condition-log';
import { type Advance, DispatchStore, type FireRecord } from './dispatch.store';
import { DueQueue } from './due-queue';
import { type FireMessage, fireMessage, messageIdOf } from './fire-message';
import { FirePublisher, type PreparedFires } from './fire-publisher';
import { type ShardOwner, ShardLeases } from './shard-leases';

const LOAD_INTERVAL_MS = 250;
const CHANGE_POLL_MS = 25;
/** A read-ahead further behind than this many buckets is caught up with one range query. */
const MAX_BUCKET_GAP = 10;
/** How often to compare the change log's head with where we are. */
const HEAD_CHECK_MS = 1000;
/** Appends racing a poll can put head a little ahead of the entry just found missing. */
const CHANGE_LOG_SLACK = 100;
const RETRY_MIN_MS = 100;
/**
 * The loop wakes this long before a due time to plan the batch, then publishes it at the due
 * time: the planning is not on the clock of the fires.
 */
const PREPARE_MS = 50;
const RETRY_MAX_MS = 5000;
/**
 * Fired tasks whose database write may still be queued before the loop stops publishing and
 * waits for the writes: a database slower than the fire rate slows dispatch down instead of
 * growing the queue of writes (and the memory it holds) without bound.
 */
const MAX_PENDING_WRITES = 20_000;
/** How often advances held in memory are checked for being due to be written. */
const WRITE_BEHIND_TICK_MS = 250;
/**
 * Background database work (write-behind flushes, read-ahead) does not start this close
 * before a publish: it would compete with the publish for the event loop, the database (the
 * change-log read at the due time) and the CPU. It runs right after the publish instead.
 */
const QUIET_BEFORE_MS = 50;
/** Past the due time, by when the publish in question is normally acknowledged. */
const QUIET_AFTER_MS = 15;
/** Longest wait for a publish to pass: background work is delayed, never starved. */
const MAX_QUIET_WAIT_MS = QUIET_BEFORE_MS + QUIET_AFTER_MS;
/**
 * Fire records per insert of a write-back. Write-backs go in chunks (advances: MAX_BULK_OPS),
 * each started only outside the quiet window: on FerretDB, 1,000 advances take over a second.
 */
const RECORDS_CHUNK = 10 * MAX_BULK_OPS;

/**
 * Publishes of one task that stays in memory, not written yet: folded into one advance
 * (`advance.before` is what the database holds) and written `DISPATCH_WRITE_BEHIND_MS` after
 * the first of them, or as soon as anything else needs the database copy to be current.
 */
interface HeldAdvance {
  advance: Advance;
  /** The in-memory state it leads to: the next publish of the task is planned from it. */
  latest: Task;
  since: number;
}

/** One task's part of a batch: its fires, and how it moves on once they are acknowledged. */
interface Planned {
  task: Task;
  messages: FireMessage[];
  records: FireRecord[];
  advance: Advance;
}

/** Resolves at `at` (never before): a timer to the last millisecond, then the next turns. */
async function sleepUntil(at: number): Promise<void> {
  for (let left = at - Date.now(); left > 0; left = at - Date.now())
    await new Promise((resolve) =>
      left > 1 ? setTimeout(resolve, left - 1) : setImmediate(resolve),
    );
}

/** One write-back in the queue. */
interface QueuedWrite {
  done: Promise<void>;
  /**
   * Earliest bucket a task of this write was moved to while leaving memory: a read of that
   * bucket must wait for the write. Infinity when none did.
   */
  leavingBucket: number;
}

interface ShardState {
  /** Last bucket (second) of this shard whose tasks are loaded; -1 before the first catch-up. */
  loadedUntil: number;
  /**
   * Bumped when the shard must be read again from the database (a failed write-back dropped
   * tasks from memory). A read that started before the bump must not mark buckets loaded:
   * the tasks it missed are due in buckets it already passed.
   */
  resets: number;
}

/**
 * The dispatch loop. For each shard this replica leases, it reads tasks ahead of time
 * (one equality lookup per shard per second), keeps them in a due-time heap and fires them
 * from an in-memory timer: publish the batch, wait for Kafka's ack, then advance the tasks
 * in one bulk write. See docs/dispatch.md for the design and its failure cases.
 */
@Injectable()
export class Dispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown, ShardOwner {
  private readonly logger = new Logger(Dispatcher.name);
  private readonly conditions = new ConditionLog(this.logger);
  private readonly queue = new DueQueue();
  private readonly loaded = new Map<string, Task>();
  private readonly shards = new Map<number, ShardState>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  /** Due time of the batch being planned or published; Infinity when none is. */
  private publishingAt = Infinity;
  /** No publish attempt before this instant (backoff after a Kafka failure). */
  private retryUntil = 0;
  private intervals: NodeJS.Timeout[] = [];
  private draining: Promise<void> | undefined;
  private drainAgain = false;
  private retryDelay = 0;
  /** Advances queued in `advances` and not written yet. */
  private pendingWrites = 0;
  /** The write-back queue: writes run one after the other, each behind the previous one. */
  private readonly queuedWrites: QueuedWrite[] = [];
  /** The newest queued write of each task, for readers of its database copy to wait on. */
  private readonly writing = new Map<string, Promise<void>>();
  /** Advances held in memory, oldest first (see HeldAdvance). */
  private readonly held = new Map<string, HeldAdvance>();
  /** The in-memory state each advance moved its task to (see `unwritten`). */
  private readonly advancedTo = new WeakMap<Advance, Task>();
  /**
   * In-memory task states whose advance was not written. A later batch planned from such a
   * state (it was in flight when the write failed) must not be written either: its
   * conditional update would not match, and reconcile() would take the older slot the
   * database still has for an API reschedule and count the fires twice.
   */
  private readonly unwritten = new WeakSet<Task>();
  private changeSeq = 0;
  private headCheckedAt = 0;
  private polling: Promise<void> | undefined;
  private loading: Promise<void> | undefined;
  private running = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly store: DispatchStore,
    private readonly changes: TaskChangeLog,
    private readonly publisher: FirePublisher,
    private readonly leases: ShardLeases,
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.dispatch.enabled) {
      this.logger.log(
        'dispatch disabled (DISPATCH_ENABLED=false): this replica serves the API only',
      );
      return;
    }
    this.changeSeq = await this.changes.head();
    this.running = true;
    this.intervals = [
      setInterval(() => void this.quiet().then(() => this.loadAhead()), LOAD_INTERVAL_MS),
      setInterval(() => void this.pollChanges(), CHANGE_POLL_MS),
      setInterval(() => this.writeHeld(Date.now()), WRITE_BEHIND_TICK_MS),
    ];
    this.metrics?.watchUnwritten(() => this.held.size + this.pendingWrites);
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
    clearTimeout(this.timer);
    await Promise.all([this.draining, this.loading, this.polling]);
    this.writeHeld(Infinity);
    await this.advances();
    await this.leases.stop();
    this.logger.log('dispatch stopped; leases released');
  }

  /**
   * Lease taken: catch up on everything already due in the shard, then read ahead. The
   * loading loop does it, so that the lease round never waits for our advances.
   */
  acquired(shard: number): Promise<void> {
    this.shards.set(shard, { loadedUntil: -1, resets: 0 });
    void this.loadAhead();
    return Promise.resolve();
  }

  /** Lease going away: forget the shard's tasks once no batch is in flight. */
  async releasing(shard: number): Promise<void> {
    this.shards.delete(shard);
    await this.draining;
    this.write(
      [...this.held.values()].filter((h) => h.latest.shard === shard).map((h) => h.latest.id),
    );
    await this.advances();
    for (const [id, task] of this.loaded) if (task.shard === shard) this.unload(id);
  }

  // ---------------------------------------------------------------- loading

  private loadAhead(): Promise<void> {
    this.loading ??= this.loadAllShards()
      .then(() => this.conditions.ok('dispatch: reading due tasks'))
      .catch((err: unknown) => this.conditions.fail('dispatch: reading due tasks', err))
      .finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async loadAllShards(): Promise<void> {
    // Our own advances land first, so a bucket read never misses a task we moved into it.
    // The horizon is taken before: a task handed back to the database after this point is
    // due after it (see withinReach), and no read of this pass covers its bucket.
    const horizon = this.horizon();
    await this.writesInto(horizon);
    for (const [shard, state] of this.shards) {
      if (!this.running || this.loaded.size >= this.config.dispatch.maxLoaded) return;
      // Lease renewal is late (the database is slow or down): what we load now could not be
      // published. plan() has sent the shard back to catch-up; it runs once the lease is valid.
      if (!this.leases.holds(shard)) continue;
      if (state.loadedUntil < 0 || horizon - state.loadedUntil > MAX_BUCKET_GAP) {
        await this.catchUp(shard);
        continue;
      }
      while (state.loadedUntil < horizon && this.shards.get(shard) === state) {
        const bucket = state.loadedUntil + 1;
        const resets = state.resets;
        const tasks = await this.store.dueInSlot(shard, bucket);
        if (state.resets !== resets) break; // catch up on the next pass instead
        state.loadedUntil = bucket;
        for (const task of tasks) this.consider(task);
      }
    }
  }

  /** Loads everything due in the shard up to the read-ahead horizon (a range query; rare). */
  private async catchUp(shard: number): Promise<void> {
    const state = this.shards.get(shard);
    if (!state) return;
    // As in loadAllShards: horizon first, then our advances, then the read.
    const horizon = this.horizon();
    await this.writesInto(horizon);
    if (this.shards.get(shard) !== state) return;
    const room = this.config.dispatch.maxLoaded - this.loaded.size;
    if (room <= 0) return;
    const resets = state.resets;
    const tasks = await this.store.dueBy(shard, (horizon + 1) * BUCKET_MS - 1, room);
    if (this.shards.get(shard) !== state || state.resets !== resets) return;
    state.loadedUntil = horizon;
    for (const task of tasks) this.consider(task);
    // A full page means more is due than fits: stay in catch-up until the backlog drains.
    if (tasks.length >= room) state.loadedUntil = -1;
  }

  /**
   * Our own writes that a read of buckets up to `horizon` depends on: those that moved a task
   * leaving memory into one of them. Tasks that stay in memory need no wait (a stale copy of
   * one is due in a bucket already passed, and consider() keeps ours), nor completed ones.
   */
  private writesInto(horizon: number): Promise<void> {
    for (let i = this.queuedWrites.length - 1; i >= 0; i--) {
      const write = this.queuedWrites[i]!;
      // Writes run in order: waiting for the newest one that matters waits for all before it.
      if (write.leavingBucket <= horizon) return write.done;
    }
    return Promise.resolve();
  }

  /** Takes a task read from the database into the heap, unless memory already knows better. */
  private consider(read: Task): void {
    let task = read;
    const held = this.held.get(task.id);
    if (held) {
      // Our publishes since this copy are not written yet: ours is ahead.
      if (task.version === held.advance.before.version) return;
      // The API changed the task meanwhile: merge our publishes into its new state, here as
      // the write (queued now) will in the database.
      this.write([task.id]);
      task = merged(task, held.advance) ?? task;
    }
    const state = this.shards.get(task.shard);
    const known = this.loaded.get(task.id);
    if (known && known.version === task.version && (known.lastRunAt ?? 0) > (task.lastRunAt ?? 0)) {
      return; // our copy is ahead: it fired since this was read
    }
    const dueAt = task.status === 'active' ? task.dueAt : null;
    if (!state || dueAt === null || !this.withinReach(state, dueAt)) {
      this.unload(task.id);
      return;
    }
    this.loaded.set(task.id, task);
    this.queue.set(task.id, dueAt);
    this.arm();
  }

  /** Last bucket the read-ahead covers now. */
  private horizon(): number {
    return bucketOf(Date.now() + this.config.dispatch.readAheadMs);
  }

  /**
   * Whether a task due at `dueAt` stays in memory rather than being left to the read-ahead.
   * Everything up to the read-ahead horizon stays. A task left to the database is then due
   * in a bucket that no read in progress covers (each covers up to its own, earlier,
   * horizon), and the read that later covers it waits for our advances first, so it finds
   * the task where we moved it. Leaving to the read-ahead a task due after `loadedUntil` but
   * before the horizon lost it: a read of its bucket already under way did not see the
   * write that moved it there, and marked the bucket loaded.
   */
  private withinReach(state: ShardState, dueAt: number): boolean {
    return bucketOf(dueAt) <= Math.max(state.loadedUntil, this.horizon());
  }

  private unload(id: string): void {
    this.loaded.delete(id);
    this.queue.delete(id);
  }

  /**
   * Sends a shard back to catch-up: tasks of it were dropped from memory, and they are due in
   * buckets the read-ahead has already passed. A read in progress must not mark buckets
   * loaded either (see `resets`).
   */
  private reread(shard: number): void {
    const state = this.shards.get(shard);
    if (!state) return;
    state.loadedUntil = -1;
    state.resets++;
  }

  // ---------------------------------------------------------------- changes from the API

  private pollChanges(): Promise<void> {
    this.polling ??= this.applyChanges()
      .then(() => this.conditions.ok('dispatch: reading task changes'))
      .catch((err: unknown) => this.conditions.fail('dispatch: reading task changes', err))
      .finally(() => (this.polling = undefined));
    return this.polling;
  }

  /** Reloads every task the API changed since the last poll, so none fires from a stale copy. */
  private async applyChanges(): Promise<void> {
    for (;;) {
      const change = await this.changes.entry(this.changeSeq + 1);
      if (change === undefined) return this.checkExpired();
      if (change === 'all') await this.reloadAll();
      else {
        const mine = change.filter((id) =>
          this.shards.has(shardOf(id, this.config.dispatch.shards)),
        );
        // Once our queued writes of these tasks have landed, their database copy is the truth
        // (publishes held in memory are merged by consider()).
        await Promise.all(mine.map((id) => this.writing.get(id) ?? Promise.resolve()));
        const found = new Map((await this.store.byIds(mine)).map((t) => [t.id, t]));
        for (const id of mine) {
          // Not unloaded first: a task fired since our advances were awaited is ahead of this
          // copy, and consider() keeps ours unless the API changed it (a new version).
          const task = found.get(id);
          if (task) this.consider(task);
          else {
            this.held.delete(id); // gone for good: nothing to write
            this.unload(id);
          }
        }
      }
      this.changeSeq++;
    }
  }

  /** Entries are gap-free, so a missing one below the head was dropped: reload everything. */
  private async checkExpired(): Promise<void> {
    const now = Date.now();
    if (now - this.headCheckedAt < HEAD_CHECK_MS) return;
    this.headCheckedAt = now;
    const head = await this.changes.head();
    if (head > this.changeSeq + CHANGE_LOG_SLACK) {
      this.logger.warn(`fell behind the task change log (${this.changeSeq} < ${head}): reloading`);
      await this.reloadAll();
      this.changeSeq = head;
    }
  }

  private async reloadAll(): Promise<void> {
    this.writeHeld(Infinity);
    await this.advances();
    for (const id of [...this.loaded.keys()]) this.unload(id);
    for (const shard of this.shards.keys()) await this.catchUp(shard);
  }

  // ---------------------------------------------------------------- firing

  /**
   * Resolves once no publish is due within QUIET_BEFORE_MS nor under way, waiting at most
   * MAX_QUIET_WAIT_MS: background database work started then would compete with the publish
   * for the CPU, the event loop and the database (the change-log read at the due time).
   */
  private async quiet(): Promise<void> {
    const now = Date.now();
    const slot = Math.min(this.publishingAt, this.timerAt);
    if (!this.running || slot - now > QUIET_BEFORE_MS) return;
    const wait = Math.min(slot + QUIET_AFTER_MS - now, MAX_QUIET_WAIT_MS);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }

  /** Keeps one timer, set PREPARE_MS before the earliest due task. */
  private arm(): void {
    if (!this.running) return;
    const due = this.queue.peek();
    if (due === undefined) return;
    const next = Math.max(due, this.retryUntil);
    if (next >= this.timerAt) return;
    clearTimeout(this.timer);
    this.timerAt = next;
    this.timer = setTimeout(
      () => {
        this.timerAt = Infinity;
        void this.drain();
      },
      Math.max(0, next - PREPARE_MS - Date.now()),
    );
  }

  private drain(): Promise<void> {
    if (this.draining) {
      this.drainAgain = true;
      return this.draining;
    }
    this.draining = this.drainLoop().finally(() => {
      this.draining = undefined;
      if (this.drainAgain) {
        this.drainAgain = false;
        void this.drain();
      } else this.arm();
    });
    return this.draining;
  }

  /**
   * Fires what is due, a batch at a time: planned up to PREPARE_MS ahead of its due time and
   * published at it, never before.
   */
  private async drainLoop(): Promise<void> {
    while (this.running) {
      // Backpressure: wait for the oldest writes until the queue is short enough again.
      while (this.pendingWrites >= MAX_PENDING_WRITES) await this.queuedWrites[0]?.done;
      const due = this.queue.peek();
      if (due === undefined || due > Date.now() + PREPARE_MS) return;
      const at = Math.max(due, Date.now());
      this.publishingAt = at;
      const planned = this.plan(this.queue.popDue(at, this.config.dispatch.maxBatch), at);
      const batch = this.publisher.prepare(planned.flatMap((p) => p.messages));
      await sleepUntil(at);
      // A deleted or paused task must not fire once the API has answered: catch up first.
      await this.pollChanges();
      const sentAt = Date.now();
      const ready: Planned[] = [];
      const dropped = new Set<FireMessage>();
      for (const p of planned) {
        // Changed meanwhile (consider() took a new copy, or it was unloaded): a new copy is
        // back in the queue and planned again from there.
        if (this.loaded.get(p.task.id) !== p.task) {
          for (const m of p.messages) dropped.add(m);
          continue;
        }
        for (const r of p.records) r.publishedAt = sentAt;
        ready.push(p);
      }
      batch.drop(dropped);
      const published = await this.publish(ready, batch, sentAt);
      this.publishingAt = Infinity;
      if (!published) {
        this.scheduleRetry();
        return;
      }
    }
  }

  /**
   * The fires of `ids` due by `now`, and how each task moves on once they are acknowledged.
   * Tasks due later (changed under us) go back into the queue.
   */
  private plan(ids: string[], now: number): Planned[] {
    const { misfire } = this.config.tasks;
    const planned: Planned[] = [];
    for (const id of ids) {
      const task = this.loaded.get(id);
      if (!task || task.dueAt === null) continue;
      if (task.dueAt > now) {
        this.queue.set(id, task.dueAt); // changed under us to a later time
        continue;
      }
      if (!this.leases.holds(task.shard, now)) {
        // Not ours to publish right now: the renewal is late, or the lease is lost (then
        // releasing() forgets the shard). Dropping the task from memory alone would lose it
        // for good if the renewal then succeeds: the read-ahead has passed its bucket, so
        // the shard is read again from the database, whose copy is the truth once our
        // advances (the held ones written now) have landed.
        this.reread(task.shard);
        this.write([id]);
        this.unload(id);
        continue;
      }
      const spec = scheduleOf(task, task.createdAt);
      const regular =
        task.nextRunAt !== null && task.nextRunAt <= now
          ? planDue(spec, { nextRunAt: task.nextRunAt, runCount: task.runCount }, now, {
              policy: task.misfire,
              misfireThresholdMs: misfire.thresholdMs,
              maxCatchUp: misfire.maxCatchUp,
            })
          : { fires: [], nextRunAt: task.nextRunAt };
      const manual = task.manualRuns.filter((at) => at <= now);
      const fires = [
        ...regular.fires.map((at) => ({ at, manual: false })),
        ...manual.map((at) => ({ at, manual: true })),
      ];
      const messages: FireMessage[] = [];
      const records: FireRecord[] = [];
      for (const { at, manual: isManual } of fires) {
        messages.push(fireMessage(task, at, 1, now, this.config.kafka.topics.tasks));
        records.push({
          messageId: messageIdOf(task.id, at, 1),
          taskId: task.id,
          name: task.name,
          scheduledAt: at,
          publishedAt: now,
          attempt: 1,
          manual: isManual,
        });
      }
      planned.push({
        task,
        messages,
        records,
        advance: {
          before: task,
          nextRunAt: regular.nextRunAt,
          manualRuns: task.manualRuns.filter((at) => at > now),
          fired: regular.fires.length,
          lastRunAt: fires.length > 0 ? now : (task.lastRunAt ?? now),
          now,
        },
      });
    }
    return planned;
  }

  /**
   * Publishes the batch in one request per broker (one `sendBatch`) and, once Kafka has
   * acknowledged it, moves its tasks on. On failure they go back into the queue, not advanced:
   * the retry re-publishes them under the same message ids.
   */
  private async publish(
    planned: Planned[],
    batch: PreparedFires,
    sentAt: number,
  ): Promise<boolean> {
    const messages = planned.flatMap((p) => p.messages);
    if (messages.length > 0) {
      try {
        await this.publisher.publishPrepared(batch, sentAt);
      } catch (err) {
        for (const { task } of planned)
          if (task.dueAt !== null) this.queue.set(task.id, task.dueAt);
        this.conditions.fail('dispatch: publishing to Kafka', err);
        this.metrics?.failed(err, 'kafka');
        return false;
      }
      this.metrics?.firesPublished(messages, Date.now());
      this.retryDelay = 0;
      this.conditions.ok('dispatch: publishing to Kafka');
    }
    this.afterPublish(planned);
    return true;
  }

  private scheduleRetry(): void {
    this.retryDelay = Math.min(RETRY_MAX_MS, Math.max(RETRY_MIN_MS, this.retryDelay * 2));
    this.retryUntil = Date.now() + this.retryDelay;
  }

  /**
   * Moves the fired tasks on in memory at once. A task that stays in memory holds its advance
   * (folded with the next ones) for up to DISPATCH_WRITE_BEHIND_MS; one that leaves memory is
   * written now, so the read-ahead finds it where it moved. Writes run in order, each
   * conditional on the state the previous one left.
   */
  private afterPublish(batch: Planned[]): void {
    const now: Advance[] = [];
    let leavingBucket = Infinity;
    for (const { advance } of batch) {
      const id = advance.before.id;
      const held = this.held.get(id);
      // Planned from the state the held advance leads to: fold the two into one write.
      const continues = held?.latest === advance.before;
      let folded = advance;
      if (continues) folded = combined(held.advance, advance);
      // Planned from another copy: written apart, before (one advance per task per write).
      else if (held) this.enqueue([this.take(id)], [], Infinity);
      const next = advanced(folded);
      this.advancedTo.set(folded, next);
      const state = this.shards.get(next.shard);
      if (next.dueAt !== null && state && this.withinReach(state, next.dueAt)) {
        this.loaded.set(id, next);
        this.queue.set(id, next.dueAt);
        if (this.config.dispatch.writeBehindMs > 0) {
          const since = continues ? held.since : advance.now;
          this.held.set(id, { advance: folded, latest: next, since });
          continue;
        }
      } else {
        this.loaded.delete(id);
        if (next.dueAt !== null) leavingBucket = Math.min(leavingBucket, bucketOf(next.dueAt));
      }
      this.held.delete(id);
      now.push(folded);
    }
    this.enqueue(
      now,
      batch.flatMap((p) => p.records),
      leavingBucket,
    );
    this.writeHeld(Date.now());
  }

  /** Removes a task's held advance, to be written by the caller. */
  private take(id: string): Advance {
    const { advance } = this.held.get(id)!;
    this.held.delete(id);
    return advance;
  }

  /** Queues the held advances of these tasks (those that have one) for writing now. */
  private write(ids: Iterable<string>): void {
    const advances: Advance[] = [];
    for (const id of ids) if (this.held.has(id)) advances.push(this.take(id));
    this.enqueue(advances, [], Infinity);
  }

  /** Queues the held advances first held at or before `until` (Infinity: all of them). */
  private writeHeld(until: number): void {
    const cutoff = until - this.config.dispatch.writeBehindMs;
    const due: string[] = [];
    for (const [id, held] of this.held) {
      if (held.since > cutoff) break; // held in order of `since`
      due.push(id);
    }
    this.write(due);
  }

  /** Settles once every write queued so far has landed (or failed). */
  private advances(): Promise<void> {
    return this.queuedWrites.at(-1)?.done ?? Promise.resolve();
  }

  private enqueue(advances: Advance[], records: FireRecord[], leavingBucket: number): void {
    if (advances.length === 0 && records.length === 0) return;
    this.pendingWrites += advances.length;
    const done = this.advances()
      .then(() => this.writeBack(advances, records))
      .finally(() => {
        this.pendingWrites -= advances.length;
        this.queuedWrites.shift();
        for (const a of advances)
          if (this.writing.get(a.before.id) === done) this.writing.delete(a.before.id);
      });
    this.queuedWrites.push({ done, leavingBucket });
    for (const a of advances) this.writing.set(a.before.id, done);
  }

  private async writeBack(advances: Advance[], records: FireRecord[]): Promise<void> {
    // Planned from a state whose own write failed: the database is behind it. Leave the
    // database as it is and read the task again (see `unwritten`).
    const stale = advances.filter((a) => this.unwritten.has(a.before));
    const fresh = advances.filter((a) => !this.unwritten.has(a.before));
    this.notWritten(stale);
    let written = 0;
    try {
      for (; written < fresh.length; written += MAX_BULK_OPS) {
        await this.quiet();
        await this.store.advance(fresh.slice(written, written + MAX_BULK_OPS));
      }
      // Records of stale advances too: the fires were published, and a re-publish's insert
      // of the same message id is ignored.
      for (let i = 0; i < records.length; i += RECORDS_CHUNK) {
        await this.quiet();
        await this.store.recordFires(records.slice(i, i + RECORDS_CHUNK));
      }
      this.conditions.ok('dispatch: advancing tasks');
    } catch (err) {
      this.conditions.fail('dispatch: advancing tasks', err);
      this.metrics?.failed(err, 'mongo');
      this.notWritten(fresh.slice(written));
    }
  }

  /**
   * Published but not advanced: forget these tasks and read their shards again. The database
   * copy re-publishes the fires under the same message ids (at-least-once, never lost).
   */
  private notWritten(advances: Advance[]): void {
    for (const advance of advances) {
      const next = this.advancedTo.get(advance);
      if (next) this.unwritten.add(next);
      // Publishes held on top of it were planned from an unwritten state: re-published too.
      this.held.delete(advance.before.id);
      this.unload(advance.before.id);
      this.reread(advance.before.shard);
    }
  }
}
