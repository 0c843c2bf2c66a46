/**
 * TasksRepository against the real MongoDB-wire server: the API's writes racing the
 * dispatcher's write-back, the due reads, and the counts.
 */
import { TaskType } from '@task-center/contracts';
import { Types } from 'mongoose';
import { type Advance } from '../../apps/task-center/src/tasks/task-advance';
import { type NewTask, type Task } from '../../apps/task-center/src/tasks/task';
import { bucketOf } from '../../apps/task-center/src/tasks/task-shard';
import { TasksRepository } from '../../apps/task-center/src/repositories/tasks.repository';
import { RepositoriesHarness } from '../support/repositories';

const S = 1000;
const T0 = 1_900_000_000_000;

function loopTask(nextRunAt: number, overrides: Partial<NewTask> = {}): NewTask {
  return {
    name: 'repo-tasks',
    type: TaskType.Loop,
    data: '{"v":1}',
    loopTime: 1,
    ack: false,
    timezone: 'UTC',
    misfire: 'fire_once',
    status: 'active',
    nextRunAt,
    createdAt: T0 - 60 * S,
    ...overrides,
  };
}

/** One fire of the slot `before.nextRunAt`, next slot a second later. */
function fired(before: Task, now = before.nextRunAt! + 5): Advance {
  return {
    before,
    nextRunAt: before.nextRunAt! + S,
    manualRuns: [],
    fired: 1,
    lastRunAt: before.nextRunAt!,
    now,
  };
}

