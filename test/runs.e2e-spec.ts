import { ApiCallError, type ApiClient } from './support/api-client';
import { CenterFleet, type RunningCenter } from './support/center-fleet';
import { FireConsumer } from './support/fire-consumer';
import { type HandlerCall, type RunsWorkerProcess, spawnRunsWorker } from './support/runs-spawn';
import { acquireStackLock } from './support/stack-control';
import { testKafka } from './support/worker-kafka';
import { isolatedEnv, stackEnv, waitFor } from './support/stack';

/** Lets time pass for a negative check ("no further call"); never to wait for an event. */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface FireView {
  fire_id: string;
  state: string;
  scheduled_at_ms: number;
  attempts: {
    attempt: number;
    message_id: string;
    published_at_ms?: number;
    outcomes: { result: string; error?: string; worker?: { id: string } }[];
  }[];
  last_error?: string;
}

interface DeadLetterView {
  message_id: string;
  fire_id: string;
  name: string;
  attempts: number;
  last_error: string;
}

const TAGS = {
  flaky: 'runs.flaky', // throws at attempts 1 and 2
  broken: 'runs.broken', // always throws
  redrive: 'runs.redrive', // throws at 1 and 2, succeeds from 3 (only reachable by a redrive)
  kill: 'runs.kill', // throws at 1
  nobody: 'runs.nobody', // no handler anywhere
  ok: 'runs.ok', // always succeeds
};

/** Gaps between consecutive calls, in ms. */
const gaps = (calls: HandlerCall[]) => calls.slice(1).map((c, i) => c.at - calls[i]!.at);

