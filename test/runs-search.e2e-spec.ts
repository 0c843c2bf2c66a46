import { type INestApplication } from '@nestjs/common';
import { WORKER_EVENT_VERSION } from '@task-center/contracts';
import { type Producer } from 'kafkajs';
import { type AddressInfo } from 'node:net';
import { type AppConfig } from '../apps/task-center/src/config';
import { ApiCallError, ApiClient, createMany } from './support/api-client';
import { startApp, stopApp } from './support/app';
import { acquireStackLock } from './support/stack-control';
import { isolatedConfig, uniqueName, waitFor } from './support/stack';
import { testKafka } from './support/worker-kafka';

interface FireView {
  fire_id: string;
  task_id: string;
  name: string;
  scheduled_at_ms: number;
  state: string;
  attempts: { attempt: number; message_id: string; outcomes: { result: string }[] }[];
}
interface RunsPage {
  fires: FireView[];
  next_cursor: string | null;
}
interface ErrorGroupView {
  error: string;
  count: number;
  first_seen: number;
  last_seen: number;
  names: string[];
  example: { fire_id: string; message_id: string };
}

const N = { ok: 3, fail: 2, dead: 2, slow: 1, pending: 2 };
const TOTAL = Object.values(N).reduce((a, b) => a + b, 0);
const E1 = 'E1: disk full';
const E2 = 'E2: bad input';
const TIMEOUT = 'no outcome within max_runtime + grace (ack)';
const LATER = { max_attempts: 5, backoff: 'fixed', delay: 3600 };

/**
 * GET /v1/api/runs and GET /v1/api/run-errors against the real app: one-shot tasks fire through
 * the real dispatcher; their outcomes are produced on the results topic as a worker would
 * (succeeded, failed, failed with no attempt left), an `ack` task nobody answers times out,
 * and some fires get no outcome at all.
 */
