import { type Logger } from '@nestjs/common';
import { ConditionLog } from '../background/condition-log';
import { bucketOf } from '../due-time/shard-read-ahead';
import { type Task } from '../tasks/task';
import { type Advance, advanced } from '../tasks/task-advance';
import { planFires } from './fire-plan';
import { LoadedTasks } from './loaded-tasks';
import { TaskReadAhead } from './task-read-ahead';
import { WriteBehind } from './write-behind';
import { loopTaskAt } from '../tasks/task.fixtures';

const S = 1000;
const T0 = 1_800_000_000_000;
const B0 = bucketOf(T0);
const READ_AHEAD_MS = 2 * S;

const task = (overrides: Partial<Task> = {}): Task => loopTaskAt(T0, overrides);

/**
 * The tasks collection: answers the read-ahead's queries and applies the dispatcher's
 * advances. Every call is logged (buckets relative to T0's); while `holding`, advances wait
 * for `release()`.
 */
class FakeTasksDb {
  readonly tasks = new Map<string, Task>();
  readonly calls: string[] = [];
  holding = false;
  failReads = 0;
  private readonly waiting: (() => void)[] = [];

  add(...tasks: Task[]): void {
    for (const t of tasks) this.tasks.set(t.id, t);
  }

  async dueInSlot(shard: number, bucket: number): Promise<Task[]> {
    this.calls.push(`slot ${shard}:${bucket - B0}`);
    this.maybeFail();
    return [...this.tasks.values()].filter(
      (t) => t.shard === shard && t.dueAt !== null && bucketOf(t.dueAt) === bucket,
    );
  }

  async dueBy(shard: number, until: number, limit: number): Promise<Task[]> {
    this.calls.push(`range ${shard} to ${bucketOf(until) - B0} limit ${limit}`);
    this.maybeFail();
    return [...this.tasks.values()]
      .filter((t) => t.shard === shard && t.dueAt !== null && t.dueAt <= until)
      .sort((a, b) => a.dueAt! - b.dueAt!)
      .slice(0, limit);
  }

  async advance(advances: Advance[]): Promise<void> {
    if (this.holding) await new Promise<void>((resolve) => this.waiting.push(resolve));
    for (const a of advances) this.tasks.set(a.before.id, advanced(a));
    this.calls.push(`advance ${advances.map((a) => a.before.id).join(',')}`);
  }

  release(): void {
    this.holding = false;
    this.waiting.splice(0).forEach((resolve) => resolve());
  }

  private maybeFail(): void {
    if (this.failReads > 0) {
      this.failReads--;
      throw new Error('db down');
    }
  }
}

let clock = T0;
beforeEach(() => {
  clock = T0;
  jest.spyOn(Date, 'now').mockImplementation(() => clock);
});
afterEach(() => jest.restoreAllMocks());

