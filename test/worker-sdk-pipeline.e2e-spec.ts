import { TaskWorker } from '@task-center/client';
import { acquireStackLock } from './support/stack-control';
import { waitFor } from './support/stack';
import { testKafka, WorkerTestKafka } from './support/worker-kafka';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const SLOW_MS = 4000;
const FAST_FIRES = 20;

describe('worker SDK: pipelined consumption against the real Kafka broker', () => {
  let kafka: WorkerTestKafka;
  let releaseLock: (() => void) | undefined;
  let workers: TaskWorker[] = [];

  beforeAll(async () => {
    releaseLock = await acquireStackLock('test/worker-sdk-pipeline.e2e-spec.ts');
    kafka = new WorkerTestKafka();
    await kafka.connect();
  });

  afterEach(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    workers = [];
  });

  afterAll(async () => {
    try {
      await kafka?.close();
    } finally {
      releaseLock?.();
    }
  });

  /** A worker on the test's topics with room for 50 handlers per partition. */
  function newWorker(
    topics: { tasks: string; results: string; group: string },
    pipeline: boolean,
  ): TaskWorker {
    const worker = new TaskWorker({
      kafka: testKafka('sdk-pipeline-worker'),
      groupId: topics.group,
      topic: topics.tasks,
      resultsTopic: topics.results,
      fromBeginning: true,
      concurrency: 50,
      pipeline,
      drainTimeoutMs: 10_000,
      consumer: { sessionTimeout: 6000, heartbeatInterval: 500, maxWaitTimeInMs: 200 },
      logger: { log: () => undefined, warn: () => undefined, error: () => undefined },
    });
    workers.push(worker);
    return worker;
  }

  /**
   * One partition: a `slow` fire (its handler waits 4 s), then, once it runs, 20 `fast` fires
   * produced one by one. Returns when every outcome is in and the group committed them all.
   */
  async function slowThenFast(pipeline: boolean) {
    const topics = await kafka.freshTopics(1);
    const results = await kafka.readResults(topics.results);
    const worker = newWorker(topics, pipeline);
    let slowStartedAt: number | undefined;
    let slowFinishedAt: number | undefined;
    const fastStartedAt = new Map<string, number>();
    worker.addTaskHandler('slow', async () => {
      slowStartedAt = Date.now();
      await sleep(SLOW_MS);
      slowFinishedAt = Date.now();
    });
    worker.addTaskHandler('fast', (_t, _d, msgId) => void fastStartedAt.set(msgId, Date.now()));
    await worker.start();

    const [slow] = await kafka.produce(topics.tasks, [{ tag: 'slow' }]);
    await waitFor('the slow handler to start', () => slowStartedAt !== undefined);
    const fast: { messageId: string; producedAt: number }[] = [];
    for (let i = 0; i < FAST_FIRES; i++) {
      const producedAt = Date.now();
      const [fire] = await kafka.produce(topics.tasks, [{ tag: 'fast', data: String(i) }]);
      fast.push({ messageId: fire!.messageId, producedAt });
    }

    const all = [slow!.messageId, ...fast.map((f) => f.messageId)];
    for (const id of all) await results.outcome(id);
    await kafka.waitCommitted(topics.group, topics.tasks, FAST_FIRES + 1);
    for (const id of all) {
      expect(results.outcomes(id).map((o) => o.result)).toEqual(['succeeded']);
    }
    expect(results.outcomes()).toHaveLength(FAST_FIRES + 1);

    const delays = fast.map((f) => fastStartedAt.get(f.messageId)! - f.producedAt);
    const startedAt = fast.map((f) => fastStartedAt.get(f.messageId)!);
    return { delays, startedAt, slowFinishedAt: slowFinishedAt! };
  }

  it('pipeline: true starts fast fires at once while a slow fire of the same partition runs', async () => {
    const { delays, startedAt, slowFinishedAt } = await slowThenFast(true);
    for (const delay of delays) expect(delay).toBeLessThan(1000);
    for (const at of startedAt) expect(at).toBeLessThan(slowFinishedAt);
  });

  it('pipeline: false makes the fast fires wait for the slow one (what the option removes)', async () => {
    const { delays, startedAt, slowFinishedAt } = await slowThenFast(false);
    for (const at of startedAt) expect(at).toBeGreaterThanOrEqual(slowFinishedAt);
    expect(Math.max(...delays)).toBeGreaterThan(1000);
  });

  it('pipeline: true stop() stops fetching, waits for the running handler, commits it, then leaves', async () => {
    const topics = await kafka.freshTopics(1);
    const results = await kafka.readResults(topics.results);
    const worker = newWorker(topics, true);
    let started = false;
    let finished = false;
    worker.addTaskHandler('long', async (_t, _d, _m, ctx) => {
      started = true;
      await sleep(2000);
      finished = !ctx.signal.aborted;
    });
    await worker.start();
    const [fire] = await kafka.produce(topics.tasks, [{ tag: 'long' }]);
    await waitFor('the handler to start', () => started);

    await worker.stop();
    expect(finished).toBe(true);
    expect(await kafka.committed(topics.group, topics.tasks)).toBe(1);
    expect((await results.outcome(fire!.messageId)).result).toBe('succeeded');
  });
});
