import { type KafkaMessage } from 'kafkajs';
import { type Handled, startMessage } from './message-slot';
import { OrderedOffsets } from './ordered-offsets';
import { PartitionCommitter } from './partition-committer';

const settle = () => new Promise((r) => setImmediate(r));

function deferred() {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('startMessage', () => {
  let commits: string[];
  let committer: PartitionCommitter;
  let offsets: OrderedOffsets;
  const message = (offset: string) => ({ offset }) as KafkaMessage;

  beforeEach(() => {
    commits = [];
    offsets = new OrderedOffsets();
    committer = new PartitionCommitter(
      {
        topic: 't',
        partition: 0,
        commit: async (request) => {
          for (const p of request!.topics[0]!.partitions) commits.push(p.offset);
        },
      },
      { log: () => undefined, warn: () => undefined, error: () => undefined },
    );
  });

  it('frees the slot when the handler is done, and commits only once the outcome is out', async () => {
    const outcome = deferred();
    const started = startMessage(
      message('5'),
      async (): Promise<Handled> => ({ committable: outcome.promise }),
      offsets,
      committer,
    );
    let slotFree = false;
    let settled = false;
    void started.slot.then(() => (slotFree = true));
    void started.settled.then(() => (settled = true));
    await settle();
    expect(slotFree).toBe(true);
    expect(settled).toBe(false);
    expect(commits).toEqual([]);
    outcome.resolve();
    await settle();
    expect(settled).toBe(true);
    expect(commits).toEqual(['6']);
  });

  it('commits nothing for a message whose outcome could not be published, nor past it', async () => {
    const first = deferred();
    const a = startMessage(
      message('1'),
      async () => ({ committable: first.promise }),
      offsets,
      committer,
    );
    const b = startMessage(
      message('2'),
      async () => ({ committable: Promise.resolve() }),
      offsets,
      committer,
    );
    first.reject(new Error('results topic gone'));
    await Promise.all([a.settled, b.settled, a.slot, b.slot]);
    await settle();
    expect(commits).toEqual([]);
  });

  it('frees the slot and commits nothing when the handler path rejects', async () => {
    const started = startMessage(
      message('3'),
      () => Promise.reject(new Error('drain deadline passed')),
      offsets,
      committer,
    );
    await expect(started.slot).resolves.toBeUndefined();
    await expect(started.settled).resolves.toBeUndefined();
    expect(commits).toEqual([]);
  });
});