describe('runs search: fires across tasks by state, name, task and time; failures by message', () => {
  let releaseLock: (() => void) | undefined;
  let config: AppConfig;
  let app: INestApplication | undefined;
  let api: ApiClient;
  let producer: Producer;
  const ids: Record<keyof typeof N, string[]> = {
    ok: [],
    fail: [],
    dead: [],
    slow: [],
    pending: [],
  };
  let all: FireView[] = [];

  const runs = (query: Record<string, string | number> = {}) =>
    api.call<RunsPage>('GET', '/v1/api/runs', { query });
  const errors = (query: Record<string, string | number> = {}) =>
    api.call<ErrorGroupView[]>('GET', '/v1/api/run-errors', { query });
  const taskIds = (fires: FireView[]) => fires.map((f) => f.task_id).sort();
  const sorted = (xs: string[]) => [...xs].sort();

  const outcome = (fire: FireView, result: 'succeeded' | 'failed', error?: string) => ({
    value: JSON.stringify({
      kind: 'outcome',
      v: WORKER_EVENT_VERSION,
      messageId: `${fire.fire_id}:1`,
      taskId: fire.task_id,
      tag: fire.name,
      attempt: 1,
      scheduledAt: fire.scheduled_at_ms,
      result,
      ...(error !== undefined && { error }),
      startedAt: Date.now(),
      durationMs: 3,
      worker: { id: 'search-e2e-worker', group: 'search-e2e', host: 'test', pid: process.pid },
    }),
    headers: { 'tc-event': 'outcome' },
  });

  beforeAll(async () => {
    releaseLock = await acquireStackLock('test/runs-search.e2e-spec.ts');
    // Its own results group: the default one is shared by every center on the stack.
    config = isolatedConfig({ RUNS_ACK_GRACE_S: '1', RUNS_RESULTS_GROUP: uniqueName('search') });
    app = await startApp(config);
    await app.listen(0, '127.0.0.1');
    api = ApiClient.forPort((app.getHttpServer().address() as AddressInfo).port);
    producer = testKafka('runs-search-e2e').producer();
    await producer.connect();

    const create = (name: string, n: number, extra: Record<string, unknown> = {}) =>
      createMany(
        api,
        Array.from({ length: n }, () => ({ name, type: 1, data: '{}', ...extra })),
      );
    ids.ok = await create('search.ok', N.ok);
    ids.fail = await create('search.fail', N.fail, { retry: LATER });
    ids.dead = await create('search.dead', N.dead, { retry: { max_attempts: 1 } });
    ids.slow = await create('search.slow', N.slow, { ack: true, max_runtime: 1, retry: LATER });
    ids.pending = await create('search.pending', N.pending);

    const fires = await waitFor(
      `${TOTAL} fires recorded`,
      async () => {
        const page = await runs({ limit: 500 });
        return page.fires.length === TOTAL && page.fires;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    const of = (id: string) => fires.find((f) => f.task_id === id)!;
    await producer.send({
      topic: config.kafka.topics.results,
      acks: -1,
      messages: [
        ...ids.ok.map((id) => outcome(of(id), 'succeeded')),
        ...ids.fail.map((id) => outcome(of(id), 'failed', E1)),
        ...ids.dead.map((id) => outcome(of(id), 'failed', E2)),
      ],
    });
    const settled = (page: RunsPage) =>
      page.fires.filter((f) => ids.ok.includes(f.task_id)).every((f) => f.state === 'succeeded') &&
      page.fires.filter((f) => ids.dead.includes(f.task_id)).every((f) => f.state === 'dead') &&
      page.fires.filter((f) => ids.slow.includes(f.task_id)).every((f) => f.state === 'retrying') &&
      page.fires.filter((f) => ids.fail.includes(f.task_id)).every((f) => f.state === 'retrying');
    let last: FireView[] = [];
    all = await waitFor(
      'every outcome folded',
      async () => {
        const page = await runs({ limit: 500 });
        last = page.fires;
        return settled(page) && page.fires;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    ).catch((err: Error) => {
      throw new Error(`${err.message}: ${last.map((f) => `${f.name}=${f.state}`).join(' ')}`);
    });
  }, 120_000);

  afterAll(async () => {
    try {
      await producer?.disconnect();
      await stopApp(app);
    } finally {
      releaseLock?.();
    }
  });

  it('lists every fire, newest first by scheduled time then message id, in the fire shape', () => {
    expect(all).toHaveLength(TOTAL);
    const order = [...all].sort(
      (x, y) =>
        y.scheduled_at_ms - x.scheduled_at_ms || (`${y.fire_id}:1` < `${x.fire_id}:1` ? -1 : 1),
    );
    expect(all.map((f) => f.fire_id)).toEqual(order.map((f) => f.fire_id));
    const ok = all.find((f) => f.task_id === ids.ok[0])!;
    expect(ok).toMatchObject({ name: 'search.ok', state: 'succeeded' });
    expect(ok.attempts[0]).toMatchObject({ attempt: 1, message_id: `${ok.fire_id}:1` });
  });

  it('filters by each state, and by several', async () => {
    const by = async (state: string) => taskIds((await runs({ state })).fires);
    expect(await by('succeeded')).toEqual(sorted(ids.ok));
    expect(await by('failed')).toEqual(sorted(ids.fail));
    expect(await by('timeout')).toEqual(sorted(ids.slow));
    expect(await by('dead')).toEqual(sorted(ids.dead));
    expect(await by('pending')).toEqual(sorted(ids.pending));
    expect(await by('failed,dead')).toEqual(sorted([...ids.fail, ...ids.dead]));
    const repeated = await api.call<RunsPage>(
      'GET',
      '/v1/api/runs?state=succeeded&state=pending&state=timeout',
    );
    expect(taskIds(repeated.fires)).toEqual(sorted([...ids.ok, ...ids.pending, ...ids.slow]));
  });

  it('filters by name (exact) and by task id, also with a state', async () => {
    expect(taskIds((await runs({ name: 'search.dead' })).fires)).toEqual(sorted(ids.dead));
    expect((await runs({ name: 'search' })).fires).toEqual([]);
    expect((await runs({ task_id: ids.fail[1]! })).fires.map((f) => f.task_id)).toEqual([
      ids.fail[1],
    ]);
    expect((await runs({ name: 'search.ok', state: 'pending' })).fires).toEqual([]);
    expect((await runs({ task_id: ids.dead[0]!, state: 'dead' })).fires).toHaveLength(1);
  });

  it('pages through the window without gaps or duplicates, with and without a state filter', async () => {
    const walk = async (query: Record<string, string | number>) => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: RunsPage = await runs({ ...query, ...(cursor && { cursor }) });
        expect(page.fires.length).toBeLessThanOrEqual(Number(query.limit));
        seen.push(...page.fires.map((f) => f.fire_id));
        cursor = page.next_cursor;
        pages += 1;
      } while (cursor && pages < 50);
      return { seen, pages };
    };
    const plain = await walk({ limit: 3 });
    expect(plain.seen).toEqual(all.map((f) => f.fire_id));
    expect(plain.pages).toBe(Math.ceil(TOTAL / 3));
    const failing = await walk({ limit: 1, state: 'failed,dead,timeout' });
    const expected = all
      .filter((f) => [...ids.fail, ...ids.dead, ...ids.slow].includes(f.task_id))
      .map((f) => f.fire_id);
    expect(failing.seen).toEqual(expected);
    expect(new Set(failing.seen).size).toBe(expected.length);
  });

  it('takes [from, to) in unix seconds of the scheduled time', async () => {
    const times = all.map((f) => f.scheduled_at_ms);
    const first = Math.floor(Math.min(...times) / 1000);
    const last = Math.floor(Math.max(...times) / 1000);
    expect((await runs({ from: first, to: last + 1, limit: 500 })).fires).toHaveLength(TOTAL);
    expect((await runs({ from: last + 1, to: last + 3600 })).fires).toEqual([]);
    expect((await runs({ from: first - 3600, to: first })).fires).toEqual([]);
    // Only the fires of the last second of the window's range.
    const inLast = all.filter((f) => Math.floor(f.scheduled_at_ms / 1000) === last);
    expect((await runs({ from: last, to: last + 1 })).fires.map((f) => f.fire_id)).toEqual(
      inLast.map((f) => f.fire_id),
    );
    // A window of exactly 7 days is fine.
    expect((await runs({ from: last + 1 - 7 * 86400, to: last + 1 })).fires).toHaveLength(TOTAL);
  });

  it('answers 400 for bad parameters', async () => {
    const status = (path: string, query: Record<string, string | number>) =>
      api.call('GET', path, { query }).then(
        () => 200,
        (e: unknown) => {
          expect(e).toBeInstanceOf(ApiCallError);
          expect((e as ApiCallError).body).toMatchObject({ err: 40001 });
          return (e as ApiCallError).status;
        },
      );
    const now = Math.floor(Date.now() / 1000);
    const bad: [string, Record<string, string | number>][] = [
      ['/v1/api/runs', { state: 'retrying' }],
      ['/v1/api/runs', { state: 'failed,bogus' }],
      ['/v1/api/runs', { limit: 0 }],
      ['/v1/api/runs', { limit: 501 }],
      ['/v1/api/runs', { limit: 'x' }],
      ['/v1/api/runs', { cursor: 'not-a-cursor' }],
      ['/v1/api/runs', { cursor: Buffer.from('123.abc').toString('base64url') }],
      ['/v1/api/runs', { task_id: 'nope' }],
      ['/v1/api/runs', { name: 'has space' }],
      ['/v1/api/runs', { from: 'yesterday' }],
      ['/v1/api/runs', { from: now, to: now }],
      ['/v1/api/runs', { from: now - 7 * 86400 - 1, to: now }],
      ['/v1/api/runs', { bogus: 1 }],
      ['/v1/api/run-errors', { limit: 101 }],
      ['/v1/api/run-errors', { from: now - 8 * 86400 }],
      ['/v1/api/run-errors', { from: now, to: now - 1 }],
    ];
    for (const [path, query] of bad)
      expect([path, query, await status(path, query)]).toEqual([path, query, 400]);
  });

  it('groups failures by message, largest count first, with names and an example', async () => {
    const groups = await errors();
    expect(groups.map((g) => [g.error, g.count])).toEqual([
      [E2, 4], // failed and dead, for each of the 2 fires
      [E1, 2],
      [TIMEOUT, 1],
    ]);
    const [e2, e1, timeout] = groups as [ErrorGroupView, ErrorGroupView, ErrorGroupView];
    expect(e2.names).toEqual(['search.dead']);
    expect(ids.dead.map((id) => e2.example.fire_id.startsWith(`${id}:`)).some(Boolean)).toBe(true);
    expect(e2.example.message_id).toBe(`${e2.example.fire_id}:1`);
    expect(e1.names).toEqual(['search.fail']);
    expect(timeout.names).toEqual(['search.slow']);
    for (const g of groups) {
      expect(g.first_seen).toBeLessThanOrEqual(g.last_seen);
      expect(Math.abs(g.last_seen - Date.now() / 1000)).toBeLessThan(300);
    }
    expect(await errors({ limit: 1 })).toEqual([groups[0]]);
    const now = Math.floor(Date.now() / 1000);
    expect(await errors({ from: now + 1, to: now + 60 })).toEqual([]);
    expect(await errors({ from: now - 3600, to: now + 1 })).toEqual(groups);
  });
});