describe('TasksRepository (real database)', () => {
  let harness: RepositoriesHarness;
  let tasks: TasksRepository;

  beforeAll(async () => {
    // One shard: every task's due reads land in shard 0.
    harness = await RepositoriesHarness.start('repo-tasks', { DISPATCH_SHARDS: '1' });
    tasks = harness.get(TasksRepository);
  });

  afterAll(() => harness?.stop());

  const reload = async (id: string) => (await tasks.findById(id))!;
  const rawDoc = (id: string) =>
    harness.connection.collection('tasks').findOne({ _id: new Types.ObjectId(id) });

  describe('advance racing an API write, then reconcile', () => {
    it('an API reschedule wins the next slot; the fire still counts', async () => {
      const before = await tasks.insert(loopTask(T0));
      const { version, ...def } = before;
      const rescheduled = await tasks.replace(
        before.id,
        version,
        { ...def, loopTime: 60, status: 'active', nextRunAt: T0 + 3600 * S },
        T0,
      );
      expect(rescheduled).not.toBeNull();

      await tasks.advance([fired(before)]);

      const after = await reload(before.id);
      expect(after).toMatchObject({
        runCount: 1,
        lastRunAt: T0,
        nextRunAt: T0 + 3600 * S,
        dueAt: T0 + 3600 * S,
        loopTime: 60,
        status: 'active',
        version: before.version + 1,
      });
    });

    it('an API edit that keeps the schedule keeps our next slot', async () => {
      const before = await tasks.insert(loopTask(T0));
      const { version, ...def } = before;
      await tasks.replace(before.id, version, { ...def, data: '{"v":2}' }, T0);

      await tasks.advance([fired(before)]);

      expect(await reload(before.id)).toMatchObject({
        runCount: 1,
        lastRunAt: T0,
        nextRunAt: T0 + S,
        dueAt: T0 + S,
        data: '{"v":2}',
      });
    });

    it('a pause in between stays paused, with the fire counted and nothing due', async () => {
      const before = await tasks.insert(loopTask(T0));
      expect(await tasks.transition(before.id, 'active', 'paused', T0, T0)).not.toBeNull();

      await tasks.advance([fired(before)]);

      expect(await reload(before.id)).toMatchObject({
        status: 'paused',
        runCount: 1,
        lastRunAt: T0,
        nextRunAt: T0 + S,
        dueAt: null,
      });
      expect(await tasks.dueInSlot(0, bucketOf(T0 + S))).not.toContainEqual(
        expect.objectContaining({ id: before.id }),
      );
    });

    it('a run-now queued in between is kept, due first', async () => {
      const before = await tasks.insert(loopTask(T0 + 10 * S));
      const manualAt = T0 + 2 * S;
      expect(await tasks.addManualRun(before.id, manualAt, T0)).not.toBeNull();

      await tasks.advance([fired(before)]);

      expect(await reload(before.id)).toMatchObject({
        manualRuns: [manualAt],
        runCount: 1,
        nextRunAt: T0 + 11 * S,
        dueAt: manualAt,
      });
    });

    it('an advance of a deleted task writes nothing', async () => {
      const before = await tasks.insert(loopTask(T0));
      expect(await tasks.markDeleted([before.id], T0)).toEqual([before.id]);

      await tasks.advance([fired(before)]);

      expect(await tasks.findById(before.id)).toBeNull();
      expect(await rawDoc(before.id)).toMatchObject({
        status: 'deleted',
        run_count: 0,
        last_run_at: null,
        next_run_at: null,
        due_at: null,
        due_slot: null,
        manual_runs: [],
      });
    });

    it('an advance of a copy another advance moved on (same version) is not applied: returned as superseded, nothing counted twice', async () => {
      const before = await tasks.insert(loopTask(T0));
      // Another replica published the slot and moved the task on first.
      expect(await tasks.advance([fired(before)])).toEqual([]);
      // Ours was planned from the same copy and folded two slots (the second only ours).
      const ours = { ...fired(before), fired: 2, nextRunAt: T0 + 2 * S, lastRunAt: T0 + S };
      const superseded = await tasks.advance([ours]);
      expect(superseded.map((a) => a.before.id)).toEqual([before.id]);
      // The database keeps the other advance; the dispatcher reads it again and re-publishes
      // the second slot under the same message id.
      expect(await reload(before.id)).toMatchObject({ runCount: 1, nextRunAt: T0 + S });
    });

    it('an advance planned from a copy ahead of the database (same version) is not applied on top: no fire counted twice', async () => {
      const before = await tasks.insert(loopTask(T0));
      await tasks.advance([fired(before)]); // the database: next slot T0 + S, one fire
      // A replica whose own earlier advance was superseded kept going in memory: its copy is
      // two slots ahead of the database.
      const ahead = { ...before, nextRunAt: T0 + 2 * S, runCount: 2, lastRunAt: T0 + S };
      const superseded = await tasks.advance([
        { ...fired(ahead), nextRunAt: T0 + 3 * S, lastRunAt: T0 + 2 * S },
      ]);
      expect(superseded).toHaveLength(1);
      expect(await reload(before.id)).toMatchObject({ runCount: 1, nextRunAt: T0 + S });
    });

    it('the same advance written twice counts once', async () => {
      const before = await tasks.insert(loopTask(T0));
      await tasks.advance([fired(before)]);
      await tasks.advance([fired(before)]);
      expect(await reload(before.id)).toMatchObject({ runCount: 1, nextRunAt: T0 + S });
    });
  });

  it('advances 40 tasks in chunks, merging the ones the API changed meanwhile', async () => {
    const loaded: Task[] = [];
    for (let i = 0; i < 40; i++) loaded.push(await tasks.insert(loopTask(T0 + 100 * S)));
    const changed = loaded.filter((_, i) => i % 5 === 0);
    for (const t of changed) {
      const { version, ...def } = t;
      await tasks.replace(t.id, version, { ...def, data: 'changed' }, T0);
    }

    await tasks.advance(loaded.map((t) => fired(t)));

    const after = await tasks.findByIds(loaded.map((t) => t.id));
    expect(after.size).toBe(40);
    for (const t of loaded) {
      expect(after.get(t.id)).toMatchObject({
        runCount: 1,
        lastRunAt: T0 + 100 * S,
        nextRunAt: T0 + 101 * S,
        data: changed.includes(t) ? 'changed' : '{"v":1}',
      });
    }
  });

  it('completes a task whose last fire was advanced', async () => {
    const before = await tasks.insert(
      loopTask(T0, { type: TaskType.OneShot, loopTime: undefined }),
    );
    await tasks.advance([{ ...fired(before), nextRunAt: null }]);
    expect(await reload(before.id)).toMatchObject({
      status: 'completed',
      nextRunAt: null,
      dueAt: null,
      runCount: 1,
    });
  });

  describe('due reads', () => {
    const base = T0 + 10_000 * S;
    let early: Task, sameSecond: Task[], later: Task, paused: Task;

    beforeAll(async () => {
      early = await tasks.insert(loopTask(base - 5 * S));
      sameSecond = [await tasks.insert(loopTask(base)), await tasks.insert(loopTask(base + 999))];
      later = await tasks.insert(loopTask(base + 5 * S));
      paused = await tasks.insert(loopTask(base));
      await tasks.transition(paused.id, 'active', 'paused', base, base);
    });

    it('dueInSlot answers the active tasks due in that second of the shard', async () => {
      const ids = (await tasks.dueInSlot(0, bucketOf(base))).map((t) => t.id).sort();
      expect(ids).toEqual(sameSecond.map((t) => t.id).sort());
      expect(await tasks.dueInSlot(0, bucketOf(base) + 1)).toEqual([]);
    });

    it('dueBy answers what is due by then, earliest first, up to the limit', async () => {
      const due = await tasks.dueBy(0, base + 999, 1000);
      const mine = due.filter((t) =>
        [early, ...sameSecond, later, paused].some((m) => m.id === t.id),
      );
      expect(mine.map((t) => t.id)).toEqual([early.id, sameSecond[0]!.id, sameSecond[1]!.id]);
      const dueAts = due.map((t) => t.dueAt!);
      expect(dueAts).toEqual([...dueAts].sort((a, b) => a - b));
      expect(await tasks.dueBy(0, base + 999, 2)).toHaveLength(2);
    });

    it('countDueBy counts active tasks due by now', async () => {
      const before = await tasks.countDueBy(base - 5 * S - 1);
      expect(await tasks.countDueBy(base + 999)).toBe(before + 3);
      expect(await tasks.countDueBy(base + 5 * S)).toBe(before + 4);
    });
  });

  it('findByIds answers live tasks only, once each, ignoring malformed ids', async () => {
    const a = await tasks.insert(loopTask(T0));
    const b = await tasks.insert(loopTask(T0));
    await tasks.markDeleted([b.id], T0);
    const found = await tasks.findByIds([a.id, a.id, b.id, 'not-an-id', 'f'.repeat(24)]);
    expect([...found.keys()]).toEqual([a.id]);
    expect(found.get(a.id)).toMatchObject({ id: a.id, status: 'active' });
  });

  it('counts by type and status, and lists the names of active tasks', async () => {
    const name = `counted-${Date.now()}`;
    await tasks.insert(loopTask(T0, { name }));
    const c = await tasks.insert(loopTask(T0, { name: `${name}-paused` }));
    await tasks.transition(c.id, 'active', 'paused', T0, T0);
    const names = await tasks.activeNames();
    expect(names).toContain(name);
    expect(names).not.toContain(`${name}-paused`);
    // An HTTP target's name is the delivery worker's business, not an SDK worker's.
    const target = {
      type: 'http' as const,
      url: 'https://example.com/',
      method: 'POST' as const,
      headers: {},
      timeoutS: 10,
    };
    expect(await tasks.hasActiveHttpTargets()).toBe(false);
    const h = await tasks.insert(loopTask(T0, { name: `${name}-http`, target }));
    expect(await tasks.activeNames()).not.toContain(`${name}-http`);
    expect(await tasks.hasActiveHttpTargets()).toBe(true);
    await tasks.transition(h.id, 'active', 'paused', T0, T0);
    expect(await tasks.hasActiveHttpTargets()).toBe(false);
    const counts = await tasks.countByTypeAndStatus();
    const paused = counts.find((r) => r.type === Number(TaskType.Loop) && r.status === 'paused');
    expect(paused?.count).toBeGreaterThanOrEqual(2);
  });
});
