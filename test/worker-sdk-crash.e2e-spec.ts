import { acquireStackLock } from './support/stack-control';
import { stackEnv, waitFor } from './support/stack';
import { WorkerTestKafka } from './support/worker-kafka';
import { spawnWorker, type WorkerProcess } from './support/worker-spawn';

describe('worker SDK: a worker process killed mid-handler (real processes, real Kafka)', () => {
  let kafka: WorkerTestKafka;
  let releaseLock: (() => void) | undefined;
  const processes: WorkerProcess[] = [];

  beforeAll(async () => {
    releaseLock = await acquireStackLock('test/worker-sdk-crash.e2e-spec.ts');
    kafka = new WorkerTestKafka();
    await kafka.connect();
  });

  afterAll(async () => {
    try {
      for (const p of processes) if (p.child.exitCode === null) p.child.kill('SIGKILL');
      await kafka?.close();
    } finally {
      releaseLock?.();
    }
  });

  it('leaves the fire uncommitted on SIGKILL; the next worker of the group runs it once and commits', async () => {
    const topics = await kafka.freshTopics();
    const results = await kafka.readResults(topics.results);
    const spec = {
      brokers: stackEnv().kafkaBrokers,
      groupId: topics.group,
      topic: topics.tasks,
      resultsTopic: topics.results,
    };

    const doomed = spawnWorker({ ...spec, mode: 'hang' });
    processes.push(doomed);
    await doomed.waitForLine('READY');
    const [fire] = await kafka.produce(topics.tasks, [{ tag: 'crash.me' }]);
    await doomed.waitForLine(`RUN ${fire!.messageId}`);
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    expect(await kafka.committed(topics.group, topics.tasks)).toBe(-1);

    const next = spawnWorker({ ...spec, mode: 'ok' });
    processes.push(next);
    const outcome = await results.outcome(fire!.messageId, 1, 60_000);
    expect(outcome).toMatchObject({ result: 'succeeded', worker: { pid: next.child.pid } });
    await kafka.waitCommitted(topics.group, topics.tasks, 1);

    next.child.kill('SIGTERM');
    expect(await next.exited).toBe(0);
    expect(next.lines().filter((l) => l.startsWith('RUN '))).toEqual([`RUN ${fire!.messageId}`]);
    expect(results.outcomes()).toHaveLength(1);
    await waitFor('the stopping heartbeat of the second worker', () =>
      results.heartbeats().some((h) => h.stopping && h.worker.pid === next.child.pid),
    );
  });
});
