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
import { DeadLettersRepository } from '../repositories/dead-letters.repository';
import { OverviewStatsRepository } from '../repositories/overview-stats.repository';
import { TasksRepository } from '../repositories/tasks.repository';
import { MINUTE_MS, minuteOf } from './minute-tally';

/** Names of active tasks kept in the snapshot (for "tags without a live worker"). */
export const ACTIVE_NAMES_MAX = 1000;
/** Minutes older than this are deleted (the overview shows the last hour). */
export const KEEP_MINUTES_MS = 2 * 60 * MINUTE_MS;

/**
 * Once per `OVERVIEW_WRITE_S`, the holder of shard 0 (one replica of the fleet) counts what a
 * request must not scan for: tasks by type and status, the names of active tasks, dead letters
 * waiting. It also deletes minutes older than two hours. The counts read the whole tasks
 * collection on FerretDB (seconds at 100,000 tasks, minutes at a million): they run in the
 * background, never on a request, and at most every 20 times their own last duration, so they
 * never take more than ~5% of the database's time.
 */
@Injectable()
export class FleetSnapshotJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Overview');
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private lastTookMs = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly leases: ShardLeases,
    private readonly tasks: TasksRepository,
    private readonly deadLetters: DeadLettersRepository,
    private readonly stats: OverviewStatsRepository,
    private readonly metrics: MetricsService,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.dispatch.enabled) return; // no shard lease, never the holder of shard 0
    const run = () => {
      this.timer = setTimeout(() => void this.take().finally(run), this.nextDelayMs());
      this.timer.unref();
    };
    // The first snapshot soon after the leases settle, so a new fleet has counts at once.
    this.timer = setTimeout(
      () => void this.take().finally(run),
      Math.min(this.config.overview.writeMs, 3000),
    );
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearTimeout(this.timer);
  }

  /** `OVERVIEW_WRITE_S`, or 20 times the last snapshot's duration when that is longer. */
  nextDelayMs(): number {
    return Math.max(this.config.overview.writeMs, 20 * this.lastTookMs);
  }

  /** Takes and stores a snapshot if this replica holds shard 0; false otherwise. */
  async take(now = Date.now()): Promise<boolean> {
    if (this.running || !this.leases.holds(0, now)) return false;
    this.running = true;
    try {
      const [tasks, names, deadLettersWaiting] = await Promise.all([
        this.tasks.countByTypeAndStatus(),
        this.tasks.activeNames(),
        this.deadLetters.count(),
      ]);
      const sorted = [...names].sort();
      this.lastTookMs = Date.now() - now;
      await this.stats.saveSnapshot({
        countedAt: now,
        tookMs: this.lastTookMs,
        replica: this.leases.replicaId,
        tasks,
        activeNames: sorted.slice(0, ACTIVE_NAMES_MAX),
        activeNamesTruncated: sorted.length > ACTIVE_NAMES_MAX,
        deadLettersWaiting,
      });
      await this.stats.deleteMinutesBefore(minuteOf(now) - KEEP_MINUTES_MS);
      return true;
    } catch (err) {
      this.metrics.failed(err);
      this.logger.warn(`overview snapshot not taken (retried next period): ${String(err)}`);
      return false;
    } finally {
      this.running = false;
    }
  }
}
