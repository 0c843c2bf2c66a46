/**
 * The task change log against the real server: sequence numbers taken by insert, gap-free
 * for readers, trimmed to CHANGE_LOG_KEEP entries.
 */
import { MongoTaskChangesRepository } from '../../apps/task-center/src/repositories/mongo-task-changes.repository';
import {
  CHANGE_LOG_KEEP,
  type TaskChange,
  TaskChangesRepository,
} from '../../apps/task-center/src/repositories/task-changes.repository';
import { RepositoriesHarness } from '../support/repositories';

const NOW = 1_900_000_000_000;

describe('TaskChangesRepository (real database)', () => {
  let harness: RepositoriesHarness;
  let changes: TaskChangesRepository;

  beforeAll(async () => {
    harness = await RepositoriesHarness.start('repo-changes');
    changes = harness.get(TaskChangesRepository);
  });

  afterAll(() => harness?.stop());

  const docs = () =>
    harness.connection.collection<{ _id: string; ids?: string[]; at?: number }>('task_changes');
  /** Another replica: its own instance, its own idea of the last seq it wrote. */
  const replica = () => new MongoTaskChangesRepository(harness.connection);

  /** Entries from `from` on, as a dispatcher follows them: until the first missing one. */
  async function follow(from: number): Promise<TaskChange[]> {
    const out: TaskChange[] = [];
    for (let seq = from; ; seq++) {
      const entry = await changes.entry(seq);
      if (entry === undefined) return out;
      out.push(entry);
    }
  }

  it('appends entries in order and moves the head', async () => {
    expect(await changes.head()).toBe(0);
    expect(await changes.entry(1)).toBeUndefined();

    await changes.append(['a', 'b'], NOW);
    await changes.append('all', NOW);
    await changes.append([], NOW); // nothing changed: no entry
    await changes.append(
      Array.from({ length: 501 }, (_, i) => `t${i}`),
      NOW,
    );

    expect(await changes.head()).toBe(3);
    expect(await follow(1)).toEqual([['a', 'b'], 'all', 'all']);
  });

  it('takes the next free seq when another writer took one without moving the head yet', async () => {
    const head = await changes.head();
    // A concurrent append that inserted its entry and has not updated `head` yet.
    await docs().insertOne({ _id: `chg:${head + 1}`, ids: ['theirs'], at: NOW });

    await replica().append(['ours'], NOW);

    expect(await changes.entry(head + 1)).toEqual(['theirs']);
    expect(await changes.entry(head + 2)).toEqual(['ours']);
    expect(await changes.head()).toBe(head + 2);
  });

  it('gives concurrent appends of several replicas distinct, gap-free seqs', async () => {
    const start = (await changes.head()) + 1;
    const ids = Array.from({ length: 24 }, (_, i) => `c${i}`);
    // A replica each: one replica's own concurrent appends are written together (next test).
    const writers = ids.map((_, i) => (i === 0 ? changes : replica()));

    await Promise.all(ids.map((id, i) => writers[i]!.append([id], NOW)));

    const entries = await follow(start);
    expect(entries).toHaveLength(ids.length);
    expect(entries.flat().sort()).toEqual([...ids].sort());
    // `head` may lag under concurrent appends (FerretDB v1's `$max` is not atomic): readers
    // follow entries, not the head. The next append still takes the next free seq and
    // brings the head up to it.
    expect(await changes.head()).toBeLessThanOrEqual(start + ids.length - 1);
    await changes.append(['after'], NOW);
    expect(await changes.entry(start + ids.length)).toEqual(['after']);
    expect(await changes.head()).toBe(start + ids.length);
  });

  it("writes one replica's concurrent appends together: fewer entries, each change whole and once", async () => {
    const start = (await changes.head()) + 1;
    const writer = replica();
    const appends = Array.from({ length: 24 }, (_, i) => [`w${i}a`, `w${i}b`]);

    await Promise.all(appends.map((change) => writer.append(change, NOW)));

    const entries = (await follow(start)) as string[][];
    // The first goes out alone; the rest waited for it and go out together.
    expect(entries.length).toBeGreaterThanOrEqual(2);
    expect(entries.length).toBeLessThan(appends.length);
    expect(entries.flat().sort()).toEqual(appends.flat().sort());
    for (const [a, b] of appends) {
      expect(entries.some((e) => e.indexOf(b!) === e.indexOf(a!) + 1)).toBe(true);
    }
  });

  it('a reader stops at a missing entry below the head', async () => {
    const start = (await changes.head()) + 1;
    for (const id of ['g1', 'g2', 'g3']) await changes.append([id], NOW);
    await docs().deleteOne({ _id: `chg:${start + 1}` });

    expect(await changes.head()).toBe(start + 2);
    expect(await changes.entry(start + 1)).toBeUndefined();
    expect(await follow(start)).toEqual([['g1']]);
    expect(await changes.entry(start + 2)).toEqual(['g3']);
  });

  it(`keeps the newest ${CHANGE_LOG_KEEP} entries`, async () => {
    const fresh = await RepositoriesHarness.start('repo-changes-trim');
    try {
      const log = fresh.get(TaskChangesRepository);
      const total = CHANGE_LOG_KEEP + 3;
      for (let i = 1; i <= total; i++) await log.append([`k${i}`], NOW);

      expect(await log.head()).toBe(total);
      for (const seq of [1, 2, 3]) expect(await log.entry(seq)).toBeUndefined();
      expect(await log.entry(4)).toEqual(['k4']);
      expect(await log.entry(total)).toEqual([`k${total}`]);
      expect(
        await fresh.connection
          .collection<{ _id: string }>('task_changes')
          .countDocuments({ _id: { $ne: 'head' } }),
      ).toBe(CHANGE_LOG_KEEP);
    } finally {
      await fresh.stop();
    }
  }, 180_000);
});
