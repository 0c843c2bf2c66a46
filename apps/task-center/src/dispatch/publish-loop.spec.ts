import { type Logger } from '@nestjs/common';
import { FireHeader, TaskType } from '@task-center/contracts';
import { ConditionLog } from '../background/condition-log';
import { type DueSource, ShardReadAhead } from '../due-time/shard-read-ahead';
import { type FireMessage } from '../kafka/fire-message';
import { type PreparedFires } from '../kafka/fire-publisher';
import { type FireRecord } from '../runs/run-records';
import { type Task } from '../tasks/task';
import { type Advance } from '../tasks/task-advance';
import { LoadedTasks } from './loaded-tasks';
import { PublishLoop } from './publish-loop';
import { WriteBehind } from './write-behind';

const S = 1000;

let seq = 0;
/** A one-shot due at `dueAt`: fired once, it completes and leaves memory. */
function oneShot(dueAt: number, overrides: Partial<Task> = {}): Task {
  seq++;
  return {
    id: `65f0000000000000000${String(seq).padStart(5, '0')}`,
    name: 'billing',
    type: TaskType.OneShot,
    data: '{}',
    ack: false,
    timezone: 'UTC',
    misfire: 'fire_once',
    status: 'active',
    nextRunAt: dueAt,
    manualRuns: [],
    runCount: 0,
    lastRunAt: null,
    createdAt: dueAt - 60 * S,
    updatedAt: dueAt - 60 * S,
    version: 1,
    shard: 0,
    dueAt,
    ...overrides,
  };
}

/** A loop every `loopTime` seconds whose next slot is `dueAt`. */
const loopTask = (dueAt: number, overrides: Partial<Task> = {}) =>
  oneShot(dueAt, { type: TaskType.Loop, loopTime: 1, createdAt: dueAt - 60 * S, ...overrides });

const idOf = (m: FireMessage) => m.headers[FireHeader.messageId]!;
const scheduledOf = (m: FireMessage) => Number(m.headers[FireHeader.scheduledAt]);

/** Stands in for the encoded batch: the messages, minus those dropped at the slot. */
class FakePrepared {
  readonly partitions: PreparedFires['partitions'] = [];
  constructor(public plain: FireMessage[]) {}
  drop(dropped: ReadonlySet<FireMessage>): void {
    this.plain = this.plain.filter((m) => !dropped.has(m));
  }
}

interface Attempt {
  at: number;
  publishedAt: number;
  messages: FireMessage[];
  ok: boolean;
  ackedAt?: number;
}

/** Kafka: records every send; `delayMs` makes it slow, `failNext` makes the next sends fail. */
class FakePublisher {
  readonly attempts: Attempt[] = [];
  delayMs = 0;
  failNext = 0;
  inFlight = 0;
  maxInFlight = 0;

  get acked(): Attempt[] {
    return this.attempts.filter((a) => a.ok);
  }

  get ackedIds(): string[] {
    return this.acked.flatMap((a) => a.messages.map(idOf));
  }

  prepare(messages: FireMessage[]): PreparedFires {
    return new FakePrepared([...messages]);
  }

  async publishPrepared(batch: PreparedFires, publishedAt: number): Promise<void> {
    const attempt: Attempt = { at: Date.now(), publishedAt, messages: batch.plain, ok: false };
    this.attempts.push(attempt);
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
    try {
      if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      if (this.failNext > 0) {
        this.failNext--;
        throw new Error('broker not available');
      }
      attempt.ok = true;
      attempt.ackedAt = Date.now();
    } finally {
      this.inFlight--;
    }
  }
}

const noSource: DueSource<Task> = {
  inSlot: () => Promise.reject(new Error('not read in this spec')),
  dueBy: () => Promise.reject(new Error('not read in this spec')),
};

const T0 = 1_800_000_000_000;
const loops: { stop(): Promise<void> }[] = [];
beforeEach(() => jest.useFakeTimers({ now: T0 }));
afterEach(async () => {
  await settled(Promise.all(loops.splice(0).map((l) => l.stop())));
  jest.useRealTimers();
});

