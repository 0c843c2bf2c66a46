import {
  S,
  oneShot,
  idOf,
  scheduledOf,
  T0,
  loops,
  setup,
  until,
  settled,
} from './publish-loop.fixtures';
import { MAX_BATCH_BYTES } from './publish-loop';

beforeEach(() => jest.useFakeTimers({ now: T0 }));
afterEach(async () => {
  await settled(Promise.all(loops.splice(0).map((l) => l.stop())));
  jest.useRealTimers();
});

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

  it('a batch over MAX_BATCH_BYTES goes out in parts, each under the bound, every fire once', async () => {
    const { memory, publisher } = setup();
    const base = Date.now();
    // 100 one-shots due together with 20 KB of data each: 2 MB, four times the bound.
    const data = 'x'.repeat(20_000);
    const tasks = Array.from({ length: 100 }, () => oneShot(base + 60, { data }));
    tasks.forEach((t) => memory.consider(t));
    await until(() => publisher.ackedIds.length === 100);
    const sizes = publisher.attempts.map((a) =>
      a.messages.reduce((sum, m) => sum + Buffer.byteLength(m.value), 0),
    );
    expect(sizes.length).toBeGreaterThanOrEqual(4);
    for (const size of sizes) expect(size).toBeLessThanOrEqual(MAX_BATCH_BYTES);
    expect(new Set(publisher.ackedIds).size).toBe(100);
    expect([...publisher.ackedIds].sort()).toEqual(tasks.map((t) => `${t.id}:${t.dueAt}:1`).sort());
  });

  it('a lease that runs out while the change log is read (the database stopped answering) publishes nothing of its shard', async () => {
    const { memory, publisher, held, rereads, pollChanges } = setup();
    const base = Date.now();
    const mine = oneShot(base + 60, { shard: 0 });
    const other = oneShot(base + 60, { shard: 1 });
    let answer!: () => void;
    pollChanges.mockImplementationOnce(
      () => new Promise<undefined>((resolve) => (answer = () => resolve(undefined))),
    );
    [mine, other].forEach((t) => memory.consider(t));
    await until(() => pollChanges.mock.calls.length === 1 && answer !== undefined);
    held.delete(0); // planned while held; the lease ends before the read answers
    answer();
    await until(() => publisher.ackedIds.length === 1);
    expect(publisher.ackedIds).toEqual([`${other.id}:${other.dueAt}:1`]);
    expect(rereads).toContain(0);
    expect(memory.get(mine.id)).toBeUndefined(); // read again once the lease is back
  });

  it('a single task larger than the bound still goes out (alone)', async () => {
    const { memory, publisher } = setup();
    const big = oneShot(Date.now() + 60, { data: 'y'.repeat(MAX_BATCH_BYTES + 1) });
    const small = oneShot(Date.now() + 60);
    [big, small].forEach((t) => memory.consider(t));
    await until(() => publisher.ackedIds.length === 2);
    expect(publisher.attempts.map((a) => a.messages.length)).toEqual([1, 1]);
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
});
