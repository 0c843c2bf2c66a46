import { type Logger } from '@nestjs/common';
import { ConditionLog } from '../background/condition-log';
import { type DueSource, ShardReadAhead } from '../due-time/shard-read-ahead';
import { type Task } from '../tasks/task';
import { type Advance } from '../tasks/task-advance';
import { planFires } from './fire-plan';
import { LoadedTasks } from './loaded-tasks';
import { WriteBehind } from './write-behind';
import { loopTaskAt } from '../tasks/task.fixtures';

const S = 1000;
const T0 = 1_800_000_000_000;
const READ_AHEAD_MS = 10 * S;

const task = (overrides: Partial<Task> = {}): Task =>
  loopTaskAt(T0, { data: '{"v":1}', ...overrides });

/** The database is never read here: the read-ahead only decides what memory covers. */
const noSource: DueSource<Task> = {
  inSlot: () => Promise.reject(new Error('not read in this spec')),
  dueBy: () => Promise.reject(new Error('not read in this spec')),
};

function setup(writeBehindMs = 2000) {
  const reach = new ShardReadAhead<Task>(noSource, READ_AHEAD_MS);
  reach.track(0);
  const written: Advance[] = [];
  const onQueued = jest.fn();
  const logger = { warn: jest.fn(), log: jest.fn() } as unknown as Logger;
  const writes: WriteBehind = new WriteBehind(
    {
      advance: async (a) => void written.push(...a),
      recordFires: async () => undefined,
      armDeadlines: async () => undefined,
      quiet: async () => undefined,
      settle: (planned, advance, next) => memory.settle(planned, advance, next),
      forget: (t) => memory.unload(t.id),
      conditions: new ConditionLog(logger),
    },
    writeBehindMs,
  );
  const memory: LoadedTasks = new LoadedTasks(reach, writes, onQueued);
  /** Publishes the task's due fires now, as the publish loop does once they are acknowledged. */
  const fire = (t: Task) => {
    const planned = planFires(t, Date.now(), {
      misfire: { thresholdMs: 5 * S, maxCatchUp: 10 },
      topics: { tasks: 'tasks', http: 'http' },
    });
    writes.afterPublish([planned], []);
    return planned;
  };
  return { reach, writes, memory, written, onQueued, fire };
}

beforeEach(() => jest.spyOn(Date, 'now').mockReturnValue(T0));
afterEach(() => jest.restoreAllMocks());

