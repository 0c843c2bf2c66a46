import { setTimeout as sleep } from 'node:timers/promises';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ConditionLog } from '../background/condition-log';
import { SingleFlight } from '../background/single-flight';
import { APP_CONFIG, type AppConfig } from '../config';
import { ShardLeases } from '../leases/shard-leases';
import { MetricsService } from '../metrics/metrics.service';
import { RetentionStateRepository } from '../repositories/retention-state.repository';
import { BucketPurge, PassTally, type PurgeLimits } from './bucket-purge';
import { PurgeStreams } from './purge-streams';

/** Buckets per stream per pass (at 60 s buckets: 10 hours of history to catch up per pass). */
export const MAX_BUCKETS_PER_PASS = 600;
/** A pass starts no statement after this long; the next pass continues from the cursors. */
export const PASS_BUDGET_MS = 30_000;
/** A statement longer than this ran into the dispatcher's next slot: worth a log line. */
const SLOW_STATEMENT_MS = 400;

/**
 * Deletes what is older than its retention (docs/retention.md). One replica purges: the
 * holder of shard 0, as for the fleet snapshot. A pass runs every bucket width (1 to 60 s);
 * each pass deletes whole buckets by equality, one statement at a time, started just after a
 * whole second (the dispatcher's publish is then behind it) and never more than half of the
 * time, so it never holds up dispatch whatever the backlog.
 */
@Injectable()
export class RetentionJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Retention');
  private readonly conditions = new ConditionLog(this.logger);
  private readonly stop = new AbortController();
  private readonly flight: SingleFlight;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly leases: ShardLeases,
    private readonly state: RetentionStateRepository,
    private readonly streams: PurgeStreams,
    private readonly metrics: MetricsService,
  ) {
    this.flight = new SingleFlight(async () => void (await this.pass()), {
      conditions: this.conditions,
      condition: 'retention purge failed (retried next pass)',
      onError: (err) => this.metrics.failed(err),
    });
  }

  /** Between passes: the bucket width, within 1 to 60 s. */
  get periodMs(): number {
    return Math.min(60_000, Math.max(1000, this.config.retention.bucketMs));
  }

  onApplicationBootstrap(): void {
    // Without a dispatch lease this replica never holds shard 0.
    if (!this.config.retention.enabled || !this.config.dispatch.enabled) return;
    const next = () => {
      if (this.stop.signal.aborted) return;
      this.timer = setTimeout(() => void this.flight.run().finally(next), this.periodMs);
      this.timer.unref();
    };
    next();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stop.abort();
    clearTimeout(this.timer);
    await this.flight.settled();
  }

  /** One pass if this replica holds shard 0 (public for tests). */
  async pass(): Promise<PassTally | undefined> {
    if (!this.leases.holds(0)) return undefined;
    const started = Date.now();
    const tally = new PassTally();
    const purge = new BucketPurge(
      {
        cursor: (s) => this.state.cursor(s),
        saveCursor: (s, c, now) => this.state.saveCursor(s, c, now),
        now: () => Date.now(),
        wait: (ms) => this.wait(ms),
        mayContinue: () => !this.stop.signal.aborted && this.leases.holds(0),
      },
      this.limits(),
    );
    try {
      await purge.pass(this.streams.streams, tally);
      await purge.statement('workers', () => this.streams.deleteStaleWorkers(Date.now()), tally);
    } finally {
      this.report(tally, Date.now() - started);
    }
    return tally;
  }

  private limits(): PurgeLimits {
    return {
      bucketMs: this.config.retention.bucketMs,
      maxBuckets: MAX_BUCKETS_PER_PASS,
      budgetMs: PASS_BUDGET_MS,
    };
  }

  private async wait(ms: number): Promise<boolean> {
    try {
      await sleep(ms, undefined, { signal: this.stop.signal });
      return true;
    } catch {
      return false;
    }
  }

  private report(tally: PassTally, tookMs: number): void {
    for (const [collection, n] of tally.deleted) this.metrics.retentionDeletedDocs(collection, n);
    this.metrics.retentionPassEnded(tookMs);
    const slowest = `slowest ${tally.slowestMs} ms (${tally.slowestDocs} ${tally.slowestCollection})`;
    if (tally.slowestMs > SLOW_STATEMENT_MS) {
      this.logger.warn(`a retention delete took ${slowest}: consider a smaller RETENTION_BUCKET_S`);
    }
    if (tally.total() === 0) return;
    const counts = [...tally.deleted].map(([c, n]) => `${c} ${n}`).join(', ');
    this.logger.log(`purged ${counts} in ${tookMs} ms: ${tally.statements} statements, ${slowest}`);
  }
}