function setup(options: { maxBatch?: number; writeBehindMs?: number } = {}) {
  const reach = new ShardReadAhead<Task>(noSource, 10 * S);
  reach.track(0);
  reach.track(1);
  const store = {
    records: [] as { at: number; records: FireRecord[] }[],
    advances: [] as Advance[],
  };
  const logger = { warn: jest.fn(), log: jest.fn() };
  const conditions = new ConditionLog(logger as unknown as Logger);
  let running = true;
  const held = new Set<number>([0, 1]);
  const rereads: number[] = [];
  const onError = jest.fn();
  const pollChanges = jest.fn(async () => undefined);
  const publisher = new FakePublisher();
  const writes: WriteBehind = new WriteBehind(
    {
      advance: async (a) => void store.advances.push(...a),
      recordFires: async (r) => void store.records.push({ at: Date.now(), records: r }),
      armDeadlines: async () => undefined,
      quiet: (): Promise<void> => loop.quiet(),
      settle: (planned, advance, next) => memory.settle(planned, advance, next),
      forget: (t) => memory.unload(t.id),
      conditions,
    },
    options.writeBehindMs ?? 0,
  );
  const memory: LoadedTasks = new LoadedTasks(reach, writes, () => loop.arm());
  const loop: PublishLoop = new PublishLoop(
    {
      memory,
      writes,
      publisher,
      pollChanges,
      holds: (shard) => held.has(shard),
      reread: (shard) => rereads.push(shard),
      deadlinesOf: () => [],
      isRunning: () => running,
      conditions,
      onError,
    },
    {
      misfire: { thresholdMs: 5 * S, maxCatchUp: 10 },
      topic: 'tasks',
      maxBatch: options.maxBatch ?? 1000,
    },
  );
  const stop = async () => {
    running = false;
    loop.stop();
    await loop.settled();
    await writes.flushed();
  };
  loops.push({ stop });
  return {
    memory,
    writes,
    loop,
    publisher,
    store,
    logger,
    held,
    rereads,
    onError,
    pollChanges,
    stop,
  };
}

/** Runs the (fake) clock in small steps until `done()` holds, failing after `timeoutMs`. */
async function until(done: () => boolean, timeoutMs = 10 * S): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await jest.advanceTimersByTimeAsync(1);
  }
}
/** Runs the (fake) clock `ms` on. */
const sleep = (ms: number) => jest.advanceTimersByTimeAsync(Math.max(0, ms));

/** Settles a promise that needs the fake clock to run. */
async function settled(promise: Promise<unknown>): Promise<void> {
  let done = false;
  void promise.finally(() => (done = true));
  await until(() => done);
}

