import { type Logger } from '@nestjs/common';
import { ConditionLog } from '../background/condition-log';
import { type TaskChange, TaskChangesRepository } from '../repositories/task-changes.repository';
import { type Task } from '../tasks/task';
import { ChangeFollower } from './change-follower';
import { loopTaskAt } from '../tasks/task.fixtures';

const T0 = 1_800_000_000_000;

const task = (id: string, overrides: Partial<Task> = {}): Task =>
  loopTaskAt(T0, { id, createdAt: T0, updatedAt: T0, version: 2, ...overrides });

/** The change log: `head` may run ahead of the entries written (racing or trimmed). */
class FakeChangeLog extends TaskChangesRepository {
  readonly entries = new Map<number, TaskChange>();
  headSeq = 0;
  readonly reads: number[] = [];

  async append(change: TaskChange): Promise<void> {
    this.entries.set(++this.headSeq, change);
  }

  async head(): Promise<number> {
    return this.headSeq;
  }

  async entry(seq: number): Promise<TaskChange | undefined> {
    this.reads.push(seq);
    return this.entries.get(seq);
  }
}

function setup(owned = ['a', 'b', 'c']) {
  const log = new FakeChangeLog();
  /** The tasks collection: ids absent are deleted. */
  const db = new Map<string, Task>();
  const events: string[] = [];
  const pendingWrites = new Map<string, Promise<void>>();
  const findByIds = jest.fn(async (ids: string[]) => {
    if (ids.length > 0) events.push(`read ${ids.join(',')}`); // none: no query (the repository's too)
    return new Map(ids.flatMap((id) => (db.has(id) ? [[id, db.get(id)!] as const] : [])));
  });
  const reloadAll = jest.fn(async () => void events.push('reload all'));
  const logger = { warn: jest.fn(), log: jest.fn() };
  const follower = new ChangeFollower({
    changes: log,
    findByIds,
    owns: (id) => owned.includes(id),
    written: (id) => pendingWrites.get(id) ?? Promise.resolve(),
    consider: (t) => void events.push(`consider ${t.id} v${t.version}`),
    gone: (id) => void events.push(`gone ${id}`),
    reloadAll,
    logger: logger as unknown as Logger,
    conditions: new ConditionLog(logger as unknown as Logger, 0),
  });
  return { log, db, events, pendingWrites, findByIds, reloadAll, logger, follower };
}

let clock = T0;
beforeEach(() => {
  clock = T0;
  jest.spyOn(Date, 'now').mockImplementation(() => clock);
});
afterEach(() => jest.restoreAllMocks());

