import { type Logger } from '@nestjs/common';
import { TaskType } from '@task-center/contracts';
import { ConditionLog } from '../background/condition-log';
import { bucketOf } from '../due-time/shard-read-ahead';
import { type FireRecord, type RunTimer } from '../runs/run-records';
import { type Task } from '../tasks/task';
import { type Advance, advanced } from '../tasks/task-advance';
import { planFires, type Planned, type PlanSettings } from './fire-plan';
import { MAX_PENDING_WRITES, WriteBehind } from './write-behind';

const S = 1000;
const T0 = 1_800_000_000_000;
/** Tasks due before this stay in memory (the read-ahead covers them). */
const HORIZON = T0 + 10 * S;

const settings: PlanSettings = { misfire: { thresholdMs: 5 * S, maxCatchUp: 10 }, topic: 'tasks' };

let seq = 0;
/** A loop task every `loopTime` seconds, due at T0. */
function task(overrides: Partial<Task> = {}): Task {
  seq++;
  return {
    id: `65f0000000000000000${String(seq).padStart(5, '0')}`,
    name: 'billing',
    type: TaskType.Loop,
    data: '{}',
    loopTime: 1,
    ack: false,
    timezone: 'UTC',
    misfire: 'fire_once',
    status: 'active',
    nextRunAt: T0,
    manualRuns: [],
    runCount: 0,
    lastRunAt: null,
    createdAt: T0 - 60 * S,
    updatedAt: T0 - 60 * S,
    version: 1,
    shard: 0,
    dueAt: T0,
    ...overrides,
  };
}

/** A one-shot due at T0: its publish completes it (it leaves memory, nothing to read back). */
const oneShot = (overrides: Partial<Task> = {}) =>
  task({ type: TaskType.OneShot, loopTime: undefined, ...overrides });

function deadline(taskId: string): RunTimer {
  return {
    id: `d:${taskId}`,
    kind: 'deadline',
    taskId,
    name: 'billing',
    scheduledAt: T0,
    attempt: 1,
    dueAt: T0 + 60 * S,
    shard: 0,
    createdAt: T0,
  };
}

interface Deferred {
  resolve(): void;
  reject(err: unknown): void;
}

/**
 * The database: records every call in order. While `holding`, each advance call waits until
 * released by hand (`release`, oldest first); `failNext` rejects the next advance calls.
 */
class FakeStore {
  readonly calls: string[] = [];
  readonly advances: Advance[][] = [];
  readonly records: FireRecord[][] = [];
  readonly deadlines: RunTimer[][] = [];
  holding = false;
  failNext = 0;
  private readonly waiting: Deferred[] = [];

  get waitingCount(): number {
    return this.waiting.length;
  }

  async advance(advances: Advance[]): Promise<void> {
    this.calls.push(`advance ${advances.length}`);
    this.advances.push(advances);
    if (this.holding) {
      await new Promise<void>((resolve, reject) => this.waiting.push({ resolve, reject }));
    }
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('connection reset');
    }
  }

  async recordFires(records: FireRecord[]): Promise<void> {
    this.calls.push(`records ${records.length}`);
    this.records.push(records);
  }

  async armDeadlines(deadlines: RunTimer[]): Promise<void> {
    this.calls.push(`deadlines ${deadlines.length}`);
    this.deadlines.push(deadlines);
  }

  release(err?: unknown): void {
    const next = this.waiting.shift();
    if (!next) throw new Error('no advance call is waiting');
    if (err === undefined) next.resolve();
    else next.reject(err);
  }

  releaseAll(): void {
    this.holding = false;
    while (this.waiting.length > 0) this.release();
  }
}

/** Lets queued promise chains run (the store answers without timers). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

function setup(writeBehindMs: number) {
  const store = new FakeStore();
  /** What memory holds: the latest state of each task that stays. */
  const memory = new Map<string, Task>();
  const forgotten: Task[] = [];
  const logger = { warn: jest.fn(), log: jest.fn() };
  const onError = jest.fn();
  const quiet = jest.fn(async () => undefined);
  const writes = new WriteBehind(
    {
      advance: (a) => store.advance(a),
      recordFires: (r) => store.recordFires(r),
      armDeadlines: (d) => store.armDeadlines(d),
      quiet,
      // Memory never changes under a publish here (see LoadedTasks' and PublishLoop's specs).
      settle: (_planned, _advance, next) => {
        const stays = next.dueAt !== null && next.dueAt <= HORIZON;
        if (stays) memory.set(next.id, next);
        else memory.delete(next.id);
        return { kept: stays, changed: false, dueAt: next.dueAt };
      },
      forget: (t) => {
        forgotten.push(t);
        memory.delete(t.id);
      },
      conditions: new ConditionLog(logger as unknown as Logger),
      onError,
    },
    writeBehindMs,
  );
  /** Publishes the task's due fires at `now` (as the publish loop does once Kafka acked them). */
  const publish = (tasks: Task[], now: number, deadlines: RunTimer[] = []): Planned[] => {
    clock = now;
    const planned = tasks.map((t) => planFires(t, now, settings));
    writes.afterPublish(planned, deadlines);
    return planned;
  };
  return { store, memory, forgotten, logger, onError, quiet, writes, publish };
}

