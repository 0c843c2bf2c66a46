import { WORKER_EVENT_VERSION } from '@task-center/contracts';
import { type Admin, type Producer } from 'kafkajs';
import { randomBytes } from 'node:crypto';
import { CenterFleet, dropDatabase, isRunning, type RunningCenter } from './support/center-fleet';
import { type RunsWorkerProcess, spawnReadyWorker } from './support/runs-spawn';
import { mongoUriFor, stackEnv, uniqueName, waitFor } from './support/stack';
import { testKafka } from './support/worker-kafka';

interface FireView {
  state: string;
  attempts: { attempt: number; outcomes: { result: string }[] }[];
}

const FLAKY = 'ns.flaky'; // throws at attempts 1 and 2, succeeds at 3

/** A center on its own database; topic and group names come from `extra` (or the defaults). */
function centerEnv(database: string, extra: Record<string, string>): Record<string, string> {
  return {
    MONGODB_URI: mongoUriFor(database),
    KAFKA_BROKERS: stackEnv().kafkaBrokers.join(','),
    HTTP_TARGETS_ENABLED: 'false',
    KAFKA_TOPIC_PARTITIONS: '2',
    STARTUP_TIMEOUT_S: '20',
    RUNS_ACK_GRACE_S: '5',
    RUNS_CONSUMER_SESSION_TIMEOUT_S: '6',
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

const topicsOf = (ns: string) => ({
  tasks: `${ns}.task-center.tasks`,
  results: `${ns}.task-center.results`,
  deadLetter: `${ns}.task-center.dead-letter`,
  http: `${ns}.task-center.http`,
});

async function foreignCount(center: RunningCenter): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${center.port}/metrics`)).text();
  const m = /^task_center_foreign_outcomes_total (\d+)/m.exec(text);
  if (!m) throw new Error('no task_center_foreign_outcomes_total in /metrics');
  return Number(m[1]);
}

describe('two deployments (two databases) on one Kafka cluster', () => {
  const fleet = new CenterFleet({});
  const databases: string[] = [];
  const topics: string[] = [];
  const workers: RunsWorkerProcess[] = [];
  let admin: Admin;
  let producer: Producer;

  const database = () => {
    const name = uniqueName('ns').replace(/-/g, '_');
    databases.push(name);
    return name;
  };

  beforeAll(async () => {
    const kafka = testKafka('namespace-e2e');
    admin = kafka.admin();
    producer = kafka.producer();
    await admin.connect();
    await producer.connect();
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await fleet.cleanup();
    await admin?.deleteTopics({ topics }).catch(() => undefined);
    await admin?.disconnect();
    await producer?.disconnect();
    await Promise.all(databases.map((d) => dropDatabase(mongoUriFor(d))));
  });

  it('without a namespace, the second refuses to start in one line naming the group, the other deployment and both ways out', async () => {
    // The defaults, as two deployments share them (names of their own: the stack is shared).
    const shared = uniqueName('shared');
    const names = {
      KAFKA_TOPIC_TASKS: `${shared}.tasks`,
      KAFKA_TOPIC_RESULTS: `${shared}.results`,
      KAFKA_TOPIC_DEAD_LETTER: `${shared}.dead-letter`,
      KAFKA_TOPIC_HTTP: `${shared}.http`,
      RUNS_RESULTS_GROUP: `${shared}-results`,
    };
    topics.push(names.KAFKA_TOPIC_TASKS, names.KAFKA_TOPIC_RESULTS);
    topics.push(names.KAFKA_TOPIC_DEAD_LETTER, names.KAFKA_TOPIC_HTTP);
    const dbA = database();
    const dbB = database();
    const a = await fleet.start('production', centerEnv(dbA, names));
    await waitFor(
      'the first center to be a member of its results group',
      async () => {
        const { groups } = await admin.describeGroups([names.RUNS_RESULTS_GROUP]);
        return groups[0]!.members.some((m) => m.clientId.includes(`db=${dbA}`));
      },
      { timeoutMs: 45_000, intervalMs: 250 },
    );

    await expect(fleet.start('staging', centerEnv(dbB, names))).rejects.toThrow(/exited with 1/);
    const b = fleet.started.find((c) => c.label === 'staging')!;
    const line = b.proc
      .output()
      .stderr.split('\n')
      .find((l) => l.startsWith('task-center: '));
    expect(line).toMatch(
      new RegExp(
        `^task-center: startup failed: consumer group ${names.RUNS_RESULTS_GROUP} is in use by another task center deployment \\([0-9a-f]+, database ${dbA}; this one is [0-9a-f]+, database ${dbB}\\)`,
      ),
    );
    expect(line).toContain('TASK_CENTER_NAMESPACE');
    expect(line).toContain('RUNS_RESULTS_GROUP');
    expect(isRunning(a)).toBe(true);
    expect(await a.api.healthy()).toBe(true);
  }, 120_000);

  it('with a namespace each, both run side by side; each gets all and only its own outcomes (3 attempts each); a foreign outcome is counted and logged', async () => {
    const nsA = uniqueName('prod');
    const nsB = uniqueName('staging');
    for (const ns of [nsA, nsB]) topics.push(...Object.values(topicsOf(ns)));
    const [a, b] = await Promise.all([
      fleet.start('ns-a', centerEnv(database(), { TASK_CENTER_NAMESPACE: nsA })),
      fleet.start('ns-b', centerEnv(database(), { TASK_CENTER_NAMESPACE: nsB })),
    ]);
    const [workerA, workerB] = await Promise.all(
      [nsA, nsB].map((ns) => spawnReadyWorker(topicsOf(ns), { [FLAKY]: 3 }, `${ns}-worker`)),
    );
    workers.push(workerA!, workerB!);

    const flaky = { name: FLAKY, type: 1, data: '{}' };
    const retry = { max_attempts: 5, backoff: 'fixed', delay: 1 };
    const [taskA, taskB] = await Promise.all([
      a.api.createTask({ ...flaky, retry }),
      b.api.createTask({ ...flaky, retry }),
    ]);
    for (const [center, taskid] of [
      [a, taskA],
      [b, taskB],
    ] as const) {
      const fire = await waitFor(
        `the flaky fire on ${center.label} to succeed`,
        async () => {
          const [f] = await center.api.call<FireView[]>('GET', '/v1/api/task-runs', {
            query: { taskid },
          });
          return f?.state === 'succeeded' && f;
        },
        { timeoutMs: 60_000, intervalMs: 300 },
      );
      expect(fire.attempts.map((x) => [x.attempt, x.outcomes.map((o) => o.result)])).toEqual([
        [1, ['failed']],
        [2, ['failed']],
        [3, ['succeeded']],
      ]);
    }
    expect(workerA!.calls(FLAKY).map((c) => c.attempt)).toEqual([1, 2, 3]);
    expect(workerB!.calls(FLAKY).map((c) => c.attempt)).toEqual([1, 2, 3]);
    expect(await foreignCount(a)).toBe(0);
    expect(await foreignCount(b)).toBe(0);

    // An outcome for a task A's database does not know, on A's results topic.
    const taskId = randomBytes(12).toString('hex');
    // One instant for both: a messageId that disagrees with scheduledAt is malformed.
    const scheduledAt = Date.now();
    const messageId = `${taskId}:${scheduledAt}:1`;
    await producer.send({
      topic: topicsOf(nsA).results,
      messages: [
        {
          key: taskId,
          headers: { 'tc-event': 'outcome' },
          value: JSON.stringify({
            kind: 'outcome',
            v: WORKER_EVENT_VERSION,
            messageId,
            taskId,
            tag: FLAKY,
            attempt: 1,
            scheduledAt,
            result: 'failed',
            error: 'from another deployment',
            startedAt: Date.now(),
            durationMs: 1,
            worker: { id: 'elsewhere', group: 'elsewhere', host: 'test', pid: process.pid },
          }),
        },
      ],
    });
    await waitFor('the foreign outcome to be counted', async () => (await foreignCount(a)) === 1, {
      timeoutMs: 20_000,
      intervalMs: 200,
    });
    expect(fleet.stdoutLines(/does not know/)).toContain(messageId);
    expect(await foreignCount(b)).toBe(0);
    // Not recorded as a run: the task is not this database's.
    const runs = await a.api.call<FireView[]>('GET', '/v1/api/task-runs', {
      query: { taskid: taskId },
    });
    expect(runs).toEqual([]);
  }, 180_000);
});
