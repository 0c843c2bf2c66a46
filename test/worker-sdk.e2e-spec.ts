import { type FireContext, TaskWorker, type TaskWorkerOptions } from '@task-center/client';
import { acquireStackLock } from './support/stack-control';
import { waitFor } from './support/stack';
import { testKafka, WorkerTestKafka } from './support/worker-kafka';

/** Lets time pass for a negative check ("still not committed"); never to wait for an event. */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

interface Call {
  taskId: string;
  data: string;
  msgId: string;
  ctx: FireContext;
}

describe('worker SDK: TaskWorker against the real Kafka broker', () => {
  let kafka: WorkerTestKafka;
  let releaseLock: (() => void) | undefined;
  let workers: TaskWorker[] = [];

  beforeAll(async () => {
    releaseLock = await acquireStackLock('test/worker-sdk.e2e-spec.ts');
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

  /** A worker on the test's topics, quick to join and to notice a dead member. */
  function newWorker(
    topics: { tasks: string; results: string; group: string },
    options: Partial<TaskWorkerOptions> = {},
  ): { worker: TaskWorker; logs: string[] } {
    const logs: string[] = [];
    const worker = new TaskWorker({
      kafka: testKafka('sdk-worker'),
      groupId: topics.group,
      topic: topics.tasks,
      resultsTopic: topics.results,
      fromBeginning: true,
      drainTimeoutMs: 10_000,
      consumer: { sessionTimeout: 6000, heartbeatInterval: 500, maxWaitTimeInMs: 200 },
      logger: {
        log: (m) => logs.push(`log ${m}`),
        warn: (m) => logs.push(`warn ${m}`),
        error: (m) => logs.push(`error ${m}`),
      },
      ...options,
    });
    workers.push(worker);
    return { worker, logs };
  }

  it("routes 'tag', 'a||b' and '*', and reports each success with the worker's identity", async () => {
    const topics = await kafka.freshTopics();
    const results = await kafka.readResults(topics.results);
    const calls: Record<string, Call[]> = { billing: [], ab: [], any: [] };
    const record =
      (into: Call[]) => (taskId: string, data: string, msgId: string, ctx: FireContext) =>
        void into.push({ taskId, data, msgId, ctx });
    const { worker } = newWorker(topics, { heartbeatIntervalMs: 500 });
    worker
      .addTaskHandler('billing', record(calls.billing!))
      .addTaskHandler('a||b', record(calls.ab!))
      .addTaskHandler('*', record(calls.any!));
    await worker.start();

    const scheduledAt = Date.now() - 1000;
    const fires = await kafka.produce(topics.tasks, [
      { tag: 'billing', data: '{"n":1}', scheduledAt, attempt: 3, maxRuntime: 60 },
      { tag: 'a' },
      { tag: 'b' },
      { tag: 'reports.daily' },
    ]);
    for (const f of fires) await results.outcome(f.messageId);

    expect(calls.billing!.map((c) => c.msgId)).toEqual([fires[0]!.messageId]);
    expect(calls.ab!.map((c) => c.ctx.tag)).toEqual(['a', 'b']);
    expect(calls.any!.map((c) => c.ctx.tag)).toEqual(['reports.daily']);

    const billing = calls.billing![0]!;
    expect(billing).toMatchObject({ taskId: fires[0]!.taskId, data: '{"n":1}' });
    expect(billing.ctx).toMatchObject({
      attempt: 3,
      scheduledAt,
      maxRuntime: 60,
      tag: 'billing',
      ack: false,
    });
    expect(billing.ctx.headers['tc-message-id']).toBe(fires[0]!.messageId);
    expect(billing.ctx.signal.aborted).toBe(false);

    const outcome = results.outcomes(fires[0]!.messageId)[0]!;
    expect(outcome).toMatchObject({
      kind: 'outcome',
      v: 1,
      taskId: fires[0]!.taskId,
      tag: 'billing',
      attempt: 3,
      scheduledAt,
      result: 'succeeded',
      worker: { id: worker.identity.id, group: topics.group, pid: process.pid, sdk: '0.1.0' },
    });
    expect(outcome.error).toBeUndefined();
    expect(outcome.durationMs).toBeGreaterThanOrEqual(0);
    const read = results.events.find(
      (e) => e.event.kind === 'outcome' && e.event.messageId === fires[0]!.messageId,
    )!;
    expect(read).toMatchObject({ key: fires[0]!.taskId, kindHeader: 'outcome' });

    await kafka.waitCommitted(topics.group, topics.tasks, 4);
    const beats = await waitFor('two heartbeats', () => {
      const got = results.heartbeats();
      return got.length >= 2 && got;
    });
    expect(beats[0]).toMatchObject({
      kind: 'heartbeat',
      worker: { id: worker.identity.id, group: topics.group },
      tags: ['a', 'b', 'billing', '*'],
      intervalMs: 500,
    });
    expect(beats[0]!.stopping).toBeUndefined();
  });

  it('skips and commits tags it has no handler for, and malformed messages, without outcomes', async () => {
    const topics = await kafka.freshTopics();
    const results = await kafka.readResults(topics.results);
    const first = newWorker(topics);
    const mine: string[] = [];
    first.worker.addTaskHandler('mine', (_t, _d, msgId) => void mine.push(msgId));
    await first.worker.start();

    const [theirs] = await kafka.produce(topics.tasks, [{ tag: 'theirs' }]);
    await kafka.produceRaw(topics.tasks, 'no headers at all');
    const [own] = await kafka.produce(topics.tasks, [{ tag: 'mine' }]);
    await results.outcome(own!.messageId);
    await kafka.waitCommitted(topics.group, topics.tasks, 3);
    expect(mine).toEqual([own!.messageId]);
    expect(results.outcomes(theirs!.messageId)).toEqual([]);
    const malformed = first.logs.filter((l) => l.includes('malformed'));
    expect(malformed).toHaveLength(1);
    expect(malformed[0]).toContain('missing header tc-tag');
    await first.worker.stop();

    // A restarted worker of the same group that takes every tag does not see them again.
    const second = newWorker(topics);
    const seen: string[] = [];
    second.worker.addTaskHandler('*', (_t, _d, msgId) => void seen.push(msgId));
    await second.worker.start();
    const [marker] = await kafka.produce(topics.tasks, [{ tag: 'marker' }]);
    await results.outcome(marker!.messageId);
    expect(seen).toEqual([marker!.messageId]);
  });

  it('reports a thrown error as a failed outcome with its (bounded) message, then commits', async () => {
    const topics = await kafka.freshTopics();
    const results = await kafka.readResults(topics.results);
    const { worker } = newWorker(topics);
    worker.addTaskHandler('boom', (_t, data) => {
      throw new Error(data === 'long' ? 'x'.repeat(5000) : 'card declined');
    });
    await worker.start();

    const [short, long] = await kafka.produce(topics.tasks, [
      { tag: 'boom', data: 'short' },
      { tag: 'boom', data: 'long' },
    ]);
    const failed = await results.outcome(short!.messageId);
    expect(failed).toMatchObject({ result: 'failed', error: 'card declined', attempt: 1 });
    expect(failed.timedOut).toBeUndefined();
    const truncated = await results.outcome(long!.messageId);
    expect(truncated.error).toHaveLength(2000);
    await kafka.waitCommitted(topics.group, topics.tasks, 2);
  });

  it('fails a handler past max_runtime as timedOut, aborts its signal, and never reports it succeeded', async () => {
    const topics = await kafka.freshTopics();
    const results = await kafka.readResults(topics.results);
    const { worker } = newWorker(topics);
    let signal: AbortSignal | undefined;
    let lateFinish = false;
    worker.addTaskHandler('slow', async (_t, _d, _m, ctx) => {
      signal = ctx.signal;
      await sleep(3000); // ignores the signal on purpose: the SDK cannot kill it
      lateFinish = true;
    });
    worker.addTaskHandler('marker', () => undefined);
    await worker.start();

    const [slow] = await kafka.produce(topics.tasks, [{ tag: 'slow', maxRuntime: 1 }]);
    const outcome = await results.outcome(slow!.messageId);
    expect(outcome).toMatchObject({ result: 'failed', timedOut: true });
    expect(outcome.error).toContain('max_runtime (1 s)');
    expect(outcome.durationMs).toBeGreaterThanOrEqual(1000);
    expect(outcome.durationMs).toBeLessThan(3000);
    expect(signal?.aborted).toBe(true);
    await kafka.waitCommitted(topics.group, topics.tasks, 1);

    // When the function finally returns, nothing is reported for it.
    await waitFor('the timed-out handler to return', () => lateFinish);
    const [marker] = await kafka.produce(topics.tasks, [{ tag: 'marker' }]);
    await results.outcome(marker!.messageId);
    expect(results.outcomes(slow!.messageId)).toHaveLength(1);
  });

  it('runs a duplicate message id once, also when it arrives during the first run, but reruns a failed one', async () => {
    const topics = await kafka.freshTopics();
    const results = await kafka.readResults(topics.results);
    const { worker } = newWorker(topics, { concurrency: 4 });
    const runs: string[] = [];
    const gate = deferred();
    let failNext = true;
    worker.addTaskHandler('dup', async (_t, data, msgId) => {
      runs.push(msgId);
      if (data === 'gated') await gate.promise;
      if (data === 'flaky' && failNext) {
        failNext = false;
        throw new Error('first run fails');
      }
    });
    await worker.start();

    const taskId = 'a'.repeat(24);
    const fire = (messageId: string, data: string) => ({ tag: 'dup', taskId, messageId, data });
    // Two copies arrive while the first still runs (concurrency 4 lets the second start).
    await kafka.produce(topics.tasks, [fire('m-gated', 'gated'), fire('m-gated', 'gated')]);
    await waitFor('the first run to start', () => runs.length === 1);
    gate.resolve();
    await results.outcome('m-gated');
    // A copy after the success, and a flaky fire delivered twice.
    await kafka.produce(topics.tasks, [fire('m-gated', 'gated'), fire('m-flaky', 'flaky')]);
    await results.outcome('m-flaky');
    await kafka.produce(topics.tasks, [fire('m-flaky', 'flaky')]);
    await results.outcome('m-flaky', 2);
    await kafka.waitCommitted(topics.group, topics.tasks, 5);

    expect(runs).toEqual(['m-gated', 'm-flaky', 'm-flaky']);
    expect(results.outcomes('m-gated').map((o) => o.result)).toEqual(['succeeded']);
    expect(results.outcomes('m-flaky').map((o) => o.result)).toEqual(['failed', 'succeeded']);
  });

  it('does not commit while the outcome cannot be published, and commits once it is', async () => {
    // No results topic yet: the worker may not create it, so every publish fails.
    const topics = await kafka.freshTopics(1, { createResults: false });
    const { worker, logs } = newWorker(topics);
    let ran = 0;
    worker.addTaskHandler('job', () => void ran++);
    await worker.start();
    const [fire] = await kafka.produce(topics.tasks, [{ tag: 'job' }]);

    await waitFor('the handler to run', () => ran === 1);
    await waitFor('a failed publish to be logged', () =>
      logs.some((l) => l.includes('publishing the outcome')),
    );
    await sleep(3000);
    expect(await kafka.committed(topics.group, topics.tasks)).toBe(-1);

    await kafka.createTopic(topics.results);
    const results = await kafka.readResults(topics.results);
    const outcome = await results.outcome(fire!.messageId, 1, 60_000);
    expect(outcome.result).toBe('succeeded');
    await kafka.waitCommitted(topics.group, topics.tasks, 1);
    expect(ran).toBe(1);
  });

  it('runs up to `concurrency` handlers of one partition at once, committing only the finished prefix', async () => {
    const topics = await kafka.freshTopics();
    const results = await kafka.readResults(topics.results);
    const { worker } = newWorker(topics, { concurrency: 3 });
    const holdFirst = deferred();
    const holdNext = deferred();
    const started: string[] = [];
    worker.addTaskHandler('work', async (_t, data) => {
      started.push(data);
      if (data === 'first') await holdFirst.promise;
      if (data === 'second' || data === 'third') await holdNext.promise;
    });
    await worker.start();

    const fires = await kafka.produce(
      topics.tasks,
      ['first', 'second', 'third', 'fourth'].map((data) => ({ tag: 'work', data })),
    );
    await waitFor('three handlers in flight', () => started.length === 3);
    await sleep(1000);
    expect(started).toEqual(['first', 'second', 'third']); // the fourth waits for a slot

    // Offsets 1-3 finish while offset 0 is held: their outcomes go out, no commit moves.
    holdNext.resolve();
    for (const f of fires.slice(1)) await results.outcome(f.messageId);
    expect(started).toEqual(['first', 'second', 'third', 'fourth']);
    await sleep(1500);
    expect(await kafka.committed(topics.group, topics.tasks)).toBe(-1);

    holdFirst.resolve();
    await results.outcome(fires[0]!.messageId);
    await kafka.waitCommitted(topics.group, topics.tasks, 4);
  });

  it('runs one handler at a time per partition by default', async () => {
    const topics = await kafka.freshTopics();
    const results = await kafka.readResults(topics.results);
    const { worker } = newWorker(topics);
    let inFlight = 0;
    let maxInFlight = 0;
    const order: string[] = [];
    worker.addTaskHandler('seq', async (_t, data) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await sleep(100);
      order.push(data);
      inFlight--;
    });
    await worker.start();
    const fires = await kafka.produce(
      topics.tasks,
      ['1', '2', '3', '4'].map((data) => ({ tag: 'seq', data })),
    );
    await results.outcome(fires[3]!.messageId);
    expect(order).toEqual(['1', '2', '3', '4']);
    expect(maxInFlight).toBe(1);
  });

  it('stop() lets an in-flight handler finish, publishes and commits it, then says it is stopping', async () => {
    const topics = await kafka.freshTopics();
    const results = await kafka.readResults(topics.results);
    const { worker } = newWorker(topics);
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
    // stop() returned after the outcome and the commit, not before.
    expect(await kafka.committed(topics.group, topics.tasks)).toBe(1);
    const outcome = await results.outcome(fire!.messageId);
    expect(outcome.result).toBe('succeeded');
    const last = await waitFor('the stopping heartbeat', () =>
      results.heartbeats().find((h) => h.stopping === true),
    );
    expect(last.worker.id).toBe(worker.identity.id);
    expect(results.outcomes()).toHaveLength(1);
  });

  it('stop() leaves a handler that outlives drainTimeoutMs uncommitted, with its signal aborted', async () => {
    const topics = await kafka.freshTopics();
    const results = await kafka.readResults(topics.results);
    const { worker } = newWorker(topics, { drainTimeoutMs: 500 });
    let signal: AbortSignal | undefined;
    worker.addTaskHandler('stuck', (_t, _d, _m, ctx) => {
      signal = ctx.signal;
      return new Promise(() => undefined);
    });
    await worker.start();
    await kafka.produce(topics.tasks, [{ tag: 'stuck' }]);
    await waitFor('the handler to start', () => signal);

    await worker.stop();
    expect(signal!.aborted).toBe(true);
    expect(await kafka.committed(topics.group, topics.tasks)).toBe(-1);
    expect(results.outcomes()).toEqual([]);
  });

  it('refuses a second handler for a tag, handlers after start, and start without handlers', async () => {
    const topics = await kafka.freshTopics();
    const { worker } = newWorker(topics);
    await expect(worker.start()).rejects.toThrow('add a task handler before start()');

    const other = newWorker(topics).worker;
    other.addTaskHandler('a||b', () => undefined);
    expect(() => other.addTaskHandler('b', () => undefined)).toThrow(
      "TaskWorker: a handler for tag 'b' is already registered",
    );
    await other.start();
    expect(() => other.addTaskHandler('c', () => undefined)).toThrow('after start()');
  });
});
