import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config';
import { ShardLeases } from '../leases/shard-leases';
import { MetricsService } from '../metrics/metrics.service';
import { type OpsEvent } from '../metrics/ops-events';
import { TasksRepository } from '../repositories/tasks.repository';
import { tagsWithoutWorker } from '../runs/tags-without-worker';
import { WorkerRegistry } from '../runs/worker-registry';
import { AlertWebhook } from './alert-webhook';
import { FireRate } from './fire-rate';

export type AlertKind =
  | 'name_fires_per_min'
  | 'total_fires_per_min'
  | 'dispatch_lag'
  | 'dead_letter'
  | 'ack_timeout'
  | 'no_live_worker'
  | 'no_delivery_worker';

/** Names listed in one alert at most. */
const LIST_MAX = 20;

const sample = (names: readonly string[]) => [...new Set(names)].slice(0, LIST_MAX);

/**
 * Raises alerts: a WARN line, `task_center_alerts_total{kind}` and a webhook POST. Line and
 * POST are rate-limited per kind (`ALERT_MIN_INTERVAL_S`); the next one that goes out says
 * how many were held back. Fed by the metrics hooks (synchronously, cheap) and by a periodic
 * check of tags without a live worker, which only the holder of shard 0 runs so that a
 * fleet reports it once.
 */
@Injectable()
export class AlertsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Alerts');
  private readonly rate: FireRate;
  private readonly lastSent = new Map<AlertKind, number>();
  private readonly held = new Map<AlertKind, number>();
  private timer: NodeJS.Timeout | undefined;
  private checking = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: MetricsService,
    private readonly webhook: AlertWebhook,
    private readonly tasks: TasksRepository,
    private readonly workers: WorkerRegistry,
    private readonly leases: ShardLeases,
  ) {
    this.rate = new FireRate(config.alerts.nameFiresPerMin, config.alerts.totalFiresPerMin);
  }

  onApplicationBootstrap(): void {
    this.metrics.subscribe((event) => this.observe(event));
    const every = this.config.alerts.noWorkerCheckMs;
    if (every > 0 && this.config.dispatch.enabled) {
      this.timer = setInterval(() => void this.checkWorkers(), every);
      this.timer.unref();
    }
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  raise(kind: AlertKind, message: string, details: Record<string, unknown>, now = Date.now()) {
    this.metrics.alertRaised(kind);
    const last = this.lastSent.get(kind);
    if (last !== undefined && now - last < this.config.alerts.minIntervalMs) {
      this.held.set(kind, (this.held.get(kind) ?? 0) + 1);
      return;
    }
    const heldBack = this.held.get(kind) ?? 0;
    this.held.delete(kind);
    this.lastSent.set(kind, now);
    const suffix = heldBack > 0 ? ` (+${heldBack} held back by the rate limit)` : '';
    this.logger.warn(`alert ${kind}: ${message}${suffix}`);
    this.webhook.send({
      kind,
      message,
      details: heldBack > 0 ? { ...details, held_back: heldBack } : details,
      at: Math.floor(now / 1000),
    });
  }

  private observe(event: OpsEvent): void {
    switch (event.kind) {
      case 'fires':
        return this.onFires(event.fires, event.now);
      case 'dead':
        return this.raise(
          'dead_letter',
          `${event.names.length} fire(s) dead-lettered after their last attempt`,
          { count: event.names.length, names: sample(event.names) },
        );
      case 'timeout':
        return this.raise(
          'ack_timeout',
          `${event.names.length} fire(s) got no outcome within max_runtime + grace`,
          { count: event.names.length, names: sample(event.names) },
        );
      case 'outcomes':
        return; // counted by the overview, not an alert
    }
  }

  private onFires(fires: { name: string; latenessMs: number }[], now: number): void {
    for (const b of this.rate.record(
      fires.map((f) => f.name),
      now,
    )) {
      if (b.scope === 'name') {
        this.raise(
          'name_fires_per_min',
          `name ${b.name} fired more than ${b.threshold} times this minute`,
          { name: b.name, count: b.count, threshold: b.threshold, minute: b.minute * 60 },
          now,
        );
      } else {
        this.raise(
          'total_fires_per_min',
          `more than ${b.threshold} fires published this minute`,
          { count: b.count, threshold: b.threshold, minute: b.minute * 60 },
          now,
        );
      }
    }
    const bound = this.config.alerts.dispatchLagMs;
    if (bound <= 0) return;
    const late = fires.filter((f) => f.latenessMs > bound);
    if (late.length === 0) return;
    const worst = late.reduce((a, b) => (b.latenessMs > a.latenessMs ? b : a));
    this.raise(
      'dispatch_lag',
      `${late.length} fire(s) published more than ${bound} ms after their time (worst ${worst.latenessMs} ms, ${worst.name})`,
      {
        count: late.length,
        bound_ms: bound,
        worst_ms: worst.latenessMs,
        names: sample(late.map((f) => f.name)),
      },
      now,
    );
  }

  /** Tags that have active tasks and no live worker (from the SDK's heartbeats). */
  async checkWorkers(now = Date.now()): Promise<void> {
    if (this.checking || !this.leases.holds(0, now)) return;
    this.checking = true;
    try {
      const [names, http, { workers, byTag }] = await Promise.all([
        this.tasks.activeNames(),
        this.tasks.hasActiveHttpTargets(),
        this.workers.list(now),
      ]);
      // No heartbeat recorded, and this replica reads none (RUNS_ENABLED=false): when no
      // replica reads the results topic, nothing can be said about workers.
      if (workers.length === 0 && !this.config.runs.enabled) return;
      const orphaned = tagsWithoutWorker(names, (tag) => (byTag[tag]?.length ?? 0) > 0).sort();
      const delivery = this.config.httpTargets.group;
      if (http && !workers.some((w) => w.alive && w.group === delivery)) {
        this.raise(
          'no_delivery_worker',
          `tasks with an HTTP target are active and no HTTP delivery worker (group ${delivery}) is alive: HTTP_TARGETS_ENABLED is false everywhere, or the workers are down`,
          { group: delivery },
          now,
        );
      }
      if (orphaned.length === 0) return;
      this.raise(
        'no_live_worker',
        `${orphaned.length} tag(s) with active tasks have no live worker: ${sample(orphaned).join(', ')}`,
        { count: orphaned.length, tags: sample(orphaned) },
        now,
      );
    } catch (err) {
      this.metrics.failed(err);
    } finally {
      this.checking = false;
    }
  }
}
