import { type AppConfig } from '../config';
import { type ShardLeases } from '../leases/shard-leases';
import { type MetricsService } from '../metrics/metrics.service';
import { type DeadLettersRepository } from '../repositories/dead-letters.repository';
import {
  type FleetSnapshot,
  type OverviewStatsRepository,
} from '../repositories/overview-stats.repository';
import { type TasksRepository } from '../repositories/tasks.repository';
import { ACTIVE_NAMES_MAX, FleetSnapshotJob, KEEP_MINUTES_MS } from './fleet-snapshot.job';

const T0 = 1_767_225_630_000; // 30 s into a minute

function job(opts: { holder: boolean; countMs: number; names?: string[] }) {
  const saved: FleetSnapshot[] = [];
  const deletedBefore: number[] = [];
  const config = { overview: { writeMs: 60_000 }, dispatch: { enabled: true } } as AppConfig;
  const leases = { holds: () => opts.holder, replicaId: 'r1' } as unknown as ShardLeases;
  const tasks = {
    countByTypeAndStatus: () => {
      jest.setSystemTime(Date.now() + opts.countMs); // the count's own duration
      return Promise.resolve([{ type: 1, status: 'active', count: 3 }]);
    },
    activeNames: () => Promise.resolve(opts.names ?? ['b', 'a']),
  } as unknown as TasksRepository;
  const dead = { count: () => Promise.resolve(2) } as unknown as DeadLettersRepository;
  const stats = {
    saveSnapshot: (s: FleetSnapshot) => Promise.resolve(void saved.push(s)),
    deleteMinutesBefore: (before: number) => Promise.resolve(deletedBefore.push(before)),
  } as unknown as OverviewStatsRepository;
  const metrics = { failed: () => undefined } as unknown as MetricsService;
  return {
    job: new FleetSnapshotJob(config, leases, tasks, dead, stats, metrics),
    saved,
    deletedBefore,
  };
}

describe('FleetSnapshotJob', () => {
  beforeEach(() => jest.useFakeTimers({ now: T0 }));
  afterEach(() => jest.useRealTimers());

  it('takes the snapshot only on the holder of shard 0', async () => {
    const other = job({ holder: false, countMs: 10 });
    expect(await other.job.take()).toBe(false);
    expect(other.saved).toEqual([]);
    const holder = job({ holder: true, countMs: 10 });
    expect(await holder.job.take()).toBe(true);
    expect(holder.saved).toEqual([
      {
        countedAt: T0,
        tookMs: 10,
        replica: 'r1',
        tasks: [{ type: 1, status: 'active', count: 3 }],
        activeNames: ['a', 'b'],
        activeNamesTruncated: false,
        deadLettersWaiting: 2,
      },
    ]);
    expect(holder.deletedBefore).toEqual([T0 - 30_000 - KEEP_MINUTES_MS]);
  });

  it('waits at least 20 times its last duration before the next snapshot', async () => {
    const quick = job({ holder: true, countMs: 100 });
    await quick.job.take();
    expect(quick.job.nextDelayMs()).toBe(60_000); // OVERVIEW_WRITE_S wins
    const slow = job({ holder: true, countMs: 9000 }); // e.g. a million tasks on FerretDB
    await slow.job.take();
    expect(slow.job.nextDelayMs()).toBe(180_000);
  });

  it('keeps the first names of active tasks, sorted, and says when it cut', async () => {
    const names = Array.from(
      { length: ACTIVE_NAMES_MAX + 5 },
      (_, i) => `n${String(i).padStart(5, '0')}`,
    );
    const many = job({ holder: true, countMs: 1, names: [...names].reverse() });
    await many.job.take();
    expect(many.saved[0]!.activeNames).toEqual(names.slice(0, ACTIVE_NAMES_MAX));
    expect(many.saved[0]!.activeNamesTruncated).toBe(true);
  });
});
