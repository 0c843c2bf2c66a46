import { setTimeout as delay } from 'node:timers/promises';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { FireHeader } from '@task-center/contracts';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { APP_CONFIG, type AppConfig } from '../config';
import { ShardLeases } from '../leases/shard-leases';
import { TasksRepository } from '../repositories/tasks.repository';
import { NameCap } from './name-cap';
import { type OpsEvent, type OpsListener } from './ops-events';

/** The task gauge is refreshed at most this often: each refresh scans the tasks collection. */
export const TASKS_REFRESH_MS = 15_000;
/** Longest a scrape waits for a task count in progress before answering with the last one. */
const SCRAPE_WAIT_MS = 1000;

/** The part of a published fire the metrics read: its headers. */
export interface PublishedFire {
  headers: Record<string, string>;
}

export type ErrorComponent = 'kafka' | 'mongo' | 'other';

/** Which dependency an error came from, by the error classes of kafkajs and the Mongo driver. */
export function componentOf(err: unknown): ErrorComponent {
  const name = err instanceof Error ? err.name : '';
  if (name.startsWith('KafkaJS')) return 'kafka';
  if (name.startsWith('Mongo') || name.startsWith('Mongoose')) return 'mongo';
  return 'other';
}

/**
 * Prometheus metrics of this replica, on its own registry (several apps may share a process
 * in tests). Other modules report through the small methods below; none of them blocks or
 * throws.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly logger = new Logger(MetricsService.name);
  private readonly names: NameCap;
  private readonly listeners: OpsListener[] = [];
  private readonly fires: Counter<'name'>;
  private readonly lateness: Histogram;
  private readonly outcomes: Counter<'result'>;
  private readonly retries: Counter;
  private readonly deadLetters: Counter;
  private readonly errors: Counter<'component'>;
  private readonly alerts: Counter<'kind'>;
  private readonly foreignOutcomes: Counter;
  private readonly retentionDeleted: Counter<'collection'>;
  private readonly retentionPass: Gauge;
  private tasksAt = 0;
  private tasksTookMs = 0;
  private unwritten: (() => number) | undefined;
  private tasksRefresh: Promise<void> | undefined;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly tasksRepository: TasksRepository,
    @Optional() private readonly leases?: ShardLeases,
  ) {
    this.names = new NameCap(config.metrics.maxNames);
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    const tasks: Gauge<'type' | 'status'> = new Gauge({
      name: 'task_center_tasks',
      help: `Tasks by type and status (a collection scan: refreshed at most every ${TASKS_REFRESH_MS / 1000} s, less often when it is slow)`,
      labelNames: ['type', 'status'],
      registers,
      collect: () => this.refreshTasks(tasks),
    });
    this.fires = new Counter({
      name: 'task_center_fires_published_total',
      help: `Fires published by the dispatcher, by task name (at most ${config.metrics.maxNames} names, then "other")`,
      labelNames: ['name'],
      registers,
    });
    this.lateness = new Histogram({
      name: 'task_center_dispatch_lateness_seconds',
      help: 'Publish time minus scheduled time of each dispatched fire',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.outcomes = new Counter({
      name: 'task_center_outcomes_total',
      help: 'Attempt outcomes by result (succeeded, failed from workers; timeout from ack deadlines)',
      labelNames: ['result'],
      registers,
    });
    this.retries = new Counter({
      name: 'task_center_retries_total',
      help: 'Redeliveries published (attempt 2 and later)',
      registers,
    });
    this.deadLetters = new Counter({
      name: 'task_center_dead_letters_total',
      help: 'Fires published to the dead-letter topic',
      registers,
    });
    const shards: Gauge = new Gauge({
      name: 'task_center_owned_shards',
      help: 'Dispatch shards this replica holds the lease of',
      registers,
      collect: () => shards.set(this.leases?.owned().length ?? 0),
    });
    const unwritten: Gauge = new Gauge({
      name: 'task_center_dispatch_unwritten_advances',
      help: 'Tasks published whose advance is not written to the database yet (held or queued)',
      registers,
      collect: () => unwritten.set(this.unwritten?.() ?? 0),
    });
    this.errors = new Counter({
      name: 'task_center_errors_total',
      help: 'Errors talking to Kafka or MongoDB, by component',
      labelNames: ['component'],
      registers,
    });
    this.alerts = new Counter({
      name: 'task_center_alerts_total',
      help: 'Alerts raised, by kind (including those the rate limit kept from the webhook)',
      labelNames: ['kind'],
      registers,
    });
    this.foreignOutcomes = new Counter({
      name: 'task_center_foreign_outcomes_total',
      help: 'Outcomes for tasks this database does not know (another deployment shares the results topic), not recorded',
      registers,
    });
    this.retentionDeleted = new Counter({
      name: 'task_center_retention_deleted_total',
      help: 'Documents deleted by the retention purge, by collection',
      labelNames: ['collection'],
      registers,
    });
    this.retentionPass = new Gauge({
      name: 'task_center_retention_last_pass_seconds',
      help: "Duration of this replica's last retention pass (pauses between its statements included)",
      registers,
    });
  }

  /** Dispatcher hook: how many advances wait to be written, read at each scrape. */
  watchUnwritten(count: () => number): void {
    this.unwritten = count;
  }

  /** Lets another module (the alerts) see what the hooks report. */
  subscribe(listener: OpsListener): void {
    this.listeners.push(listener);
  }

  /** Dispatcher hook: a batch of fires was acknowledged by Kafka at `now`. */
  firesPublished(messages: readonly PublishedFire[], now: number): void {
    const fires = messages.map((m) => {
      const name = m.headers[FireHeader.tag] ?? '';
      const latenessMs = Math.max(0, now - Number(m.headers[FireHeader.scheduledAt] ?? now));
      this.fires.inc({ name: this.names.label(name) });
      this.lateness.observe(latenessMs / 1000);
      return { name, latenessMs };
    });
    if (fires.length > 0) this.emit({ kind: 'fires', fires, now });
  }

  /** Outcome consumer hook: worker outcomes stored. */
  outcomesRecorded(results: readonly string[], now = Date.now()): void {
    for (const result of results) this.outcomes.inc({ result });
    if (results.length > 0) this.emit({ kind: 'outcomes', results: [...results], now });
  }

  /** Outcomes for tasks this database does not know: another deployment's, not recorded. */
  foreignOutcomesSkipped(count: number): void {
    if (count > 0) this.foreignOutcomes.inc(count);
  }

  /** Ack deadlines that passed in silence (each is also a `timeout` outcome). */
  timedOut(names: readonly string[]): void {
    if (names.length === 0) return;
    this.outcomes.inc({ result: 'timeout' }, names.length);
    this.emit({ kind: 'timeout', names: [...names] });
  }

  retried(count: number): void {
    if (count > 0) this.retries.inc(count);
  }

  deadLettered(names: readonly string[]): void {
    if (names.length === 0) return;
    this.deadLetters.inc(names.length);
    this.emit({ kind: 'dead', names: [...names] });
  }

  failed(err: unknown, component: ErrorComponent = componentOf(err)): void {
    this.errors.inc({ component });
  }

  alertRaised(kind: string): void {
    this.alerts.inc({ kind });
  }

  /** Retention hook: documents of `collection` purged. */
  retentionDeletedDocs(collection: string, count: number): void {
    if (count > 0) this.retentionDeleted.inc({ collection }, count);
  }

  /** Retention hook: a pass ended after `tookMs`. */
  retentionPassEnded(tookMs: number): void {
    this.retentionPass.set(tookMs / 1000);
  }

  private emit(event: OpsEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.logger.error(`ops listener failed: ${String(err)}`);
      }
    }
  }

  /**
   * Counting tasks is a collection scan (seconds with a million tasks on FerretDB): a scrape
   * waits for it at most SCRAPE_WAIT_MS and otherwise gets the previous counts, and a count
   * runs at most every TASKS_REFRESH_MS or 20 times its own last duration, whichever is
   * longer, so it never takes more than ~5% of the database's time.
   */
  private refreshTasks(gauge: Gauge<'type' | 'status'>): Promise<void> {
    const every = Math.max(TASKS_REFRESH_MS, 20 * this.tasksTookMs);
    if (Date.now() - this.tasksAt < every) return Promise.resolve();
    if (!this.tasksRefresh) {
      const started = Date.now();
      this.tasksRefresh = this.tasksRepository
        .countByTypeAndStatus()
        .then((rows) => {
          gauge.reset();
          for (const r of rows) gauge.set({ type: String(r.type), status: r.status }, r.count);
        })
        .catch((err: unknown) => this.failed(err, 'mongo'))
        .finally(() => {
          this.tasksTookMs = Date.now() - started;
          this.tasksAt = Date.now();
          this.tasksRefresh = undefined;
        });
    }
    return Promise.race([this.tasksRefresh, delay(SCRAPE_WAIT_MS)]);
  }
}
