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
import { OverviewStatsRepository } from '../repositories/overview-stats.repository';
import { MinuteTally, type Outcome } from './minute-tally';

const OUTCOMES = new Set<string>(['succeeded', 'failed', 'timeout', 'dead']);

/**
 * Counts this replica's fires, outcomes and lateness per minute (from the metrics hooks, in
 * memory) and writes the minutes that changed every `OVERVIEW_WRITE_S`: one round trip, a
 * replace by `_id` per minute, so a retried or repeated write is harmless. The last minutes
 * are written at shutdown too.
 */
@Injectable()
export class MinuteStatsWriter implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Overview');
  private readonly tally = new MinuteTally();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private failing = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: MetricsService,
    private readonly stats: OverviewStatsRepository,
    private readonly leases: ShardLeases,
  ) {}

  onApplicationBootstrap(): void {
    this.metrics.subscribe((event) => this.observe(event));
    const every = this.config.overview.writeMs;
    // Just after each period boundary, so that a minute is written once it is complete.
    const next = () => every - (Date.now() % every) + 50;
    const tick = () => {
      this.timer = setTimeout(() => {
        void this.write().finally(tick);
      }, next());
      this.timer.unref();
    };
    tick();
  }

  async onApplicationShutdown(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.write();
  }

  observe(event: OpsEvent): void {
    switch (event.kind) {
      case 'fires':
        return this.tally.fires(
          event.fires.map((f) => f.latenessMs),
          event.now,
        );
      case 'outcomes':
        for (const result of event.results) {
          if (OUTCOMES.has(result)) this.tally.outcomes(result as Outcome, 1, event.now);
        }
        return;
      case 'timeout':
        return this.tally.outcomes('timeout', event.names.length, Date.now());
      case 'dead':
        return this.tally.outcomes('dead', event.names.length, Date.now());
    }
  }

  /** Writes the minutes changed since the last write (one at a time). */
  write(now = Date.now()): Promise<void> {
    this.writing ??= this.writeOnce(now).finally(() => (this.writing = undefined));
    return this.writing;
  }

  private async writeOnce(now: number): Promise<void> {
    const minutes = this.tally.unwritten();
    if (minutes.length === 0) return;
    try {
      await this.stats.saveMinutes(this.leases.replicaId, minutes, now);
      this.tally.written(minutes, now);
      if (this.failing) this.logger.log('overview minutes written again');
      this.failing = false;
    } catch (err) {
      this.metrics.failed(err);
      if (!this.failing)
        this.logger.warn(`overview minutes not written (kept, retried): ${String(err)}`);
      this.failing = true;
    }
  }
}
