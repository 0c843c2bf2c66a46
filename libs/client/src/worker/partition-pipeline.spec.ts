import { type KafkaMessage } from 'kafkajs';
import { PartitionPipelines, type PipelinePayload } from './partition-pipeline';

interface Gate {
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: Error) => void;
}

function gate(): Gate {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets pending promise callbacks (and the committer's chain) run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** Observes whether a promise settled yet. */
function track(promise: Promise<void>): { done: boolean } {
  const state = { done: false };
  void promise.then(() => (state.done = true));
  return state;
}

/** kafkajs' side of one partition: what the pipelines resolved and committed. */
class FakeKafka {
  readonly resolved: string[] = [];
  /** Committed offsets (the next offset to read, as Kafka stores them). */
  readonly commits: string[] = [];
  heartbeats = 0;
  running = true;

  batch(offsets: number[], partition = 0): PipelinePayload {
    const messages = offsets.map((o) => ({ offset: String(o) }) as KafkaMessage);
    return {
      batch: { topic: 'tasks', partition, messages },
      resolveOffset: (offset) => void this.resolved.push(`${partition}@${offset}`),
      heartbeat: async () => void this.heartbeats++,
      commitOffsetsIfNecessary: async (request) => {
        for (const t of request!.topics) {
          for (const p of t.partitions) this.commits.push(`${p.partition}@${p.offset}`);
        }
      },
      isRunning: () => this.running,
      isStale: () => false,
    };
  }
}

describe('PartitionPipelines', () => {
  let kafka: FakeKafka;
  let gates: Map<string, Gate>;
  let started: string[];
  let stopping: boolean;
  let expireDrain: () => void;

  function pipelines(concurrency: number, heartbeatEveryMs?: number): PartitionPipelines {
    const drainExpired = new Promise<void>((resolve) => (expireDrain = resolve));
    return new PartitionPipelines({
      concurrency,
      handle: (_topic, partition, message) => {
        const key = `${partition}@${message.offset}`;
        started.push(key);
        const g = gate();
        gates.set(key, g);
        return g.promise.then(() => ({ committable: Promise.resolve() }));
      },
      stopping: () => stopping,
      drainExpired,
      logger: { log: () => undefined, warn: () => undefined, error: () => undefined },
      heartbeatEveryMs,
    });
  }

  const finish = async (key: string) => {
    gates.get(key)!.resolve();
    await settle();
  };

  beforeEach(() => {
    kafka = new FakeKafka();
    gates = new Map();
    started = [];
    stopping = false;
  });

  it('returns from a batch while its handlers still run, resolving each offset as it starts', async () => {
    const p = pipelines(10);
    await p.consume(kafka.batch([0, 1, 2]));

    expect(started).toEqual(['0@0', '0@1', '0@2']);
    expect(kafka.resolved).toEqual(['0@0', '0@1', '0@2']);
    expect(p.inFlight).toBe(3);
    expect(kafka.commits).toEqual([]);
  });

  it('commits only the finished prefix, in order, when finishes come out of order across batches', async () => {
    const p = pipelines(10);
    await p.consume(kafka.batch([0, 1]));
    await p.consume(kafka.batch([2, 3]));
    expect(started).toEqual(['0@0', '0@1', '0@2', '0@3']);

    await finish('0@3');
    await finish('0@1');
    expect(kafka.commits).toEqual([]); // offset 0 still running: nothing may be committed

    await finish('0@0');
    expect(kafka.commits).toEqual(['0@2']); // 0 and 1 done: next to read is 2

    await finish('0@2');
    expect(kafka.commits).toEqual(['0@2', '0@4']); // the second batch's offsets join the prefix
    expect(p.inFlight).toBe(0);
  });

  it('leaves a failed (rejected) message and everything after it uncommitted', async () => {
    const p = pipelines(10);
    await p.consume(kafka.batch([0, 1, 2]));
    await finish('0@0');
    gates.get('0@1')!.reject(new Error('drain deadline'));
    await finish('0@2');
    expect(kafka.commits).toEqual(['0@1']);
    expect(p.inFlight).toBe(0);
  });

  it('bounds handlers in flight per partition across batches, and heartbeats while waiting', async () => {
    const p = pipelines(2, 5);
    await p.consume(kafka.batch([0, 1]));
    const second = track(p.consume(kafka.batch([2, 3])));
    await new Promise((resolve) => setTimeout(resolve, 30));

    expect(second.done).toBe(false);
    expect(started).toEqual(['0@0', '0@1']);
    expect(kafka.resolved).toEqual(['0@0', '0@1']); // 2 not started: kafkajs must not pass it
    expect(kafka.heartbeats).toBeGreaterThan(0);

    await finish('0@1');
    expect(started).toEqual(['0@0', '0@1', '0@2']);
    expect(second.done).toBe(false);
    expect(p.inFlight).toBe(2);

    await finish('0@0');
    expect(started).toEqual(['0@0', '0@1', '0@2', '0@3']);
    expect(second.done).toBe(true);
    expect(kafka.commits).toEqual(['0@2']);
  });

  it('keeps partitions apart: a full window on one does not hold back another', async () => {
    const p = pipelines(1);
    await p.consume(kafka.batch([0]));
    const blocked = track(p.consume(kafka.batch([1])));
    await p.consume(kafka.batch([0], 1));
    await settle();

    expect(blocked.done).toBe(false);
    expect(started).toEqual(['0@0', '1@0']);
    await finish('1@0');
    expect(kafka.commits).toEqual(['1@1']);
    expect(blocked.done).toBe(false);
  });

  it('does not start an offset it already started when kafkajs fetches it again, but resolves it', async () => {
    const p = pipelines(10);
    await p.consume(kafka.batch([0, 1]));
    await p.consume(kafka.batch([0, 1, 2]));
    expect(started).toEqual(['0@0', '0@1', '0@2']);
    expect(kafka.resolved).toEqual(['0@0', '0@1', '0@0', '0@1', '0@2']);
    await finish('0@0');
    await finish('0@1');
    await finish('0@2');
    expect(kafka.commits).toEqual(['0@1', '0@2', '0@3']);
  });

  it('starts and resolves nothing once stopping', async () => {
    const p = pipelines(10);
    stopping = true;
    await p.consume(kafka.batch([0, 1]));
    expect(started).toEqual([]);
    expect(kafka.resolved).toEqual([]);
  });

  it('drain waits for every partition, then flushes the commits', async () => {
    const p = pipelines(10);
    await p.consume(kafka.batch([0, 1]));
    await p.consume(kafka.batch([5], 1));
    stopping = true;
    const drained = track(p.drain());
    await finish('0@1');
    await finish('1@5');
    expect(drained.done).toBe(false);

    await finish('0@0');
    expect(drained.done).toBe(true);
    expect(kafka.commits).toEqual(['1@6', '0@2']);
  });

  it('drain gives up at the deadline: a handler still running stays uncommitted, the prefix before it is committed', async () => {
    const p = pipelines(10);
    await p.consume(kafka.batch([0, 1, 2]));
    stopping = true;
    const drained = track(p.drain());
    await finish('0@0');
    await finish('0@2');
    expect(drained.done).toBe(false);

    expireDrain();
    await settle();
    expect(drained.done).toBe(true);
    expect(kafka.commits).toEqual(['0@1']);
    expect(p.inFlight).toBe(1);
  });

  it('starts over on a new generation: old handlers finish without committing, re-fetched offsets start fresh', async () => {
    const p = pipelines(1);
    await p.consume(kafka.batch([0]));
    const blocked = track(p.consume(kafka.batch([1])));
    await settle();

    p.newGeneration();
    await finish('0@0');
    expect(blocked.done).toBe(true); // the old batch starts nothing more once retired
    expect(started).toEqual(['0@0']);
    expect(kafka.commits).toEqual([]);

    // kafkajs fetches again from the committed offset; the new state counts its own window.
    const refetched = track(p.consume(kafka.batch([0, 1])));
    await settle();
    expect(started).toEqual(['0@0', '0@0']);
    await finish('0@0');
    expect(started).toEqual(['0@0', '0@0', '0@1']);
    expect(refetched.done).toBe(true);
    expect(kafka.commits).toEqual(['0@1']);
  });

  it('drain waits for handlers of a retired generation too', async () => {
    const p = pipelines(10);
    await p.consume(kafka.batch([0]));
    p.newGeneration();
    expect(p.inFlight).toBe(1);
    stopping = true;
    const drained = track(p.drain());
    await settle();
    expect(drained.done).toBe(false);
    await finish('0@0');
    expect(drained.done).toBe(true);
    expect(kafka.commits).toEqual([]);
  });
});
