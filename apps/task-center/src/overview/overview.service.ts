import { Injectable } from '@nestjs/common';
import { OverviewStatsRepository } from '../repositories/overview-stats.repository';
import { WorkerRegistry } from '../runs/worker-registry';
import { buildOverview, type OverviewView, type OverviewWindow, windowStart } from './overview';

/** Three small reads per request: the minutes of the window, the snapshot, the workers. */
@Injectable()
export class OverviewService {
  constructor(
    private readonly stats: OverviewStatsRepository,
    private readonly workers: WorkerRegistry,
  ) {}

  async overview(window: OverviewWindow, now = Date.now()): Promise<OverviewView> {
    const since = windowStart(now, Math.max(window.minutes, window.latenessMinutes));
    const [replicaMinutes, snapshot, { workers }] = await Promise.all([
      this.stats.minutesSince(since),
      this.stats.snapshot(),
      this.workers.list(now),
    ]);
    return buildOverview({ ...window, now, replicaMinutes, snapshot, workers });
  }
}