describe('runs: outcomes, redelivery with backoff, dead letters, ack deadlines (real SDK worker)', () => {
  let releaseLock: (() => void) | undefined;
  let env: Record<string, string>;
  let fleet: CenterFleet;
  let center: RunningCenter;
  let api: ApiClient;
  let worker: RunsWorkerProcess;
  let deadLetters: FireConsumer;

  beforeAll(async () => {
    releaseLock = await acquireStackLock('test/runs.e2e-spec.ts');
    env = isolatedEnv({ RUNS_ACK_GRACE_S: '1', RUNS_CONSUMER_SESSION_TIMEOUT_S: '6' });
    const prefix = env.KAFKA_TOPIC_TASKS!.replace(/\.tasks$/, '');
    env.RUNS_RESULTS_GROUP = `${prefix}-results`;
    fleet = new CenterFleet(env);
    center = await fleet.start('a');
    api = center.api;
    deadLetters = await FireConsumer.start(stackEnv().kafkaBrokers, [env.KAFKA_TOPIC_DEAD_LETTER!]);
    worker = spawnRunsWorker({
      brokers: stackEnv().kafkaBrokers,
      groupId: `${prefix}-worker`,
      topic: env.KAFKA_TOPIC_TASKS,
      resultsTopic: env.KAFKA_TOPIC_RESULTS,
      succeedFrom: {
        [TAGS.flaky]: 3,
        [TAGS.broken]: 0,
        [TAGS.redrive]: 3,
        [TAGS.kill]: 2,
        [TAGS.ok]: 1,
      },
    });
    await waitFor(
      `the worker to start (${worker.output()})`,
      () => worker.output().includes('READY'),
      {
        timeoutMs: 60_000,
      },
    );
  }, 120_000);

  afterAll(async () => {
    try {
      await worker?.stop();
      await deadLetters?.stop();
      for (const c of fleet?.started ?? []) await fleet.stop(c, 'SIGKILL');
    } finally {
      releaseLock?.();
    }
  });

  const runsOf = (taskid: string) =>
    api.call<FireView[]>('GET', '/v1/api/task-runs', { query: { taskid } });
  const fireOf = (fireId: string) =>
    api.call<FireView>('GET', '/v1/api/fire-attempts', { query: { fire_id: fireId } });
  const deadList = () => api.call<DeadLetterView[]>('GET', '/v1/api/dead-letters');
  const oneShot = (name: string, extra: Record<string, unknown>) =>
    api.createTask({ name, type: 1, data: `{"tag":"${name}"}`, ...extra });
  const stateIs = (taskid: string, state: string) => async () => {
    const [fire] = await runsOf(taskid);
    return fire?.state === state && fire;
  };

  it('a handler that throws twice is called exactly 3 times, attempts 1,2,3 at the fixed backoff; the history shows it', async () => {
    const taskid = await oneShot(TAGS.flaky, {
      retry: { max_attempts: 5, backoff: 'fixed', delay: 3 },
    });
    const fire = await waitFor('the flaky fire to succeed', stateIs(taskid, 'succeeded'), {
      timeoutMs: 60_000,
      intervalMs: 300,
    });
    const calls = worker.calls(TAGS.flaky);
    expect(calls.map((c) => c.attempt)).toEqual([1, 2, 3]);
    for (const gap of gaps(calls)) {
      expect(gap).toBeGreaterThanOrEqual(2000);
      // Fixed 3 s plus slack for a loaded machine; an exponential second gap (6 s) still fails.
      expect(gap).toBeLessThanOrEqual(5500);
    }
    expect(fire.attempts.map((a) => [a.attempt, a.outcomes.map((o) => o.result)])).toEqual([
      [1, ['failed']],
      [2, ['failed']],
      [3, ['succeeded']],
    ]);
    expect(fire.attempts[0]!.outcomes[0]!.error).toContain('refuses attempt 1');
    expect(fire.attempts.every((a) => a.published_at_ms !== undefined)).toBe(true);
    expect(fire.attempts[2]!.outcomes[0]!.worker?.id).toBeTruthy();
    // Nothing more comes: one backoff period and some.
    await sleep(4500);
    expect(worker.calls(TAGS.flaky)).toHaveLength(3);
    expect(await fireOf(fire.fire_id)).toEqual(fire);
  }, 90_000);

  it('a handler that always throws ends dead after max_attempts: dead-letter topic and API', async () => {
    const taskid = await oneShot(TAGS.broken, {
      retry: { max_attempts: 3, backoff: 'fixed', delay: 2 },
    });
    await waitFor('the broken fire to be dead', stateIs(taskid, 'dead'), {
      timeoutMs: 60_000,
      intervalMs: 300,
    });
    expect(worker.calls(TAGS.broken).map((c) => c.attempt)).toEqual([1, 2, 3]);
    const letter = (await deadList()).find((d) => d.fire_id.startsWith(`${taskid}:`));
    expect(letter).toMatchObject({ name: TAGS.broken, attempts: 3 });
    expect(letter!.message_id).toMatch(new RegExp(`^${taskid}:\\d+:3$`));
    expect(letter!.last_error).toContain('refuses attempt 3');
    const onTopic = await waitFor('the dead letter on the topic', () =>
      deadLetters.messages.find((m) => m.headers['tc-task-id'] === taskid),
    );
    expect(onTopic.headers).toMatchObject({
      'tc-tag': TAGS.broken,
      'tc-message-id': letter!.message_id,
      'tc-attempt': '3',
    });
    expect(onTopic.headers['tc-error']).toContain('refuses attempt 3');
    expect(onTopic.value?.toString()).toBe(`{"tag":"${TAGS.broken}"}`);
    await sleep(2500);
    expect(worker.calls(TAGS.broken)).toHaveLength(3);
  }, 90_000);

  it('redrive sends a dead fire again as its next attempt; a second redrive is refused', async () => {
    const taskid = await oneShot(TAGS.redrive, {
      retry: { max_attempts: 2, backoff: 'fixed', delay: 1 },
    });
    await waitFor('the redrive fire to be dead', stateIs(taskid, 'dead'), { timeoutMs: 60_000 });
    const letter = (await deadList()).find((d) => d.fire_id.startsWith(`${taskid}:`))!;
    const res = await api.call<{ message_id: string; attempt: number }>(
      'POST',
      '/v1/api/redrive-dead-letter',
      { body: { message_id: letter.message_id } },
    );
    expect(res.attempt).toBe(3);
    await waitFor('the redriven fire to succeed', stateIs(taskid, 'succeeded'), {
      timeoutMs: 30_000,
    });
    expect(worker.calls(TAGS.redrive).map((c) => c.attempt)).toEqual([1, 2, 3]);
    expect(worker.calls(TAGS.redrive)[2]!.messageId).toBe(res.message_id);
    expect((await deadList()).some((d) => d.message_id === letter.message_id)).toBe(false);
    const again = await api
      .call('POST', '/v1/api/redrive-dead-letter', { body: { message_id: letter.message_id } })
      .catch((e: unknown) => e);
    expect(again).toBeInstanceOf(ApiCallError);
    expect((again as ApiCallError).status).toBe(404);
    expect((again as ApiCallError).body).toMatchObject({ err: 40404 });
  }, 90_000);

  it('ack + max_runtime: a fire nobody handles times out, is redelivered, then dead', async () => {
    const taskid = await oneShot(TAGS.nobody, {
      ack: true,
      max_runtime: 2,
      retry: { max_attempts: 2, backoff: 'fixed', delay: 1 },
    });
    const fire = await waitFor('the unhandled fire to be dead', stateIs(taskid, 'dead'), {
      timeoutMs: 60_000,
      intervalMs: 300,
    });
    expect(fire.attempts.map((a) => [a.attempt, a.outcomes.map((o) => o.result)])).toEqual([
      [1, ['timeout']],
      [2, ['timeout', 'dead']],
    ]);
    // Attempt 2 was published at least max_runtime + grace after attempt 1, plus the backoff.
    const [a1, a2] = fire.attempts;
    expect(a2!.published_at_ms! - a1!.published_at_ms!).toBeGreaterThanOrEqual(3900);
    await waitFor('its dead letter on the topic', () =>
      deadLetters.messages.find((m) => m.headers['tc-message-id'] === `${fire.fire_id}:2`),
    );
  }, 90_000);

  it('malformed results events are skipped, logged once per kind, and do not stop the consumer', async () => {
    const producer = testKafka('runs-e2e-garbage').producer();
    await producer.connect();
    try {
      await producer.send({
        topic: env.KAFKA_TOPIC_RESULTS!,
        messages: [
          { value: 'not json' },
          { value: 'still not json' },
          { value: JSON.stringify({ v: 1, kind: 'outcome', worker: { id: 'w', group: 'g' } }) },
        ],
      });
    } finally {
      await producer.disconnect();
    }
    const lines = () =>
      (center.proc.output().stdout + center.proc.output().stderr)
        .split('\n')
        .filter((l) => l.includes('skipping malformed results event'));
    await waitFor('both kinds to be logged', () => lines().length >= 2);
    // The consumer goes on: a new fire of a handled tag still completes.
    const taskid = await oneShot(TAGS.flaky, {
      retry: { max_attempts: 3, backoff: 'fixed', delay: 1 },
    });
    await waitFor('a later fire to succeed', stateIs(taskid, 'succeeded'), { timeoutMs: 30_000 });
    expect(lines()).toHaveLength(2);
    expect(lines().join('\n')).toContain('value is not JSON');
    expect(lines().join('\n')).toContain('outcome: bad messageId');
  }, 60_000);

  it('stats count outcomes per day and name; workers are listed per tag', async () => {
    const stats = await api.call<{
      date: string;
      backlog: { tasks: number; redeliveries: number };
      totals: Record<string, number>;
      by_name: Record<string, Record<string, number>>;
    }>('GET', '/v1/api/run-stats');
    expect(stats.date).toBe(new Date().toISOString().slice(0, 10));
    expect(stats.by_name[TAGS.flaky]).toEqual({ succeeded: 2, failed: 4, timeout: 0, dead: 0 });
    expect(stats.by_name[TAGS.broken]).toEqual({ succeeded: 0, failed: 3, timeout: 0, dead: 1 });
    expect(stats.by_name[TAGS.nobody]).toEqual({ succeeded: 0, failed: 0, timeout: 2, dead: 1 });
    expect(stats.backlog).toEqual({ tasks: 0, redeliveries: 0 });
    const other = await api.call<typeof stats>('GET', '/v1/api/run-stats', {
      query: { date: '2001-01-01' },
    });
    expect(other.totals).toEqual({ succeeded: 0, failed: 0, timeout: 0, dead: 0 });

    const workers = await api.call<{
      workers: { id: string; alive: boolean; tags: string[] }[];
      by_tag: Record<string, string[]>;
    }>('GET', '/v1/api/workers');
    expect(workers.workers).toHaveLength(1);
    expect(workers.workers[0]).toMatchObject({ alive: true });
    expect(workers.by_tag[TAGS.flaky]).toEqual([workers.workers[0]!.id]);
    expect(workers.by_tag[TAGS.nobody]).toBeUndefined();
  }, 30_000);

  it('pages task runs and dead letters newest first with X-Next-Cursor', async () => {
    const get = async (path: string, query: Record<string, string>) => {
      const url = new URL(path, api.baseUrl);
      for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
      const res = await fetch(url);
      expect(res.status).toBe(200);
      return { body: (await res.json()) as unknown[], next: res.headers.get('x-next-cursor') };
    };
    const taskid = await api.createTask({
      name: TAGS.ok,
      type: 2,
      loop_time: 1,
      loop_count: 3,
      data: 'loop',
    });
    await waitFor(
      'three fires to succeed',
      async () => {
        const fires = await runsOf(taskid);
        return fires.length === 3 && fires.every((f) => f.state === 'succeeded');
      },
      { timeoutMs: 30_000, intervalMs: 300 },
    );
    const first = await get('/v1/api/task-runs', { taskid, limit: '2' });
    expect(first.body).toHaveLength(2);
    expect(first.next).toBeTruthy();
    const second = await get('/v1/api/task-runs', { taskid, limit: '2', cursor: first.next! });
    expect(second.body).toHaveLength(1);
    expect(second.next).toBeNull();
    const times = [...first.body, ...second.body].map((f) => (f as FireView).scheduled_at_ms);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(new Set(times).size).toBe(3);

    // Two dead letters exist now (broken, nobody): one per page.
    const d1 = await get('/v1/api/dead-letters', { limit: '1' });
    const d2 = await get('/v1/api/dead-letters', { limit: '1', cursor: d1.next! });
    expect([d1.body.length, d2.body.length, d2.next]).toEqual([1, 1, null]);
    expect((d1.body[0] as DeadLetterView).name).toBe(TAGS.nobody);
    expect((d2.body[0] as DeadLetterView).name).toBe(TAGS.broken);
  }, 60_000);

  it('rejects bad input with 4xx and the {err, msg} shape', async () => {
    const bad: [string, 'GET' | 'POST', Record<string, unknown>, number, number, string][] = [
      ['/v1/api/task-runs', 'GET', { taskid: 'nope' }, 400, 40001, 'taskid must be a task id'],
      [
        '/v1/api/task-runs',
        'GET',
        { taskid: '0123456789abcdef01234567', limit: 0 },
        400,
        40001,
        'limit',
      ],
      [
        '/v1/api/task-runs',
        'GET',
        { taskid: '0123456789abcdef01234567', cursor: 'x' },
        400,
        40001,
        'cursor',
      ],
      ['/v1/api/fire-attempts', 'GET', { fire_id: 'abc' }, 400, 40001, 'fire_id must be'],
      [
        '/v1/api/fire-attempts',
        'GET',
        { fire_id: '0123456789abcdef01234567:5' },
        404,
        40403,
        'no fire',
      ],
      ['/v1/api/dead-letters', 'GET', { limit: 501 }, 400, 40001, 'limit must be at most 500'],
      ['/v1/api/dead-letters', 'GET', { cursor: '1.2' }, 400, 40001, 'cursor'],
      ['/v1/api/run-stats', 'GET', { date: '2026-13-01' }, 400, 40001, 'date must be'],
      ['/v1/api/run-stats', 'GET', { date: '2026-02-30' }, 400, 40001, 'not a calendar day'],
      [
        '/v1/api/redrive-dead-letter',
        'POST',
        { message_id: 'x' },
        400,
        40001,
        'message_id must be',
      ],
      [
        '/v1/api/redrive-dead-letter',
        'POST',
        { message_id: '0123456789abcdef01234567:1:1', more: 1 },
        400,
        40001,
        'more',
      ],
      [
        '/v1/api/redrive-dead-letter',
        'POST',
        { message_id: '0123456789abcdef01234567:1:1' },
        404,
        40404,
        'no dead letter',
      ],
    ];
    for (const [path, method, params, status, err, msg] of bad) {
      const res = await api
        .call(
          method,
          path,
          method === 'GET' ? { query: params as Record<string, string> } : { body: params },
        )
        .catch((e: unknown) => e);
      expect(res).toBeInstanceOf(ApiCallError);
      const { status: got, body } = res as ApiCallError;
      expect({ path, params, got, body }).toMatchObject({ got: status, body: { err } });
      expect((body as { msg: string }).msg).toContain(msg);
    }
  }, 30_000);

  it('SIGKILL of the center between a failure and its redelivery still redelivers (durable timer)', async () => {
    const taskid = await oneShot(TAGS.kill, {
      retry: { max_attempts: 3, backoff: 'fixed', delay: 6 },
    });
    const failed = await waitFor(
      'attempt 1 to be recorded as failed',
      async () => {
        const [fire] = await runsOf(taskid);
        return fire?.attempts[0]?.outcomes.some((o) => o.result === 'failed') && fire;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    expect(failed.attempts).toHaveLength(1);
    await fleet.stop(center, 'SIGKILL');
    center = await fleet.start('b');
    api = center.api;
    await waitFor('the redelivered attempt to succeed', stateIs(taskid, 'succeeded'), {
      timeoutMs: 90_000,
      intervalMs: 300,
    });
    const calls = worker.calls(TAGS.kill);
    expect(calls.map((c) => c.attempt)).toEqual([1, 2]);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(5000);
  }, 150_000);

  it('SIGTERM stops the consumers and timers and exits 0 in time', async () => {
    const stopped = await fleet.stop(center, 'SIGTERM');
    expect({ code: stopped.code, fast: stopped.ms < 15_000 }).toEqual({ code: 0, fast: true });
  }, 30_000);
});
