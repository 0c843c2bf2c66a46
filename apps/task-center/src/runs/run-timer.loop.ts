import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  Optional,
} from '@nestjs/common';
import { ConditionLog } from '../background/condition-log';
import { SingleFlight } from '../background/single-flight';
import { APP_CONFIG, type AppConfig } from '../config';
import { BUCKET_MS, ShardReadAhead } from '../due-time/shard-read-ahead';
import { ShardLeases } from '../leases/shard-leases';
import { MetricsService } from '../metrics/metrics.service';
import { RunTimersRepository } from '../repositories/run-timers.repository';
import { type RunTimer } from './run-records';
import { RunTimerActions } from './run-timer.actions';

const TICK_MS = 200;
/** Timers held in memory at most: a catch-up reads no more than the room left. */
const MAX_LOADED = 5000;
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
 * for *creating* a timer (see RunTimer), which any replica may do.
 *
 * Reading: the same due-time engine as the dispatcher's (due-time/shard-read-ahead.ts), with
 * the same read-ahead (`DISPATCH_READAHEAD_MS`). A timer created for a shard this replica
 * holds is also put in memory at once, because its second may have been read already; one
 * created for another replica's shard is pushed past that replica's read-ahead
 * (`schedule`), costing it at most the read-ahead plus ~2 s.
 */
@Injectable()
export class RunTimerLoop implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RunTimerLoop.name);
  private readonly loaded = new Map<string, RunTimer>();
  private readonly reader: ShardReadAhead<RunTimer>;
  private readonly rounds: SingleFlight;
  private interval: NodeJS.Timeout | undefined;
  private pausedUntil = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly timers: RunTimersRepository,
    private readonly leases: ShardLeases,
    private readonly actions: RunTimerActions,
    @Optional() private readonly metrics?: MetricsService,
  ) {
    this.reader = new ShardReadAhead(timers, config.dispatch.readAheadMs);
    this.rounds = new SingleFlight(() => this.step(), {
      conditions: new ConditionLog(this.logger),
      condition: 'run timers',
      onError: (err) => {
        this.pausedUntil = Date.now() + RETRY_AFTER_FAILURE_MS;
        this.metrics?.failed(err);
      },
    });
  }

  onApplicationBootstrap(): void {
    // Timers run where fires are published: on replicas that dispatch (they hold the shards).
    if (!this.config.dispatch.enabled || !this.config.runs.enabled) return;
    this.interval = setInterval(() => void this.tick(), TICK_MS);
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.interval);
    this.interval = undefined;
    await this.rounds.settled();
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
          { ...t, dueAt: Math.max(t.dueAt, (this.reader.horizon(now) + 2) * BUCKET_MS) },
    );
    const created = await this.timers.claim(placed);
    for (const t of created) if (this.reader.tracks(t.shard)) this.loaded.set(t.id, t);
    return created;
  }

  tick(): Promise<void> {
    // Not a round at all while paused: a skipped round would read as a recovery, and an
    // outage would log a start and a recovery line every pause.
    if (Date.now() < this.pausedUntil) return Promise.resolve();
    return this.rounds.run();
  }

  private async step(): Promise<void> {
    const now = Date.now();
    if (!this.interval) return;
    await this.load(now);
    const due = [...this.loaded.values()]
      .filter((t) => t.dueAt <= now && this.leases.holds(t.shard, now))
      .sort((a, b) => a.dueAt - b.dueAt)
      .slice(0, MAX_BATCH);
    if (due.length === 0) return;
    const followUps = await this.actions.execute(due, now);
    await this.schedule(followUps, now);
    await this.timers.delete(due.map((t) => t.id));
    for (const t of due) this.loaded.delete(t.id);
  }

  /** Follows the leases (a shard lost is forgotten, one gained caught up), then reads ahead. */
  private async load(now: number): Promise<void> {
    const owned = new Set(this.leases.owned());
    for (const shard of [...this.reader.shards()]) {
      if (owned.has(shard)) continue;
      this.reader.untrack(shard);
      for (const [id, t] of this.loaded) if (t.shard === shard) this.loaded.delete(id);
    }
    const horizon = this.reader.horizon(now);
    for (const shard of owned) {
      if (!this.reader.tracks(shard)) this.reader.track(shard);
      await this.reader.read(shard, horizon, MAX_LOADED - this.loaded.size, (found) => {
        for (const t of found) this.loaded.set(t.id, t);
      });
    }
  }
}