let clock = T0;
beforeEach(() => {
  clock = T0;
  jest.spyOn(Date, 'now').mockImplementation(() => clock);
});
afterEach(() => jest.restoreAllMocks());

describe('WriteBehind', () => {
  it('holds the advance of a task that stays in memory and folds the next publish into one write', async () => {
    const { store, memory, writes, publish } = setup(2000);
    const t = task();
    const [first] = publish([t], T0);
    await writes.flushed();
    // The fire is recorded at once; the task's advance is held.
    expect(store.records.flat().map((r) => r.messageId)).toEqual([`${t.id}:${T0}:1`]);
    expect(store.advances).toEqual([]);
    const latest1 = memory.get(t.id)!;
    expect(latest1).toEqual(advanced(first!.advance));

    publish([latest1], T0 + S);
    await writes.flushed();
    expect(store.advances).toEqual([]);

    writes.writeHeld(T0 + 1999);
    await writes.flushed();
    expect(store.advances).toEqual([]);

    writes.writeHeld(T0 + 2000);
    await writes.flushed();
    expect(store.advances).toHaveLength(1);
    const [written] = store.advances[0]!;
    // One write from the state the database has to the latest one, counting both fires.
    expect(written!.before).toBe(t);
    expect(written!.fired).toBe(2);
    expect(advanced(written!)).toEqual(memory.get(t.id));
    expect(advanced(written!)).toMatchObject({ runCount: 2, nextRunAt: T0 + 2 * S });
    expect(writes.heldOf(t.id)).toBeUndefined();
    expect(writes.unwrittenCount).toBe(0);
  });

  it('writes a held advance with the publish that comes writeBehindMs after the first', async () => {
    const { store, memory, writes, publish } = setup(2000);
    const t = task();
    publish([t], T0);
    publish([memory.get(t.id)!], T0 + S);
    publish([memory.get(t.id)!], T0 + 2 * S);
    await writes.flushed();
    expect(store.advances.flat().map((a) => [a.before, a.fired])).toEqual([[t, 3]]);
  });

  it('writeBehindMs 0 writes every publish at once', async () => {
    const { store, memory, writes, publish } = setup(0);
    const t = task();
    publish([t], T0);
    await writes.flushed();
    const latest1 = memory.get(t.id)!;
    publish([latest1], T0 + S);
    await writes.flushed();
    expect(store.advances.map((chunk) => chunk.map((a) => [a.before, a.fired]))).toEqual([
      [[t, 1]],
      [[latest1, 1]],
    ]);
    expect(writes.heldOf(t.id)).toBeUndefined();
  });

  it('writes a task leaving memory at once, even while holding others', async () => {
    const { store, memory, writes, publish } = setup(2000);
    const stays = task();
    const leaves = task({ loopTime: 60 });
    publish([stays, leaves], T0);
    await writes.flushed();
    expect(store.advances.flat().map((a) => a.before)).toEqual([leaves]);
    expect(memory.has(leaves.id)).toBe(false);
    expect(writes.heldOf(stays.id)).toBeDefined();
  });

  it('a held task that leaves memory on its next publish is written at once, both fires in one write', async () => {
    const { store, memory, writes, publish } = setup(2000);
    const t = task({ loopCount: 2 });
    publish([t], T0);
    publish([memory.get(t.id)!], T0 + S);
    await writes.flushed();
    expect(store.advances.flat().map((a) => [a.before, a.fired, a.nextRunAt])).toEqual([
      [t, 2, null],
    ]);
    expect(advanced(store.advances[0]![0]!).status).toBe('completed');
  });

  it('writesInto(horizon) waits for the write that moved a task into a bucket up to it, and only for that', async () => {
    const { store, writes, publish } = setup(0);
    store.holding = true;
    const leaves = task({ loopTime: 60 });
    const bucket = bucketOf(T0 + 60 * S);
    publish([leaves], T0);
    const stays = task();
    publish([stays], T0);
    await settle();
    expect(store.waitingCount).toBe(1); // the leaving task's write; the other is queued behind

    const landed: string[] = [];
    void writes.writesInto(bucket - 1).then(() => landed.push('below'));
    void writes.writesInto(bucket).then(() => landed.push('into'));
    void writes.writingOf(leaves.id)!.then(() => landed.push('leaves written'));
    let flushed = false;
    void writes.flushed().then(() => (flushed = true));
    await settle();
    expect(landed).toEqual(['below']);

    store.release();
    await settle();
    expect(landed).toEqual(['below', 'into', 'leaves written']);
    // The other write (a task staying in memory) is still under way and holds no read back.
    expect(flushed).toBe(false);
    expect(writes.writingOf(stays.id)).toBeDefined();
    let again = false;
    void writes.writesInto(bucket + 100).then(() => (again = true));
    await settle();
    expect(again).toBe(true);

    store.release();
    await settle();
    expect(flushed).toBe(true);
    expect(writes.writingOf(stays.id)).toBeUndefined();
  });

  it('the write of a completed task holds no read back', async () => {
    const { store, writes, publish } = setup(0);
    store.holding = true;
    publish([oneShot()], T0);
    await settle();
    expect(store.waitingCount).toBe(1);
    let read = false;
    void writes.writesInto(bucketOf(T0) + 1000).then(() => (read = true));
    await settle();
    expect(read).toBe(true);
    store.releaseAll();
    await writes.flushed();
  });

  it('writes records, then deadlines, then advances, one write after the other', async () => {
    const { store, writes, publish } = setup(0);
    const a = oneShot({ ack: true });
    const b = oneShot({ ack: true });
    publish([a, b], T0, [deadline(a.id), deadline(b.id)]);
    const c = oneShot({ ack: true });
    publish([c], T0, [deadline(c.id)]);
    await writes.flushed();
    expect(store.calls).toEqual([
      'records 2',
      'deadlines 2',
      'advance 2',
      'records 1',
      'deadlines 1',
      'advance 1',
    ]);
    expect(store.deadlines.flat().map((d) => d.taskId)).toEqual([a.id, b.id, c.id]);
  });

  it('writes records and advances in chunks, each after a quiet window', async () => {
    const { store, writes, publish, quiet } = setup(0);
    const tasks = Array.from({ length: 400 }, () => oneShot());
    publish(tasks, T0);
    await writes.flushed();
    expect(store.records.map((r) => r.length)).toEqual([160, 160, 80]);
    expect(store.advances.map((a) => a.length)).toEqual([...Array<number>(25).fill(16)]);
    expect(store.calls.slice(0, 3)).toEqual(['records 160', 'records 160', 'records 80']);
    expect(new Set(store.advances.flat().map((a) => a.before.id)).size).toBe(400);
    expect(quiet).toHaveBeenCalledTimes(3 + 25);
  });

  it('writes a held advance planned from another copy apart, before the new one', async () => {
    const { store, writes, publish } = setup(2000);
    const t = task();
    publish([t], T0);
    // Memory took another copy meanwhile (not the state the held advance leads to).
    const other = { ...t, version: 2, nextRunAt: T0 + S, dueAt: T0 + S };
    publish([other], T0 + S);
    await writes.flushed();
    expect(store.advances.map((chunk) => chunk.map((a) => [a.before, a.fired]))).toEqual([
      [[t, 1]],
    ]);
    expect(writes.heldOf(t.id)?.advance.before).toBe(other);
  });

  it('writes the held advances of one shard, or of the given tasks, on demand; drop forgets one', async () => {
    const { store, writes, publish } = setup(2000);
    const a = task({ shard: 1 });
    const b = task({ shard: 2 });
    const c = task({ shard: 2 });
    publish([a, b, c], T0);
    writes.writeShard(2);
    await writes.flushed();
    expect(store.advances.flat().map((x) => x.before)).toEqual([b, c]);
    writes.drop(a.id);
    writes.writeHeld(Infinity);
    await writes.flushed();
    expect(store.advances.flat().map((x) => x.before)).toEqual([b, c]);
    expect(writes.unwrittenCount).toBe(0);
  });

  describe('a failing store', () => {
    it('forgets the task, logs the condition once, and never writes a publish planned from the unwritten state', async () => {
      const { store, memory, forgotten, logger, onError, writes, publish } = setup(0);
      store.holding = true;
      store.failNext = 1;
      const t = task();
      publish([t], T0);
      await settle();
      const latest1 = memory.get(t.id)!;
      // Published while the first write is under way, planned from the state it leads to.
      publish([latest1], T0 + S);
      store.release();
      store.holding = false;
      await writes.flushed();

      expect(store.advances.flat().map((a) => a.before)).toEqual([t]);
      expect(forgotten).toEqual([t, latest1]);
      expect(memory.has(t.id)).toBe(false);
      // The fires were published: their records are kept (a re-publish reuses the ids).
      expect(store.records.flat().map((r) => r.scheduledAt)).toEqual([T0, T0 + S]);
      expect(logger.warn).toHaveBeenCalledTimes(1);
      expect(logger.warn).toHaveBeenCalledWith('dispatch: advancing tasks: connection reset');
      expect(onError).toHaveBeenCalledTimes(1);
      expect(writes.unwrittenCount).toBe(0);
    });

    it('with write-behind, a publish held on top of the unwritten state is forgotten, not written', async () => {
      const { store, memory, forgotten, writes, publish } = setup(2000);
      store.failNext = 1;
      const t = task();
      publish([t], T0);
      const latest1 = memory.get(t.id)!;
      writes.write([t.id]); // e.g. a lease renewal running late
      await writes.flushed();
      expect(forgotten).toEqual([t]);
      expect(memory.has(t.id)).toBe(false);

      // A batch planned from the state the failed write led to, acknowledged afterwards.
      publish([latest1], T0 + S);
      writes.writeHeld(Infinity);
      await writes.flushed();
      expect(store.advances.flat().map((a) => a.before)).toEqual([t]);
      expect(forgotten).toEqual([t, latest1]);
      expect(writes.unwrittenCount).toBe(0);
    });

    it('logs the recovery once a later write lands', async () => {
      const { store, logger, writes, publish } = setup(0);
      store.failNext = 1;
      publish([oneShot()], T0);
      await writes.flushed();
      publish([oneShot()], T0 + S);
      await writes.flushed();
      expect(logger.warn).toHaveBeenCalledTimes(1);
      expect(logger.log).toHaveBeenCalledTimes(1);
      expect(logger.log.mock.calls[0]![0]).toMatch(/^dispatch: advancing tasks: recovered/);
    });

    // A batch planned from a state held on top of a failed write must not be written as
    // fresh: its conditional update cannot match, and the merge would count its fires twice.
    it('a publish planned from a held state on top of a failed write is not written either', async () => {
      const { store, memory, forgotten, writes, publish } = setup(2000);
      store.holding = true;
      store.failNext = 1;
      const t = task();
      publish([t], T0);
      writes.write([t.id]); // write 1 (fails), under way
      await settle();
      publish([memory.get(t.id)!], T0 + S); // held on top of write 1
      const latest2 = memory.get(t.id)!;
      store.release(); // write 1 fails
      store.holding = false;
      await writes.flushed();
      expect(forgotten).toEqual([t]);

      // In flight at Kafka when write 1 failed: planned from the held state.
      publish([latest2], T0 + 2 * S);
      writes.writeHeld(Infinity);
      await writes.flushed();
      expect(store.advances.flat().map((a) => a.before)).toEqual([t]);
      expect(forgotten).toEqual([t, latest2]);
    });
  });

  describe('backpressure', () => {
    it(`room() waits while ${MAX_PENDING_WRITES} advances are queued and resolves once they land`, async () => {
      const { store, writes } = setup(0);
      store.holding = true;
      const batch = (n: number) =>
        Array.from({ length: n }, () => planFires(oneShot(), T0, settings));
      writes.afterPublish(batch(MAX_PENDING_WRITES - 1), []);
      await writes.room(); // one below the limit: room
      writes.afterPublish(batch(1), []);
      let room = false;
      void writes.room().then(() => (room = true));
      await settle();
      expect(room).toBe(false);
      expect(writes.unwrittenCount).toBe(MAX_PENDING_WRITES);

      // The first write (of MAX_PENDING_WRITES - 1 advances) lands: room again.
      for (let i = 0; i < Math.ceil((MAX_PENDING_WRITES - 1) / 16); i++) {
        await settle();
        expect(room).toBe(false);
        store.release();
      }
      await settle();
      expect(room).toBe(true);
      expect(writes.unwrittenCount).toBe(1);
      store.releaseAll();
      await writes.flushed();
      expect(writes.unwrittenCount).toBe(0);
    });
  });
});
