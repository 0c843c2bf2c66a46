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
 * waiting. It also deletes minutes older than two hours. On a million tasks the counts take
 * seconds on FerretDB: they run in the background, never on a request.
 */
@Injectable()
export class FleetSnapshotJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Overview');
  private timer: NodeJS.Timeout | undefined;
  private running = false;

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
    const every = this.config.overview.writeMs;
    const run = () => {
      this.timer = setTimeout(() => void this.take().finally(run), every);
      this.timer.unref();
    };
    // The first snapshot soon after the leases settle, so a new fleet has counts at once.
    this.timer = setTimeout(() => void this.take().finally(run), Math.min(every, 3000));
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearTimeout(this.timer);
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
      await this.stats.saveSnapshot({
        countedAt: now,
        tookMs: Date.now() - now,
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