function setup(options: { maxLoaded?: number; writeBehindMs?: number } = {}) {
  const db = new FakeTasksDb();
  const held = new Set([0, 1]);
  const logger = { warn: jest.fn(), log: jest.fn() };
  const conditions = new ConditionLog(logger as unknown as Logger, 0);
  const readAhead = new TaskReadAhead(
    { tasks: db, holds: (shard) => held.has(shard), isRunning: () => true, conditions },
    { readAheadMs: READ_AHEAD_MS, maxLoaded: options.maxLoaded ?? 1000 },
  );
  const writes: WriteBehind = new WriteBehind(
    {
      advance: (a) => db.advance(a),
      recordFires: async () => undefined,
      armDeadlines: async () => undefined,
      quiet: async () => undefined,
      settle: (planned, advance, next) => memory.settle(planned, advance, next),
      forget: (t) => memory.unload(t.id),
      conditions,
    },
    options.writeBehindMs ?? 0,
  );
  const memory: LoadedTasks = new LoadedTasks(readAhead.shards, writes, () => undefined);
  readAhead.attach(memory, writes);
  /** Publishes the task's due fires at the clock's time, once acknowledged. */
  const fire = (t: Task) =>
    writes.afterPublish(
      [
        planFires(t, clock, {
          misfire: { thresholdMs: 5 * S, maxCatchUp: 10 },
          topics: { tasks: 'tasks', http: 'http' },
        }),
      ],
      [],
    );
  return { db, held, logger, readAhead, writes, memory, fire };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('TaskReadAhead', () => {
  it('catches a new shard up with one range query, then reads one bucket at a time', async () => {
    const { db, readAhead, memory } = setup();
    const overdue = task({ nextRunAt: T0 - 30 * S, dueAt: T0 - 30 * S });
    const soon = task({ nextRunAt: T0 + 1500, dueAt: T0 + 1500 });
    const later = task({ nextRunAt: T0 + 3500, dueAt: T0 + 3500 });
    const otherShard = task({ shard: 1, nextRunAt: T0 + 500, dueAt: T0 + 500 });
    db.add(overdue, soon, later, otherShard);
    readAhead.shards.track(0);
    await readAhead.load();
    expect(db.calls).toEqual(['range 0 to 2 limit 1000']);
    expect([overdue, soon, later, otherShard].map((t) => memory.get(t.id))).toEqual([
      overdue,
      soon,
      undefined,
      undefined,
    ]);

    clock = T0 + 2 * S;
    await readAhead.load();
    expect(db.calls.slice(1)).toEqual(['slot 0:3', 'slot 0:4']);
    expect(memory.get(later.id)).toBe(later);
  });

  it('reads a bucket only after our write that moved a task into it has landed', async () => {
    const { db, readAhead, memory, fire } = setup();
    const t = task({ loopTime: 5 });
    db.add(t);
    readAhead.shards.track(0);
    clock = T0 - 500;
    await readAhead.load();
    expect(memory.get(t.id)).toBe(t);

    // Fired at T0, next due T0 + 5 s: beyond what memory covers, so handed back to the
    // database; the write is slow.
    db.holding = true;
    clock = T0;
    fire(t);
    expect(memory.get(t.id)).toBeUndefined();

    clock = T0 + 3 * S + 500; // the read-ahead now reaches T0 + 5 s
    db.calls.length = 0;
    const loading = readAhead.load();
    await settle();
    expect(db.calls).toEqual([]);
    db.release();
    await loading;
    expect(db.calls).toEqual([`advance ${t.id}`, 'slot 0:2', 'slot 0:3', 'slot 0:4', 'slot 0:5']);
    expect(memory.get(t.id)).toMatchObject({ dueAt: T0 + 5 * S, runCount: 1 });
  });

  it('is not held back by writes of tasks that stay in memory', async () => {
    const { db, readAhead, memory, writes, fire } = setup();
    const t = task();
    db.add(t);
    readAhead.shards.track(0);
    await readAhead.load();
    db.holding = true;
    fire(t); // next due T0 + 1 s: stays in memory
    expect(memory.get(t.id)).toMatchObject({ dueAt: T0 + S });
    clock = T0 + S;
    db.calls.length = 0;
    await readAhead.load();
    expect(db.calls).toEqual(['slot 0:3']);
    db.release();
    await writes.flushed();
    expect(db.calls).toEqual(['slot 0:3', `advance ${t.id}`]);
  });

  it('a catch-up waits for every queued write, so it never reads a copy our publishes left behind', async () => {
    const { db, readAhead, memory, writes, fire } = setup({ writeBehindMs: 2000 });
    const t = task();
    db.add(t);
    readAhead.shards.track(0);
    await readAhead.load();
    fire(t); // held: the database still has the copy due at T0
    clock = T0 + S;
    fire(memory.get(t.id)!); // folded into the held advance
    // The lease renewal ran late (the database was down): the task is dropped from memory,
    // its held advance is queued (the database is slow) and the shard is read again.
    db.holding = true;
    writes.write([t.id]);
    memory.unload(t.id);
    readAhead.shards.reread(0);
    db.calls.length = 0;
    const loading = readAhead.load();
    await settle();
    expect(db.calls).toEqual([]);
    db.release();
    await loading;
    expect(db.calls).toEqual([`advance ${t.id}`, 'range 0 to 3 limit 1000']);
    expect(memory.get(t.id)).toMatchObject({ runCount: 2, nextRunAt: T0 + 2 * S });
  });

  it('does not read a shard whose lease is not valid now', async () => {
    const { db, held, readAhead, memory } = setup();
    const a = task({ shard: 0 });
    const b = task({ shard: 1 });
    db.add(a, b);
    readAhead.shards.track(0);
    readAhead.shards.track(1);
    held.delete(1);
    await readAhead.load();
    expect(db.calls).toEqual(['range 0 to 2 limit 1000']);
    expect(memory.get(b.id)).toBeUndefined();
    held.add(1);
    await readAhead.load();
    expect(db.calls.slice(1)).toEqual(['range 1 to 2 limit 999']);
    expect(memory.get(b.id)).toBe(b);
  });

  it('loads at most maxLoaded tasks, the earliest first, and reads no more while full', async () => {
    const { db, readAhead, memory } = setup({ maxLoaded: 3 });
    const tasks = [400, 100, 300, 200, 0].map((ms) => task({ nextRunAt: T0 + ms, dueAt: T0 + ms }));
    db.add(...tasks);
    readAhead.shards.track(0);
    await readAhead.load();
    expect(memory.size).toBe(3);
    expect(memory.popDue(Infinity, 10).map((id) => memory.get(id)!.dueAt)).toEqual([
      T0,
      T0 + 100,
      T0 + 200,
    ]);
    db.calls.length = 0;
    clock = T0 + S;
    await readAhead.load();
    expect(db.calls).toEqual([]);
  });

  it('reloadAll writes what memory holds, drops it and catches every shard up', async () => {
    const { db, readAhead, memory, writes, fire } = setup({ writeBehindMs: 5000 });
    const t = task();
    const u = task({ shard: 1, nextRunAt: T0 + 500, dueAt: T0 + 500 });
    db.add(t, u);
    readAhead.shards.track(0);
    readAhead.shards.track(1);
    await readAhead.load();
    fire(t); // held in memory, not written
    expect(writes.heldOf(t.id)).toBeDefined();
    db.tasks.delete(u.id); // deleted while its change-log entry was missed
    db.calls.length = 0;
    await readAhead.reloadAll();
    expect(db.calls).toEqual([
      `advance ${t.id}`,
      'range 0 to 2 limit 1000',
      'range 1 to 2 limit 999',
    ]);
    expect(memory.get(u.id)).toBeUndefined();
    expect(memory.get(t.id)).toMatchObject({ runCount: 1, dueAt: T0 + S });
    expect(writes.unwrittenCount).toBe(0);
  });

  it('a failed read is logged once and retried by the next pass', async () => {
    const { db, readAhead, memory, logger } = setup();
    const t = task();
    db.add(t);
    readAhead.shards.track(0);
    db.failReads = 2;
    await expect(readAhead.load()).resolves.toBeUndefined();
    await readAhead.load();
    expect(memory.get(t.id)).toBeUndefined();
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn).toHaveBeenCalledWith('dispatch: reading due tasks: db down');
    await readAhead.load();
    expect(memory.get(t.id)).toBe(t);
    expect(logger.log).toHaveBeenCalledTimes(1);
  });

  it('a bucket read twice is not loaded twice over a task that fired since', async () => {
    const { db, readAhead, memory, fire } = setup({ writeBehindMs: 5000 });
    const t = task({ loopTime: 1 });
    db.add(t);
    readAhead.shards.track(0);
    await readAhead.load();
    fire(t);
    const latest = memory.get(t.id)!;
    readAhead.shards.reread(0); // e.g. after a failed write elsewhere in the shard
    await readAhead.load();
    // The database copy (due T0, not written yet) does not replace ours (due T0 + 1 s).
    expect(memory.get(t.id)).toBe(latest);
    expect(memory.peekDue()).toBe(T0 + S);
  });
});
