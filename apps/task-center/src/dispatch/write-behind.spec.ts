import { bucketOf } from '../due-time/shard-read-ahead';
import { advanced } from '../tasks/task-advance';
import { S, T0, task, oneShot, deadline, settle, setup, time } from './write-behind.fixtures';

beforeEach(() => {
  time.now = T0;
  jest.spyOn(Date, 'now').mockImplementation(() => time.now);
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
});
