import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  Optional,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config';
import { ConditionLog } from '../dispatch/condition-log';
import { ShardLeases } from '../dispatch/shard-leases';
import { MetricsService } from '../metrics/metrics.service';
import { bucketOf, BUCKET_MS } from '../tasks/task-shard';
import { type RunTimer } from './run-records';
import { RunTimerActions } from './run-timer.actions';
import { RunStore } from './run.store';

const TICK_MS = 200;
/** Timers are read this far ahead, so one due at t is in memory before t. */
const READ_AHEAD_MS = 1000;
/** Further behind than this (a stall, an outage), one range query beats one lookup per second. */
const MAX_STEP_SECONDS = 10;
const MAX_CATCH_UP = 5000;
const MAX_BATCH = 500;
const RETRY_AFTER_FAILURE_MS = 1000;

/**
 * Runs the durable timers (redeliveries, ack deadlines, dead letters) of the shards this
 * replica holds for dispatch.
 *
 * Why shard ownership rather than a per-timer claim: the dispatcher's leases already give
 * every shard exactly one publishing replica, fenced a third of the TTL before a takeover,
 * so two replicas never act on one timer (short of a stall past that margin, the same
 * bound the dispatcher lives with); a claim per timer would add a write per redelivery
 * and a recovery protocol for a claimer that dies. Insert-by-`_id` is still the claim
 * for *creating* a timer (see RunTimer), which any replica's consumer may do.
 *
 * Reading: like the dispatcher, one equality lookup per owned shard per second
 * (`due_slot`), a catch-up range query when a shard is taken (or after falling behind).
 * A timer created for a shard this replica holds is also put in memory at once, because
 * its second may have been read already; one created for another replica's shard is
 * pushed past that replica's read-ahead (`schedule`), costing it at most ~2 s.
 */
@Injectable()
export class RunTimerLoop implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RunTimerLoop.name);
  private readonly conditions = new ConditionLog(this.logger);
  private readonly loaded = new Map<string, RunTimer>();
  /** Last second read, per owned shard. */
  private readonly cursors = new Map<number, number>();
  private interval: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private pausedUntil = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly store: RunStore,
    private readonly leases: ShardLeases,
    private readonly actions: RunTimerActions,
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  onApplicationBootstrap(): void {
    // Timers run where fires are published: on replicas that dispatch (they hold the shards).
    if (!this.config.dispatch.enabled || !this.config.runs.enabled) return;
    this.interval = setInterval(() => void this.tick(), TICK_MS);
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.interval);
    this.interval = undefined;
    await this.round;
  }

  /**
   * Stores timers (inserting is the claim: an existing `_id` is skipped) and returns the
   * ones this call created. Durable once this resolves.
   */
  async schedule(timers: RunTimer[], now = Date.now()): Promise<RunTimer[]> {
    const placed = timers.map((t) =>
      this.leases.holds(t.shard, now)
        ? t
        : // Beyond what the owner may have read already (its clock may differ by a second).
          { ...t, dueAt: Math.max(t.dueAt, (bucketOf(now + READ_AHEAD_MS) + 2) * BUCKET_MS) },
    );
    const created = await this.store.claimTimers(placed);
    for (const t of created) if (this.cursors.has(t.shard)) this.loaded.set(t.id, t);
    return created;
  }

  tick(): Promise<void> {
    this.round ??= this.step()
      .then(() => this.conditions.ok('run timers'))
      .catch((err: unknown) => {
        this.pausedUntil = Date.now() + RETRY_AFTER_FAILURE_MS;
        this.conditions.fail('run timers', err);
        this.metrics?.failed(err);
      })
      .finally(() => (this.round = undefined));
    return this.round;
  }

  private async step(): Promise<void> {
    const now = Date.now();
    if (!this.interval || now < this.pausedUntil) return;
    await this.load(now);
    const due = [...this.loaded.values()]
      .filter((t) => t.dueAt <= now && this.leases.holds(t.shard, now))
      .sort((a, b) => a.dueAt - b.dueAt)
      .slice(0, MAX_BATCH);
    if (due.length === 0) return;
    const followUps = await this.actions.execute(due, now);
    await this.schedule(followUps, now);
    await this.store.deleteTimers(due.map((t) => t.id));
    for (const t of due) this.loaded.delete(t.id);
  }

  private async load(now: number): Promise<void> {
    const owned = new Set(this.leases.owned());
    for (const shard of this.cursors.keys()) {
      if (owned.has(shard)) continue;
      this.cursors.delete(shard);
      for (const [id, t] of this.loaded) if (t.shard === shard) this.loaded.delete(id);
    }
    const horizon = bucketOf(now + READ_AHEAD_MS);
    for (const shard of owned) {
      const cursor = this.cursors.get(shard);
      if (cursor === undefined || horizon - cursor > MAX_STEP_SECONDS) {
        const found = await this.store.timersDueBy(
          shard,
          (horizon + 1) * BUCKET_MS - 1,
          MAX_CATCH_UP,
        );
        for (const t of found) this.loaded.set(t.id, t);
        // A full page means more is due: catch up again next round, after this batch is done.
        if (found.length < MAX_CATCH_UP) this.cursors.set(shard, horizon);
        else this.cursors.delete(shard);
        continue;
      }
      for (let second = cursor + 1; second <= horizon; second++) {
        for (const t of await this.store.timersInSlot(shard, second)) this.loaded.set(t.id, t);
        this.cursors.set(shard, second);
      }
    }
  }
}
