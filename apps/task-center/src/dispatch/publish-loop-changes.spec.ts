import {
  S,
  oneShot,
  loopTask,
  scheduledOf,
  T0,
  loops,
  setup,
  until,
  sleep,
  settled,
} from './publish-loop.fixtures';

beforeEach(() => jest.useFakeTimers({ now: T0 }));
afterEach(async () => {
  await settled(Promise.all(loops.splice(0).map((l) => l.stop())));
  jest.useRealTimers();
});

describe('PublishLoop', () => {
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

  it('quiet() holds background work back while a backlog is drained, for at most 2 s', async () => {
    const { memory, publisher, store } = setup({ maxBatch: 2 });
    publisher.delayMs = 100;
    // 10 one-shots due now, 2 per batch: 5 publishes of 100 ms back to back.
    for (let i = 0; i < 10; i++) memory.consider(oneShot(T0 + 40));
    await until(() => publisher.ackedIds.length === 10);
    const lastAck = publisher.attempts[4]!.ackedAt!;
    await until(() => store.records.length > 0);
    // No record was written between the batches: all of them after the last one's ack.
    expect(store.records[0]!.at).toBeGreaterThanOrEqual(lastAck);

    // A backlog longer than 2 s: background work waits 2 s, not until the drain ends.
    const long = setup({ maxBatch: 1 });
    long.publisher.delayMs = 200;
    const due = Date.now() + 40;
    for (let i = 0; i < 20; i++) long.memory.consider(oneShot(due));
    await until(() => long.store.records.length > 0, 5 * S);
    expect(long.publisher.ackedIds.length).toBeLessThan(20);
    expect(long.store.records[0]!.at - due).toBeGreaterThanOrEqual(2 * S);
    expect(long.store.records[0]!.at - due).toBeLessThan(2 * S + 300);
  });

  it('a drain that waits for a write (a change to apply after it) is not held back by its own backlog', async () => {
    const { memory, writes, loop, publisher, store, pollChanges } = setup({ maxBatch: 2 });
    publisher.delayMs = 100;
    const tasks = Array.from({ length: 10 }, () => oneShot(T0 + 40));
    tasks.forEach((t) => memory.consider(t));
    // From the second batch on, the change log names the first task: its write must land first
    // (as the dispatcher's ChangeFollower does through loop.needs).
    pollChanges.mockImplementation(async () => {
      const write = writes.writingOf(tasks[0]!.id);
      if (write) await loop.needs(write);
    });
    await until(() => publisher.ackedIds.length === 10);
    const firstWrite = store.records[0]!.at;
    expect(firstWrite).toBeLessThanOrEqual(publisher.attempts[1]!.at);
    // Five batches of 100 ms back to back, not five 2 s waits for the backlog to pass.
    expect(publisher.attempts[4]!.ackedAt! - (T0 + 40)).toBeLessThan(1000);
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
