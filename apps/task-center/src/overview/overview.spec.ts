import { emptyLateness } from './lateness-histogram';
import { emptyMinute, MINUTE_MS } from './minute-tally';
import { buildOverview } from './overview';
import { type ReplicaMinute } from '../repositories/overview-stats.repository';
import { type WorkerView } from '../runs/worker-registry';

const T0 = 1_767_225_600_000;
const now = T0 + 10 * MINUTE_MS + 30_000; // 30 s into minute 10

function minute(at: number, replica: string, fires: number, lateness: number[] = []) {
  const counts = emptyMinute();
  counts.fires = fires;
  counts.succeeded = fires;
  counts.lateness = emptyLateness();
  for (const ms of lateness)
    counts.lateness[ms <= 5 ? 2 : 6] = (counts.lateness[ms <= 5 ? 2 : 6] ?? 0) + 1;
  counts.latenessMaxMs = Math.max(0, ...lateness);
  return { minute: at, replica, counts } satisfies ReplicaMinute;
}

const worker = (id: string, tags: string[], alive: boolean): WorkerView => ({
  id,
  group: 'g',
  host: 'h',
  pid: 1,
  sdk: 'x',
  tags,
  lastSeen: now,
  intervalMs: 5000,
  stopping: false,
  alive,
});

describe('buildOverview', () => {
  it('sums replicas per minute into a zero-filled series ending with the current minute', () => {
    const view = buildOverview({
      now,
      minutes: 5,
      latenessMinutes: 2,
      snapshot: null,
      workers: [],
      replicaMinutes: [
        minute(T0 + 10 * MINUTE_MS, 'a', 3),
        minute(T0 + 10 * MINUTE_MS, 'b', 4),
        minute(T0 + 7 * MINUTE_MS, 'a', 1),
        minute(T0 + 2 * MINUTE_MS, 'a', 100), // before the window
      ],
    });
    expect(view.series.points.map((p) => [(p.at_ms - T0) / MINUTE_MS, p.fires])).toEqual([
      [6, 0],
      [7, 1],
      [8, 0],
      [9, 0],
      [10, 7],
    ]);
    expect(view.replicas_reporting).toBe(2);
    expect(view.tasks).toBeNull();
    expect(view.dead_letters_waiting).toBeNull();
    expect(view.tags_without_worker).toBeNull();
  });

  it('reads lateness from the last minutes only, merged across replicas', () => {
    const view = buildOverview({
      now,
      minutes: 60,
      latenessMinutes: 2,
      snapshot: null,
      workers: [],
      replicaMinutes: [
        minute(T0 + 10 * MINUTE_MS, 'a', 2, [3, 3]),
        minute(T0 + 9 * MINUTE_MS, 'b', 1, [80]),
        minute(T0 + 8 * MINUTE_MS, 'a', 1, [5000]), // outside the lateness window
      ],
    });
    expect(view.lateness).toMatchObject({
      from_ms: T0 + 9 * MINUTE_MS,
      count: 3,
      p50_ms: 5,
      p99_ms: 80,
      max_ms: 80,
    });
  });

  it('counts tasks by status and type from the snapshot, and finds tags without a live worker', () => {
    const view = buildOverview({
      now,
      minutes: 1,
      latenessMinutes: 1,
      replicaMinutes: [],
      snapshot: {
        countedAt: now - 1000,
        tookMs: 12,
        replica: 'a',
        tasks: [
          { type: 1, status: 'active', count: 5 },
          { type: 2, status: 'paused', count: 2 },
          { type: 3, status: 'active', count: 1 },
          { type: 1, status: 'deleted', count: 9 },
          { type: 1, status: 'completed', count: 4 },
        ],
        activeNames: ['billing', 'emails', 'reports'],
        activeNamesTruncated: false,
        deadLettersWaiting: 3,
      },
      workers: [
        worker('w1', ['emails'], true),
        worker('w2', ['reports'], false),
        worker('w3', ['emails', 'x'], true),
      ],
    });
    expect(view.tasks).toMatchObject({
      total: 12,
      by_status: { active: 6, paused: 2, completed: 4, deleted: 9 },
      by_type: { one_shot: 9, loop: 2, crontab: 1 },
    });
    expect(view.dead_letters_waiting).toBe(3);
    expect(view.workers).toEqual({
      live: 2,
      by_tag: [
        { tag: 'emails', live_workers: 2 },
        { tag: 'x', live_workers: 1 },
      ],
    });
    expect(view.tags_without_worker).toEqual({ tags: ['billing', 'reports'], truncated: false });
    expect(view.series.points).toHaveLength(1);

    // A live worker with a '*' handler takes every tag (the soak's workers raised a false alarm).
    const withAny = buildOverview({
      now,
      minutes: 1,
      latenessMinutes: 1,
      replicaMinutes: [],
      snapshot: {
        countedAt: now - 1000,
        tookMs: 12,
        replica: 'a',
        tasks: [],
        activeNames: ['billing', 'reports'],
        activeNamesTruncated: false,
        deadLettersWaiting: 0,
      },
      workers: [worker('w1', ['*'], true)],
    });
    expect(withAny.tags_without_worker).toEqual({ tags: [], truncated: false });
  });
});
