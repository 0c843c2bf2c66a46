/** Durable run timers against the real server: insert-as-claim, slot and catch-up reads. */
import { type RunTimer, runTimerId } from '../../apps/task-center/src/runs/run-records';
import { RunTimersRepository } from '../../apps/task-center/src/repositories/run-timers.repository';
import { bucketOf } from '../../apps/task-center/src/tasks/task-shard';
import { RepositoriesHarness } from '../support/repositories';

const NOW = 1_900_000_000_000;
const TASK = '65f000000000000000000001';

function timer(i: number, overrides: Partial<RunTimer> = {}): RunTimer {
  const messageId = `${TASK}:${NOW + i}:1`;
  return {
    id: runTimerId('redeliver', messageId),
    kind: 'redeliver',
    taskId: TASK,
    name: 'timers',
    scheduledAt: NOW + i,
    attempt: 2,
    dueAt: NOW + 1000,
    shard: 3,
    reason: 'failed',
    lastError: 'boom',
    createdAt: NOW,
    ...overrides,
  };
}

describe('RunTimersRepository (real database)', () => {
  let harness: RepositoriesHarness;
  let timers: RunTimersRepository;

  beforeAll(async () => {
    harness = await RepositoriesHarness.start('repo-timers');
    timers = harness.get(RunTimersRepository);
  });

  afterAll(() => harness?.stop());

  it('of two callers claiming the same 40 timers at once, each timer is won exactly once', async () => {
    const all = Array.from({ length: 40 }, (_, i) => timer(i, { shard: 7 }));
    const [a, b] = await Promise.all([timers.claim(all), timers.claim([...all].reverse())]);

    const wonA = new Set(a.map((t) => t.id));
    const wonB = new Set(b.map((t) => t.id));
    expect([...wonA].filter((id) => wonB.has(id))).toEqual([]);
    expect(new Set([...wonA, ...wonB])).toEqual(new Set(all.map((t) => t.id)));
    // A later claim of the same timers wins nothing.
    expect(await timers.claim(all.slice(0, 20))).toEqual([]);
    await timers.delete(all.map((t) => t.id));
  });

  it('claims over 16 timers in one call and reads them back as they were', async () => {
    const all = Array.from({ length: 20 }, (_, i) =>
      timer(100 + i, { shard: 9, dueAt: NOW + 5000 + (i % 2) }),
    );
    expect(await timers.claim(all)).toEqual(all);
    const read = await timers.inSlot(9, bucketOf(NOW + 5000));
    expect(read.sort((x, y) => x.scheduledAt - y.scheduledAt)).toEqual(all);
    await timers.delete(all.map((t) => t.id));
    expect(await timers.inSlot(9, bucketOf(NOW + 5000))).toEqual([]);
  });

  it('reads one second of one shard, and everything due by a time, earliest first', async () => {
    const early = timer(200, { shard: 4, dueAt: NOW + 10_000 });
    const inSecond = timer(201, { shard: 4, dueAt: NOW + 12_500, kind: 'deadline' });
    const alsoInSecond = timer(202, { shard: 4, dueAt: NOW + 12_999, kind: 'dead' });
    const later = timer(203, { shard: 4, dueAt: NOW + 20_000 });
    const otherShard = timer(204, { shard: 5, dueAt: NOW + 12_500 });
    await timers.claim([later, inSecond, otherShard, alsoInSecond, early]);

    const second = await timers.inSlot(4, bucketOf(NOW + 12_500));
    expect(second.map((t) => t.id).sort()).toEqual([inSecond.id, alsoInSecond.id].sort());
    expect(await timers.inSlot(4, bucketOf(NOW + 11_000))).toEqual([]);

    expect((await timers.dueBy(4, NOW + 12_999, 100)).map((t) => t.id)).toEqual([
      early.id,
      inSecond.id,
      alsoInSecond.id,
    ]);
    expect((await timers.dueBy(4, NOW + 30_000, 2)).map((t) => t.id)).toEqual([
      early.id,
      inSecond.id,
    ]);

    // Counted over every shard: early and otherShard, then later too.
    expect(await timers.countDueBy('redeliver', NOW + 12_999)).toBe(2);
    expect(await timers.countDueBy('redeliver', NOW + 20_000)).toBe(3);
    expect(await timers.countDueBy('dead', NOW + 20_000)).toBe(1);
    expect(await timers.countDueBy('deadline', NOW + 12_499)).toBe(0);

    await timers.delete([early.id, inSecond.id, 'no-such-timer']);
    expect((await timers.dueBy(4, NOW + 30_000, 100)).map((t) => t.id)).toEqual([
      alsoInSecond.id,
      later.id,
    ]);
  });
});
