/**
 * The FerretDB task write locks against the real server: mutual exclusion, breaking a
 * crashed owner's lock, release. On MongoDB they are a pass-through.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DatabaseFlavor } from '../../apps/task-center/src/database/database-flavor';
import {
  LOCK_TTL_MS,
  TaskWriteLocks,
} from '../../apps/task-center/src/database/ferretdb/task-write-locks';
import { RepositoriesHarness } from '../support/repositories';
import { waitFor } from '../support/stack';

interface LockDoc {
  _id: string;
  owner: string;
  expires_at: number;
}

describe('TaskWriteLocks (real database)', () => {
  let harness: RepositoriesHarness;
  let locks: TaskWriteLocks;
  let ferretDb: boolean;

  beforeAll(async () => {
    harness = await RepositoriesHarness.start('repo-locks');
    locks = harness.get(TaskWriteLocks);
    ferretDb = await harness.get(DatabaseFlavor).isFerretDb();
  });

  afterAll(() => harness?.stop());

  const lockDocs = () => harness.connection.collection<LockDoc>('task_locks');
  const held = async (ids: string[]) =>
    (
      await lockDocs()
        .find({ _id: { $in: ids } })
        .toArray()
    )
      .map((d) => d._id)
      .sort();

  /** The lock cases below hold on FerretDB; on MongoDB (stack/up.sh with mongod) they are skipped. */
  const onFerretDb = (fn: () => Promise<void>) => async () => {
    if (ferretDb) await fn();
  };

  it('asks the server which it is', async () => {
    const info = await harness.connection.db!.admin().command({ buildInfo: 1 });
    expect(ferretDb).toBe('ferretdbVersion' in info || 'ferretdbFeatures' in info);
  });

  it('takes no locks on MongoDB', async () => {
    if (ferretDb) return;
    let inside = 0;
    let most = 0;
    const write = () =>
      locks.withLocks(['m1'], async () => {
        most = Math.max(most, ++inside);
        await sleep(100);
        inside--;
      });
    await Promise.all([write(), write()]);
    expect(most).toBe(2);
    expect(await lockDocs().countDocuments({})).toBe(0);
  });

  it(
    'never runs two writes of overlapping tasks at once',
    onFerretDb(async () => {
      const spans: { who: string; start: number; end: number }[] = [];
      const write = (who: string, ids: string[]) =>
        locks.withLocks(ids, async () => {
          const start = performance.now();
          await sleep(150);
          spans.push({ who, start, end: performance.now() });
          return who;
        });

      const results = await Promise.all([
        write('a', ['t1', 't2']),
        write('b', ['t2', 't3']),
        write('c', ['t3', 't1']),
        write('d', ['t1', 't2', 't3']),
      ]);

      expect(results).toEqual(['a', 'b', 'c', 'd']);
      expect(spans).toHaveLength(4);
      const sorted = [...spans].sort((x, y) => x.start - y.start);
      for (let i = 1; i < sorted.length; i++) {
        expect(sorted[i]!.start).toBeGreaterThanOrEqual(sorted[i - 1]!.end);
      }
      expect(await held(['t1', 't2', 't3'])).toEqual([]);
    }),
  );

  it('lets writes of disjoint tasks run side by side', async () => {
    let inside = 0;
    let most = 0;
    const write = (ids: string[]) =>
      locks.withLocks(ids, async () => {
        most = Math.max(most, ++inside);
        await sleep(200);
        inside--;
      });
    await Promise.all([write(['d1']), write(['d2']), write(['d3'])]);
    expect(most).toBe(3);
  });

  it(
    'waits for a live lock and proceeds once its owner releases it',
    onFerretDb(async () => {
      await lockDocs().insertOne({ _id: 'w1', owner: 'other', expires_at: Date.now() + 10_000 });
      let ran = false;
      const writing = locks.withLocks(['w1', 'w2'], async () => {
        ran = true;
        return held(['w1', 'w2']);
      });
      await sleep(400);
      expect(ran).toBe(false);

      await lockDocs().deleteOne({ _id: 'w1', owner: 'other' });

      expect(await writing).toEqual(['w1', 'w2']);
      expect(ran).toBe(true);
      expect(await held(['w1', 'w2'])).toEqual([]);
    }),
  );

  it(
    "breaks a crashed owner's lock once it has expired",
    onFerretDb(async () => {
      await lockDocs().insertOne({ _id: 'x1', owner: 'crashed', expires_at: Date.now() - 1 });
      const started = Date.now();
      const during = await locks.withLocks(['x1'], async () => lockDocs().findOne({ _id: 'x1' }));
      expect(Date.now() - started).toBeLessThan(LOCK_TTL_MS / 3);
      expect(during?.owner).not.toBe('crashed');
      expect(during?.expires_at).toBeGreaterThan(Date.now());
      expect(await held(['x1'])).toEqual([]);
    }),
  );

  it(
    'releases its locks when the write fails, and the error reaches the caller',
    onFerretDb(async () => {
      await expect(
        locks.withLocks(['f1', 'f2'], () => Promise.reject(new Error('write failed'))),
      ).rejects.toThrow('write failed');
      expect(await held(['f1', 'f2'])).toEqual([]);
      // Free at once for the next writer.
      await waitFor('the next writer', () => locks.withLocks(['f1'], async () => true), {
        timeoutMs: 2000,
      });
    }),
  );
});