describe('PublishLoop', () => {
  it('publishes nothing before its due time, one batch per due time, then writes it', async () => {
    const { memory, publisher, store } = setup();
    const base = Date.now();
    const tasks = [
      oneShot(base + 60),
      oneShot(base + 60),
      oneShot(base + 130),
      oneShot(base + 250),
    ];
    tasks.forEach((t) => memory.consider(t));
    await until(() => publisher.ackedIds.length === 4);
    expect(publisher.attempts.map((a) => a.messages.length)).toEqual([2, 1, 1]);
    for (const attempt of publisher.attempts) {
      const latestSlot = Math.max(...attempt.messages.map(scheduledOf));
      expect(attempt.at).toBeGreaterThanOrEqual(latestSlot);
      expect(attempt.publishedAt).toBeGreaterThanOrEqual(latestSlot);
    }
    expect(publisher.ackedIds).toEqual(tasks.map((t) => `${t.id}:${t.dueAt}:1`));
    await until(() => store.advances.length === 4);
    // Records carry the actual publish time; the tasks completed and left memory.
    const records = store.records.flatMap((r) => r.records);
    expect(records.map((r) => r.messageId)).toEqual(publisher.ackedIds);
    for (const r of records) expect(r.publishedAt).toBeGreaterThanOrEqual(r.scheduledAt);
    expect(tasks.map((t) => memory.get(t.id))).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(memory.peekDue()).toBeUndefined();
  });

  it('a slow publisher gets one batch at a time, and the write-behind gets it after the ack', async () => {
    const { memory, publisher, store } = setup();
    publisher.delayMs = 150;
    const base = Date.now();
    const first = [oneShot(base + 60), oneShot(base + 60)];
    const second = [oneShot(base + 100), oneShot(base + 120)]; // due while the first is in flight
    const third = [oneShot(base + 500)];
    [...first, ...second, ...third].forEach((t) => memory.consider(t));
    await until(() => publisher.ackedIds.length === 5);
    expect(publisher.maxInFlight).toBe(1);
    expect(publisher.attempts.map((a) => a.messages.map((m) => m.key))).toEqual([
      first.map((t) => t.id),
      second.map((t) => t.id),
      third.map((t) => t.id),
    ]);
    expect(publisher.attempts[1]!.at).toBeGreaterThanOrEqual(publisher.attempts[0]!.ackedAt!);
    expect(publisher.attempts[2]!.at).toBeGreaterThanOrEqual(base + 500);
    await until(() => store.records.length === 3);
    store.records.forEach((write, i) => {
      expect(write.records.map((r) => r.messageId)).toEqual(
        publisher.attempts[i]!.messages.map(idOf),
      );
      expect(write.at).toBeGreaterThanOrEqual(publisher.attempts[i]!.ackedAt!);
    });
  });

  it('a failing publisher keeps the tasks due and retries them under the same message ids, backing off', async () => {
    const { memory, publisher, store, logger, onError } = setup();
    publisher.failNext = 3;
    const base = Date.now();
    const tasks = [oneShot(base + 60), oneShot(base + 60)];
    tasks.forEach((t) => memory.consider(t));
    await until(() => publisher.acked.length === 1);
    const ids = tasks.map((t) => `${t.id}:${base + 60}:1`);
    expect(publisher.attempts.map((a) => a.messages.map(idOf))).toEqual([ids, ids, ids, ids]);
    const at = publisher.attempts.map((a) => a.at);
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    // Growing backoff: each retry waits longer than the one before.
    expect(gaps[1]!).toBeGreaterThan(gaps[0]!);
    expect(gaps[2]!).toBeGreaterThan(gaps[1]!);
    expect(publisher.acked[0]!.at).toBe(at[3]);
    await until(() => store.advances.length === 2);
    expect(store.records.flatMap((r) => r.records.map((x) => x.messageId))).toEqual(ids);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn).toHaveBeenCalledWith('dispatch: publishing to Kafka: broker not available');
    expect(logger.log).toHaveBeenCalledTimes(1);
    expect(logger.log.mock.calls[0]![0]).toMatch(/^dispatch: publishing to Kafka: recovered/);
    expect(onError).toHaveBeenCalledTimes(3);
  });

  it('backs off to at most 5 s, and starts again from the minimum once a publish went through', async () => {
    const { memory, publisher } = setup();
    publisher.failNext = 9;
    memory.consider(oneShot(T0 + 60));
    await until(() => publisher.acked.length === 1, 60 * S);
    const gapsOf = (at: number[]) => at.slice(1).map((t, i) => t - at[i]!);
    const gaps = gapsOf(publisher.attempts.map((a) => a.at));
    expect(gaps).toHaveLength(9);
    for (const gap of gaps) expect(gap).toBeLessThanOrEqual(5 * S);
    expect(gaps.slice(-3)).toEqual([gaps.at(-1), gaps.at(-1), gaps.at(-1)]); // capped
    expect(gaps.at(-1)).toBeGreaterThan(4 * S);

    const firstGap = gaps[0]!;
    publisher.failNext = 1;
    memory.consider(oneShot(Date.now() + 60));
    await until(() => publisher.acked.length === 2);
    expect(gapsOf(publisher.attempts.slice(-2).map((a) => a.at))).toEqual([firstGap]);
  });

  // The retry timer wakes PREPARE_MS before `retry.until` to plan; the publish waits for it.
  it('does not retry a failed publish before its backoff (100 ms, doubling) has passed', async () => {
    const { memory, publisher } = setup();
    publisher.failNext = 3;
    memory.consider(oneShot(T0 + 60));
    await until(() => publisher.acked.length === 1);
    const at = publisher.attempts.map((a) => a.at);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(100);
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(200);
    expect(at[3]! - at[2]!).toBeGreaterThanOrEqual(400);
  });

  it('does not publish a task whose lease is not held: its shard is read again and it is unloaded', async () => {
    const { memory, publisher, store, held, rereads } = setup({ writeBehindMs: 5000 });
    const base = Date.now();
    const mine = loopTask(base + 60, { shard: 0, loopCount: 1 });
    const lapsed = loopTask(base + 60, { shard: 1 });
    memory.consider(mine);
    memory.consider(lapsed);
    await until(() => publisher.ackedIds.length === 2);
    // The loop task of shard 1 fired once and holds its advance; then its lease renewal lags.
    const latest = memory.get(lapsed.id)!;
    expect(latest.runCount).toBe(1);
    await until(() => store.advances.length === 1);
    expect(store.advances.map((a) => a.before)).toEqual([mine]);
    held.delete(1);
    await sleep(latest.dueAt! - Date.now() + 200);
    expect(publisher.acked).toHaveLength(1);
    expect(publisher.ackedIds).not.toContain(`${lapsed.id}:${latest.dueAt}:1`);
    expect(rereads).toEqual([1]);
    expect(memory.get(lapsed.id)).toBeUndefined();
    // Its held advance was written, so the re-read finds it where it moved.
    expect(store.advances.map((a) => [a.before, a.fired])).toEqual([
      [mine, 1],
      [lapsed, 1],
    ]);
  });

  it('drops from the batch a task the API paused between planning and its slot', async () => {
    const { memory, publisher, pollChanges } = setup();
    const base = Date.now();
    const paused = oneShot(base + 60);
    const other = oneShot(base + 60);
    memory.consider(paused);
    memory.consider(other);
    pollChanges.mockImplementationOnce(async () => {
      memory.consider({ ...paused, version: 2, status: 'paused', dueAt: null });
    });
    await until(() => publisher.ackedIds.length === 1);
    await sleep(100);
    expect(publisher.attempts.map((a) => a.messages.map((m) => m.key))).toEqual([[other.id]]);
    expect(pollChanges).toHaveBeenCalledTimes(1);
    expect(memory.get(paused.id)).toBeUndefined();
  });

  it('publishes the new copy of a task changed between planning and its slot, not the old one', async () => {
    const { memory, publisher, pollChanges, store } = setup();
    const base = Date.now();
    const changed = oneShot(base + 60, { data: 'old' });
    const other = oneShot(base + 60);
    memory.consider(changed);
    memory.consider(other);
    pollChanges.mockImplementationOnce(async () => {
      memory.consider({ ...changed, version: 2, data: 'new' });
    });
    await until(() => publisher.ackedIds.length === 2);
    expect(publisher.attempts.map((a) => a.messages.map((m) => [m.key, m.value]))).toEqual([
      [[other.id, '{}']],
      [[changed.id, 'new']],
    ]);
    expect(publisher.ackedIds[1]).toBe(`${changed.id}:${base + 60}:1`);
    await until(() => store.advances.length === 2);
    expect(store.advances.map((a) => a.before.version)).toEqual([1, 2]);
  });

  // A change applied while a publish is in flight at Kafka wins over the publish's own
  // advance in memory (LoadedTasks.settle); the dispatcher before the split lost it.
  it.each([
    ['deleted', 'gone'],
    ['paused', 'paused'],
  ])(
    'a task %s while its publish is in flight at Kafka does not fire again',
    async (_what, change) => {
      const { memory, writes, publisher } = setup({ writeBehindMs: 2000 });
      publisher.delayMs = 100;
      const t = loopTask(T0 + 60);
      memory.consider(t);
      await until(() => publisher.attempts.length === 1);
      // The change follower's own poll (every 25 ms) applies the API's change meanwhile,
      // as the dispatcher wires it.
      if (change === 'gone') {
        writes.drop(t.id);
        memory.goneByApi(t.id);
      } else
        memory.changedByApi({ ...t, version: 2, status: 'paused', nextRunAt: null, dueAt: null });
      await until(() => publisher.acked.length === 1);
      await sleep(3 * S);
      expect(publisher.attempts.map((a) => a.messages.map(scheduledOf))).toEqual([[T0 + 60]]);
      expect(memory.get(t.id)).toBeUndefined();
    },
  );

  it('a task updated while its publish is in flight at Kafka fires from its new copy', async () => {
    const { memory, publisher } = setup({ writeBehindMs: 2000 });
    publisher.delayMs = 100;
    const t = loopTask(T0 + 60, { data: 'old' });
    memory.consider(t);
    await until(() => publisher.attempts.length === 1);
    memory.changedByApi({ ...t, version: 2, data: 'new' }); // applied by the change follower
    await until(() => publisher.acked.length === 2);
    expect(publisher.acked.map((a) => a.messages.map((m) => m.value))).toEqual([['old'], ['new']]);
    expect(memory.get(t.id)).toMatchObject({ version: 2, data: 'new' });
  });

  it('splits a large due set into batches of maxBatch', async () => {
    const { memory, publisher } = setup({ maxBatch: 3 });
    const base = Date.now();
    const tasks = Array.from({ length: 7 }, () => oneShot(base + 60));
    tasks.forEach((t) => memory.consider(t));
    await until(() => publisher.ackedIds.length === 7);
    expect(publisher.attempts.map((a) => a.messages.length)).toEqual([3, 3, 1]);
    expect(new Set(publisher.ackedIds).size).toBe(7);
    for (const a of publisher.attempts) expect(a.at).toBeGreaterThanOrEqual(base + 60);
  });

  it('keeps firing a loop task from memory, one fire per slot', async () => {
    const { memory, publisher, store } = setup({ writeBehindMs: 5000 });
    const base = Date.now();
    // A loop every second, created so that its slots are base+60, base+1060, ...
    const t = loopTask(base + 60, { loopCount: 2, createdAt: base + 60 - 60 * S });
    memory.consider(t);
    await until(() => publisher.ackedIds.length === 2, 4000);
    expect(publisher.attempts.map((a) => a.messages.map(scheduledOf))).toEqual([
      [base + 60],
      [base + 1060],
    ]);
    expect(publisher.attempts[1]!.at).toBeGreaterThanOrEqual(base + 1060);
    // Completed on its second fire: left memory, both fires in one write.
    await until(() => store.advances.length === 1);
    expect(store.advances.map((a) => [a.before, a.fired])).toEqual([[t, 2]]);
    expect(memory.get(t.id)).toBeUndefined();
  });

  it('quiet() holds background work back around an imminent publish only', async () => {
    const { memory, loop, publisher } = setup();
    await loop.quiet();
    expect(Date.now()).toBe(T0); // nothing due

    memory.consider(oneShot(T0 + 5 * S));
    await loop.quiet();
    expect(Date.now()).toBe(T0); // due later than the quiet window

    memory.consider(oneShot(T0 + 40));
    await settled(loop.quiet());
    // Until just after the slot (its publish is acknowledged by then, normally).
    expect(Date.now()).toBeGreaterThanOrEqual(T0 + 40 + 15);
    expect(Date.now()).toBeLessThanOrEqual(T0 + 40 + 16);
    expect(publisher.acked).toHaveLength(1);
  });

  it('once stopped, finishes the batch in flight and writes it, and publishes nothing more', async () => {
    const { memory, publisher, store, stop } = setup();
    publisher.delayMs = 100;
    const base = Date.now();
    const now = oneShot(base + 60);
    const later = oneShot(base + 300);
    memory.consider(now);
    memory.consider(later);
    await until(() => publisher.attempts.length === 1);
    await settled(stop());
    expect(publisher.acked.map((a) => a.messages.map((m) => m.key))).toEqual([[now.id]]);
    expect(store.advances.map((a) => a.before)).toEqual([now]);
    await sleep(base + 400 - Date.now());
    expect(publisher.attempts).toHaveLength(1);
  });
});