describe('LoadedTasks', () => {
  describe('a publish acknowledged after memory changed', () => {
    it('our publish wins over a re-read copy of the same version (the database was behind it)', () => {
      const { memory, fire } = setup();
      const t = task();
      memory.consider(t);
      memory.sending([t]);
      // Memory was cleared and the task re-read (a reload) before our advance was written.
      memory.unload(t.id);
      memory.consider({ ...t });
      fire(t);
      expect(memory.get(t.id)).toMatchObject({ runCount: 1, nextRunAt: T0 + S, version: 1 });
    });

    it('a task forgotten while its publish was in flight comes back moved on, as before the split', () => {
      const { memory, fire } = setup();
      const t = task();
      memory.consider(t);
      memory.sending([t]);
      memory.unload(t.id); // a reload cleared memory; its re-read has not come back yet
      fire(t);
      expect(memory.get(t.id)).toMatchObject({ runCount: 1, nextRunAt: T0 + S });
    });

    it('an API change while in flight wins: merged with our fires, written at once', async () => {
      const { memory, fire, writes, written } = setup();
      const t = task();
      memory.consider(t);
      memory.sending([t]);
      memory.changedByApi({ ...t, version: 2, data: '{"v":2}' });
      fire(t);
      expect(memory.get(t.id)).toMatchObject({ version: 2, data: '{"v":2}', runCount: 1 });
      await writes.flushed();
      expect(written.map((a) => a.before)).toEqual([t]);
    });

    it('a task the API deleted or paused while in flight stays out of memory', () => {
      const { memory, fire } = setup();
      const deleted = task();
      const paused = task();
      for (const t of [deleted, paused]) memory.consider(t);
      memory.sending([deleted, paused]);
      memory.goneByApi(deleted.id);
      memory.changedByApi({ ...paused, version: 2, status: 'paused', dueAt: null });
      fire(deleted);
      fire(paused);
      expect(memory.get(deleted.id)).toBeUndefined();
      expect(memory.get(paused.id)).toBeUndefined();
      expect(memory.size).toBe(0);
    });

    it('a failed publish forgets that it was in flight', () => {
      const { memory, fire } = setup();
      const t = task();
      memory.consider(t);
      memory.sending([t]);
      memory.unsent([t]);
      memory.changedByApi({ ...t, version: 2, data: '{"v":2}' }); // applied, not in flight
      fire(memory.get(t.id)!);
      expect(memory.get(t.id)).toMatchObject({ version: 2, data: '{"v":2}', runCount: 1 });
    });
  });

  it('holds an active task the read-ahead covers, due', () => {
    const { memory, onQueued } = setup();
    const t = task({ nextRunAt: T0 + 5 * S, dueAt: T0 + 5 * S });
    memory.consider(t);
    expect(memory.get(t.id)).toBe(t);
    expect(memory.size).toBe(1);
    expect(memory.peekDue()).toBe(T0 + 5 * S);
    expect(onQueued).toHaveBeenCalledTimes(1);
    expect(memory.popDue(T0 + 5 * S - 1, 10)).toEqual([]);
    expect(memory.popDue(T0 + 5 * S, 10)).toEqual([t.id]);
    // Popped from the due queue, still in memory until it moves on.
    expect(memory.get(t.id)).toBe(t);
    expect(memory.peekDue()).toBeUndefined();
  });

  it('does not hold a task due beyond the read-ahead, nor one of a shard it does not read', () => {
    const { memory, onQueued } = setup();
    const later = task({ nextRunAt: T0 + 20 * S, dueAt: T0 + 20 * S });
    const elsewhere = task({ shard: 5 });
    memory.consider(later);
    memory.consider(elsewhere);
    expect(memory.get(later.id)).toBeUndefined();
    expect(memory.get(elsewhere.id)).toBeUndefined();
    expect(memory.size).toBe(0);
    expect(memory.peekDue()).toBeUndefined();
    expect(onQueued).not.toHaveBeenCalled();
  });

  it('a copy rescheduled beyond the read-ahead unloads the task', () => {
    const { memory } = setup();
    const t = task();
    memory.consider(t);
    memory.consider({ ...t, version: 2, nextRunAt: T0 + 60 * S, dueAt: T0 + 60 * S });
    expect(memory.get(t.id)).toBeUndefined();
    expect(memory.peekDue()).toBeUndefined();
  });

  it.each([
    ['paused', { status: 'paused' as const, dueAt: null }],
    ['paused (due_at left set)', { status: 'paused' as const }],
    ['deleted', { status: 'deleted' as const, dueAt: null }],
    ['completed', { status: 'completed' as const, nextRunAt: null, dueAt: null }],
  ])('drops a task whose new copy is %s', (_what, change) => {
    const { memory } = setup();
    const t = task();
    memory.consider(t);
    memory.consider({ ...t, version: 2, ...change });
    expect(memory.get(t.id)).toBeUndefined();
    expect(memory.size).toBe(0);
    expect(memory.popDue(Infinity, 10)).toEqual([]);
  });

  it('keeps its copy ahead of a stale read of the same version (it fired since)', () => {
    const { memory } = setup(0);
    const t = task({ lastRunAt: T0 - S });
    const ahead = { ...t, nextRunAt: T0 + S, dueAt: T0 + S, runCount: 1, lastRunAt: T0 };
    memory.consider(ahead);
    memory.consider(t); // read before our write landed
    expect(memory.get(t.id)).toBe(ahead);
    expect(memory.peekDue()).toBe(T0 + S);
    memory.consider({ ...t, lastRunAt: null });
    expect(memory.get(t.id)).toBe(ahead);
  });

  it('takes a read of a new version, or of the same version not behind it', () => {
    const { memory } = setup(0);
    const t = task({ lastRunAt: T0 - S });
    memory.consider(t);
    const same = { ...t };
    memory.consider(same);
    expect(memory.get(t.id)).toBe(same);
    const changed = { ...t, version: 2, lastRunAt: null, data: '{"v":2}' };
    memory.consider(changed);
    expect(memory.get(t.id)).toBe(changed);
  });

  describe('with a held advance (write-behind)', () => {
    it('ignores a read of the version it was planned from', async () => {
      const { memory, writes, written, fire } = setup();
      const t = task();
      memory.consider(t);
      fire(t);
      const latest = memory.get(t.id)!;
      expect(latest).toMatchObject({ runCount: 1, nextRunAt: T0 + S });
      memory.consider(t); // the database copy: same version, before our publish
      expect(memory.get(t.id)).toBe(latest);
      expect(writes.heldOf(t.id)).toBeDefined();
      await writes.flushed();
      expect(written).toEqual([]);
    });

    it('merges it into a copy the API changed, and queues its write', async () => {
      const { memory, writes, written, fire } = setup();
      const t = task();
      memory.consider(t);
      const { advance } = fire(t);
      memory.consider({ ...t, version: 2, data: '{"v":2}', manualRuns: [T0 + 500] });
      expect(memory.get(t.id)).toMatchObject({
        version: 2,
        data: '{"v":2}',
        runCount: 1, // the held fire counts
        lastRunAt: T0,
        nextRunAt: T0 + S, // our next slot stands
        manualRuns: [T0 + 500],
        dueAt: T0 + 500,
      });
      expect(memory.peekDue()).toBe(T0 + 500);
      expect(writes.heldOf(t.id)).toBeUndefined();
      await writes.flushed();
      expect(written).toEqual([advance]);
    });

    it("takes the API's slot when the API rescheduled the task", async () => {
      const { memory, writes, written, fire } = setup();
      const t = task();
      memory.consider(t);
      fire(t);
      memory.consider({ ...t, version: 2, nextRunAt: T0 + 5 * S, dueAt: T0 + 5 * S });
      expect(memory.get(t.id)).toMatchObject({ version: 2, runCount: 1, nextRunAt: T0 + 5 * S });
      expect(memory.peekDue()).toBe(T0 + 5 * S);
      await writes.flushed();
      expect(written).toHaveLength(1);
    });

    it('drops a task the API paused, still writing the held fires', async () => {
      const { memory, writes, written, fire } = setup();
      const t = task();
      memory.consider(t);
      fire(t);
      memory.consider({ ...t, version: 2, status: 'paused', dueAt: null });
      expect(memory.get(t.id)).toBeUndefined();
      expect(memory.peekDue()).toBeUndefined();
      await writes.flushed();
      expect(written.map((a) => a.before)).toEqual([t]);
    });
  });

  it('requeue puts a held task back in the due queue', () => {
    const { memory } = setup();
    const t = task();
    memory.consider(t);
    expect(memory.popDue(T0, 10)).toEqual([t.id]);
    expect(memory.peekDue()).toBeUndefined();
    memory.requeue(t.id, T0);
    expect(memory.popDue(T0, 10)).toEqual([t.id]);
  });

  it('unloadShard drops one shard, clear drops everything', () => {
    const { memory, reach } = setup();
    reach.track(1);
    const a = task({ shard: 0 });
    const b = task({ shard: 1, nextRunAt: T0 + S, dueAt: T0 + S });
    const c = task({ shard: 1, nextRunAt: T0 + 2 * S, dueAt: T0 + 2 * S });
    [a, b, c].forEach((t) => memory.consider(t));
    memory.unloadShard(1);
    expect([a, b, c].map((t) => memory.get(t.id))).toEqual([a, undefined, undefined]);
    expect(memory.popDue(Infinity, 10)).toEqual([a.id]);
    memory.consider(b);
    memory.clear();
    expect(memory.size).toBe(0);
    expect(memory.peekDue()).toBeUndefined();
  });
});
