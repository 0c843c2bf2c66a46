/** Worker heartbeats against the real server: one document per worker, recent ones listed. */
import { type WorkerRecord } from '../../apps/task-center/src/runs/run-records';
import { WorkersRepository } from '../../apps/task-center/src/repositories/workers.repository';
import { RepositoriesHarness } from '../support/repositories';

const NOW = 1_900_000_000_000;

function worker(id: string, lastSeen: number, overrides: Partial<WorkerRecord> = {}): WorkerRecord {
  return {
    id,
    group: 'billing',
    host: 'host-1',
    pid: 42,
    sdk: 'node/1.0.0',
    tags: ['invoice'],
    lastSeen,
    intervalMs: 5000,
    stopping: false,
    ...overrides,
  };
}

describe('WorkersRepository (real database)', () => {
  let harness: RepositoriesHarness;
  let workers: WorkersRepository;

  beforeAll(async () => {
    harness = await RepositoriesHarness.start('repo-workers');
    workers = harness.get(WorkersRepository);
  });

  afterAll(() => harness?.stop());

  it('keeps the latest heartbeat of each worker and lists recent ones, newest first', async () => {
    await workers.save(worker('w-old', NOW - 60_000));
    await workers.save(worker('w-1', NOW - 1000));
    await workers.save(worker('w-2', NOW - 500, { tags: ['a', 'b'] }));
    // A newer heartbeat of w-1 replaces its document.
    await workers.save(worker('w-1', NOW, { tags: ['invoice', 'refund'], stopping: true }));

    expect(await workers.seenSince(NOW - 10_000)).toEqual([
      worker('w-1', NOW, { tags: ['invoice', 'refund'], stopping: true }),
      worker('w-2', NOW - 500, { tags: ['a', 'b'] }),
    ]);
    expect((await workers.seenSince(0)).map((w) => w.id)).toEqual(['w-1', 'w-2', 'w-old']);
    expect(await workers.seenSince(NOW + 1)).toEqual([]);
    expect(
      await harness.connection
        .collection<{ _id: string }>('workers')
        .countDocuments({ _id: 'w-1' }),
    ).toBe(1);
  });
});