describe('ChangeFollower', () => {
  it('starts from the head: changes logged before are in the database already', async () => {
    const { log, db, events, follower } = setup();
    db.set('a', task('a'));
    await log.append(['a']);
    await follower.start();
    await follower.poll();
    expect(events).toEqual([]);
    expect(log.reads).toEqual([2]);
  });

  it('applies the entries in order, reading each task it owns once per batch of entries', async () => {
    const { log, db, events, findByIds, follower } = setup(['a', 'b']);
    await follower.start();
    db.set('a', task('a', { version: 3 }));
    db.set('b', task('b', { version: 5 }));
    await log.append(['a', 'x']);
    await log.append(['y']);
    await log.append(['b', 'a']);
    await follower.poll();
    expect(events.filter((e) => e.startsWith('consider'))).toEqual([
      'consider a v3',
      'consider b v5',
    ]);
    const read = findByIds.mock.calls.flatMap(([ids]) => ids);
    expect(read).toEqual(['a', 'b']);
    // Entry 1, then the next three at once (the first window); 4 is missing: caught up.
    expect(log.reads).toEqual([1, 2, 3, 4]);
  });

  it('a log that grows faster than one round trip per entry is followed in doubling windows', async () => {
    const { log, db, events, findByIds, follower } = setup(['a', 'b']);
    await follower.start();
    db.set('a', task('a'));
    db.set('b', task('b'));
    for (let i = 0; i < 200; i++) await log.append(i % 2 === 0 ? ['a', 'x'] : ['b']);
    await follower.poll();
    // Windows of 4, 8, 16, 32, 64, 64, 64 (8 left): 7 rounds, each reading a and b once.
    expect(findByIds).toHaveBeenCalledTimes(7);
    expect(events.filter((e) => e.startsWith('consider'))).toHaveLength(14);
    await log.append(['b']);
    await follower.poll();
    expect(events.at(-1)).toBe('consider b v2'); // entry 201 applied: seq counted every entry
  });

  it('a task not found (deleted) is gone', async () => {
    const { log, db, events, follower } = setup();
    await follower.start();
    db.set('a', task('a'));
    await log.append(['a', 'b']);
    await follower.poll();
    expect(events).toEqual(['read a,b', 'consider a v2', 'gone b']);
  });

  it('reads a task only once our queued writes of it have landed', async () => {
    const { log, db, events, pendingWrites, follower } = setup();
    await follower.start();
    db.set('a', task('a'));
    let land!: () => void;
    pendingWrites.set('a', new Promise<void>((resolve) => (land = resolve)));
    await log.append(['a']);
    const polled = follower.poll();
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).toEqual([]);
    db.set('a', task('a', { runCount: 7 })); // what our write leaves
    land();
    await polled;
    expect(events).toEqual(['read a', 'consider a v2']);
  });

  it("an 'all' entry reloads everything, then follows the next entries", async () => {
    const { log, db, events, reloadAll, follower } = setup();
    await follower.start();
    db.set('b', task('b'));
    await log.append('all');
    await log.append(['b']);
    await follower.poll();
    expect(events).toEqual(['reload all', 'read b', 'consider b v2']);
    expect(reloadAll).toHaveBeenCalledTimes(1);
  });

  it('a gap in the log (entries trimmed, head far ahead) reloads everything once and continues from the head', async () => {
    const { log, db, events, reloadAll, logger, follower } = setup();
    await follower.start();
    db.set('a', task('a'));
    db.set('c', task('c'));
    await log.append(['a']);
    log.headSeq = 200; // entries 2..200 are gone
    await follower.poll();
    expect(events).toEqual(['read a', 'consider a v2', 'reload all']);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn.mock.calls[0]![0]).toMatch(/fell behind the task change log \(1 < 200\)/);

    await log.append(['c']); // entry 201
    clock += 5000; // later polls may compare with the head again
    await follower.poll();
    await follower.poll();
    expect(events).toEqual(['read a', 'consider a v2', 'reload all', 'read c', 'consider c v2']);
    expect(reloadAll).toHaveBeenCalledTimes(1);
    // Entry 2 found missing (read with 3 and 4 in the first window), then on from the head:
    // 5..200 are never asked for.
    expect(log.reads).toEqual([1, 2, 3, 4, 201, 202, 203, 204, 202]);
  });

  it.each([
    ['the entry at the head is not written yet', 1],
    ['appends racing the poll put the head 100 ahead', 100],
  ])('a missing entry near the head is waited for, not reloaded: %s', async (_what, ahead) => {
    const { log, db, events, reloadAll, follower } = setup();
    await follower.start();
    db.set('a', task('a'));
    log.headSeq = ahead; // entries 1..ahead reserved, none written yet
    await follower.poll();
    clock += 5000;
    await follower.poll();
    expect(reloadAll).not.toHaveBeenCalled();
    expect(events).toEqual([]);
    for (let seq = 1; seq <= ahead; seq++) log.entries.set(seq, seq === ahead ? ['a'] : ['x']);
    await follower.poll();
    expect(events).toEqual(['read a', 'consider a v2']);
    expect(reloadAll).not.toHaveBeenCalled();
  });

  it('compares with the head at most once a second', async () => {
    const { log, follower } = setup();
    const head = jest.spyOn(log, 'head');
    await follower.start();
    await follower.poll();
    await follower.poll();
    expect(head).toHaveBeenCalledTimes(2); // start, then the first check
    clock += 1000;
    await follower.poll();
    expect(head).toHaveBeenCalledTimes(3);
  });

  it('a failed read is logged once and the entry applied at a later poll', async () => {
    const { log, db, events, findByIds, logger, follower } = setup();
    await follower.start();
    db.set('a', task('a'));
    await log.append(['a']);
    findByIds.mockRejectedValueOnce(new Error('db down'));
    findByIds.mockRejectedValueOnce(new Error('db down'));
    await expect(follower.poll()).resolves.toBeUndefined();
    await follower.poll();
    expect(events).toEqual([]);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn).toHaveBeenCalledWith('dispatch: reading task changes: db down');
    await follower.poll();
    expect(events).toEqual(['read a', 'consider a v2']);
    expect(logger.log).toHaveBeenCalledTimes(1); // recovered
  });

  it('a poll asked for while one runs joins it', async () => {
    const { log, db, findByIds, follower } = setup();
    await follower.start();
    db.set('a', task('a'));
    await log.append(['a']);
    await Promise.all([follower.poll(), follower.poll(), follower.poll()]);
    expect(findByIds).toHaveBeenCalledTimes(1);
  });
});
