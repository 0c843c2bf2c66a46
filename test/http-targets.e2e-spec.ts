import { type INestApplication } from '@nestjs/common';
import { verifySignature } from '@task-center/contracts';
import request from 'supertest';
import { HttpTargetsWorker } from '../apps/task-center/src/http-targets/http-targets.worker';
import { startApp, stopApp } from './support/app';
import { isolatedConfig, waitFor } from './support/stack';
import { type ReceivedRequest, TargetServer } from './support/target-server';

/** Lets time pass for a negative check ("no further request"); never to wait for an event. */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const SECRETS = ['http-target-secret-new-0123', 'http-target-secret-old-0123'];

interface FireView {
  scheduled_at_ms: number;
  state: string;
  attempts: { attempt: number; outcomes: { result: string; error?: string }[] }[];
}

/**
 * HTTP targets end to end: the real task center (dispatcher, outcome consumer, run timers and
 * the HTTP delivery worker in process) on the real stack, calling real HTTP servers on
 * loopback (allowed through HTTP_TARGET_ALLOW; the SSRF rules have their own suite).
 */
describe('HTTP targets (real stack, real HTTP servers)', () => {
  let app: INestApplication;
  const servers: TargetServer[] = [];
  const api = () => request(app.getHttpServer());

  const server = async (respond?: Parameters<typeof TargetServer.start>[0]) => {
    const s = await TargetServer.start(respond);
    servers.push(s);
    return s;
  };

  const create = async (body: Record<string, unknown>): Promise<string> => {
    const res = await api().post('/v1/api/task').send(body);
    expect(res.status).toBe(200);
    return (res.body as { taskid: string }).taskid;
  };

  const runs = async (taskid: string): Promise<FireView[]> => {
    const res = await api().get('/v1/api/task-runs').query({ taskid });
    expect(res.status).toBe(200);
    return res.body as FireView[];
  };

  /** A one-shot due a moment from now. */
  const oneShot = (url: string, extra: Record<string, unknown> = {}) => ({
    name: 'http.one-shot',
    type: 1,
    data: '',
    start_time: Math.ceil(Date.now() / 1000) + 1,
    target: { type: 'http', url, ...((extra.target as object) ?? {}) },
    ...Object.fromEntries(Object.entries(extra).filter(([k]) => k !== 'target')),
  });

  beforeAll(async () => {
    app = await startApp(
      isolatedConfig({
        HTTP_TARGETS_ENABLED: 'true',
        HTTP_TARGET_ALLOW: '127.0.0.1/32',
        HTTP_TARGET_SIGNING_SECRETS: SECRETS.join(','),
        HTTP_TARGET_MAX_PER_HOST: '2',
      }),
    );
    await app.get(HttpTargetsWorker).ready();
  }, 60_000);

  it("is ready once the delivery worker's group has joined", async () => {
    const res = await waitFor('readiness', async () => {
      const r = await api().get('/health/ready');
      return r.status === 200 && r;
    });
    const groups = Object.keys(res.body.info.consumers.groups as object);
    expect(groups.some((g) => g.endsWith('.http-targets'))).toBe(true);
  });

  afterAll(async () => {
    await stopApp(app);
    await Promise.all(servers.map((s) => s.close()));
  });

  it('calls the URL at each slot of a seconds crontab with the exact body, headers and a valid signature', async () => {
    const hook = await server();
    const data = '{"report":"nightly","note":"déjà vu ✓"}';
    const taskid = await create({
      name: 'http.crontab',
      type: 3,
      crontab: '*/2 * * * * *',
      loop_count: 3,
      data,
      target: {
        type: 'http',
        url: hook.url('/hooks/report?team=a'),
        method: 'PUT',
        headers: { 'Content-Type': 'application/json', 'X-Team': 'reports' },
        timeout_s: 5,
      },
    });
    await waitFor('three requests', () => hook.requests.length >= 3, { timeoutMs: 20_000 });
    const got = hook.requests.slice(0, 3);
    const slots = got.map((r) => Number(r.headers['tc-scheduled-at']));
    expect(new Set(slots).size).toBe(3);
    for (const [i, r] of got.entries()) {
      expect(slots[i]! % 2000).toBe(0);
      if (i > 0) expect(slots[i]! - slots[i - 1]!).toBe(2000);
      expect(r.at).toBeGreaterThanOrEqual(slots[i]!);
      expect(r.method).toBe('PUT');
      expect(r.path).toBe('/hooks/report?team=a');
      expect(r.body.toString('utf8')).toBe(data);
      const messageId = `${taskid}:${slots[i]}:1`;
      expect(r.headers).toMatchObject({
        'content-type': 'application/json',
        'x-team': 'reports',
        'idempotency-key': messageId,
        'tc-message-id': messageId,
        'tc-task-id': taskid,
        'tc-attempt': '1',
        'user-agent': 'task-center/0.1.0',
      });
      const signature = String(r.headers['tc-signature']);
      expect(signature.match(/v1=/g)).toHaveLength(2);
      expect(verifySignature(SECRETS[0]!, r.headers, r.body)).toBe(true);
      expect(verifySignature(SECRETS[1]!, r.headers, r.body)).toBe(true);
      expect(verifySignature(SECRETS[0]!, r.headers, Buffer.from(`${data} `))).toBe(false);
    }
    await waitFor('three succeeded fires in the history', async () => {
      const fires = await runs(taskid);
      return fires.filter((f) => f.state === 'succeeded').length === 3;
    });
  }, 40_000);

  it('retries a 500 at the backoff until a 200: three requests, the statuses in the history', async () => {
    const hook = await server((_req, n) =>
      n <= 2 ? { status: 500, body: `database down (${n})` } : { status: 200 },
    );
    const taskid = await create(
      oneShot(hook.url('/flaky'), {
        retry: { max_attempts: 5, backoff: 'fixed', delay: 1 },
      }),
    );
    await waitFor('the third request', () => hook.requests.length >= 3, { timeoutMs: 20_000 });
    await sleep(2500); // nothing more may come: the third one succeeded
    expect(hook.requests.map((r) => r.headers['tc-attempt'])).toEqual(['1', '2', '3']);
    const keys = hook.requests.map((r) => r.headers['idempotency-key']);
    const slot = String(hook.requests[0]!.headers['tc-scheduled-at']);
    expect(keys).toEqual([1, 2, 3].map((a) => `${taskid}:${slot}:${a}`));
    for (let i = 1; i < 3; i++) {
      expect(hook.requests[i]!.at - hook.requests[i - 1]!.at).toBeGreaterThanOrEqual(900);
    }
    const fire = await waitFor('the fire to succeed', async () => {
      const [f] = await runs(taskid);
      return f?.state === 'succeeded' ? f : undefined;
    });
    expect(fire.attempts.map((a) => a.outcomes.map((o) => [o.result, o.error]))).toEqual([
      [
        [
          'failed',
          'POST http://127.0.0.1:' +
            hook.port +
            '/flaky: HTTP 500 Internal Server Error: database down (1)',
        ],
      ],
      [
        [
          'failed',
          'POST http://127.0.0.1:' +
            hook.port +
            '/flaky: HTTP 500 Internal Server Error: database down (2)',
        ],
      ],
      [['succeeded', undefined]],
    ]);
  }, 40_000);

  it('waits at least the Retry-After of a 429 before the next attempt', async () => {
    const hook = await server((_req, n) =>
      n === 1 ? { status: 429, headers: { 'retry-after': '3' } } : { status: 204 },
    );
    const taskid = await create(
      oneShot(hook.url('/limited'), { retry: { max_attempts: 3, backoff: 'fixed', delay: 1 } }),
    );
    await waitFor('the retry', () => hook.requests.length >= 2, { timeoutMs: 20_000 });
    expect(hook.requests[1]!.at - hook.requests[0]!.at).toBeGreaterThanOrEqual(3000);
    const fire = await waitFor('the fire to succeed', async () => {
      const [f] = await runs(taskid);
      return f?.state === 'succeeded' ? f : undefined;
    });
    expect(fire.attempts[0]!.outcomes[0]!.error).toMatch(
      /HTTP 429 Too Many Requests \(retry after 3 s\)$/,
    );
  }, 40_000);

  it('fails an attempt at timeout_s when the server never answers, and dead-letters the last', async () => {
    const hook = await server(() => 'hang');
    const taskid = await create(
      oneShot(hook.url('/hangs'), {
        target: { timeout_s: 1 },
        retry: { max_attempts: 2, backoff: 'fixed', delay: 1 },
      }),
    );
    const fire = await waitFor(
      'the fire to be dead-lettered',
      async () => {
        const [f] = await runs(taskid);
        return f?.state === 'dead' ? f : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(hook.requests).toHaveLength(2);
    for (const attempt of fire.attempts) {
      expect(attempt.outcomes[0]).toMatchObject({ result: 'failed' });
      expect(attempt.outcomes[0]!.error).toMatch(/\/hangs: timed out after 1 s/);
    }
  }, 40_000);

  it('reports a redirect as a failure that says so, and follows nothing', async () => {
    const hook = await server(() => ({ status: 302, headers: { location: '/elsewhere' } }));
    const taskid = await create(oneShot(hook.url('/moved'), { retry: { max_attempts: 1 } }));
    const fire = await waitFor('the fire to end', async () => {
      const [f] = await runs(taskid);
      return f?.state === 'dead' ? f : undefined;
    });
    expect(fire.attempts[0]!.outcomes[0]!.error).toMatch(
      /HTTP 302 Found: redirects are not followed \(location: \/elsewhere\)$/,
    );
    expect(hook.to('/elsewhere')).toHaveLength(0);
  }, 30_000);

  it("keeps a fast host's lateness while a slow host has every connection busy", async () => {
    const slow = await server(() => ({ status: 200, delayMs: 3000 }));
    const fast = await server();
    const lateness = (reqs: ReceivedRequest[]) =>
      reqs.map((r) => r.at - Number(r.headers['tc-scheduled-at']));
    const loop = (name: string, url: string) =>
      create({
        name,
        type: 2,
        loop_time: 1,
        loop_count: 8,
        data: name,
        target: { type: 'http', url },
      });
    // Baseline: the fast host alone.
    await loop('http.fast-alone', fast.url('/alone'));
    await waitFor('8 fast fires alone', () => fast.to('/alone').length >= 8, { timeoutMs: 20_000 });
    // Then beside a slow host that takes 3 s per request, with 2 connections per host
    // (HTTP_TARGET_MAX_PER_HOST=2): its fires queue up behind each other, not the fast ones.
    await loop('http.slow', slow.url('/slow'));
    await loop('http.fast-beside', fast.url('/beside'));
    await waitFor('8 fast fires beside the slow host', () => fast.to('/beside').length >= 8, {
      timeoutMs: 20_000,
    });
    const alone = lateness(fast.to('/alone'));
    const beside = lateness(fast.to('/beside'));
    console.log(
      `fast host lateness (scheduled → received), ms: alone ${alone.join(' ')}; beside a slow host ${beside.join(' ')}; slow host requests so far ${slow.requests.length}`,
    );
    // The slow host's queue grows (1 fire/s, 2 connections × 3 s): its later fires wait.
    expect(slow.requests.length).toBeLessThan(8);
    // Within noise of the baseline: far below the 3 s a shared queue would add.
    expect(Math.max(...beside)).toBeLessThan(Math.max(...alone) + 500);
  }, 60_000);
});

describe('HTTP target definitions (real stack)', () => {
  let app: INestApplication;
  const api = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await startApp(isolatedConfig({ HTTP_TARGET_ALLOW: 'hooks.internal' }));
  }, 60_000);

  afterAll(() => stopApp(app));

  const base = { name: 'http.def', type: 2, loop_time: 60, data: '{}' };

  it('stores a target with its defaults and shows it; an update replaces or removes it', async () => {
    const created = await api()
      .post('/v1/api/task')
      .send({ ...base, target: { type: 'http', url: 'https://api.example.com/run' } });
    expect(created.status).toBe(200);
    const taskid = (created.body as { taskid: string }).taskid;
    const shown = await api().get('/v1/api/query-task-by-id').query({ taskid });
    expect(shown.body.target).toEqual({
      type: 'http',
      url: 'https://api.example.com/run',
      method: 'POST',
      headers: {},
      timeout_s: 10,
    });
    const updated = await api()
      .post('/v1/api/update-task')
      .send({
        taskid,
        target: {
          type: 'http',
          url: 'http://hooks.internal:8080/x',
          method: 'GET',
          headers: { 'X-A': '1' },
        },
      });
    expect(updated.status).toBe(200);
    expect(updated.body.target).toMatchObject({ method: 'GET', headers: { 'x-a': '1' } });
    const removed = await api().post('/v1/api/update-task').send({ taskid, target: null });
    expect(removed.status).toBe(200);
    expect(removed.body).not.toHaveProperty('target');
  });

  it.each([
    [{ url: 'ftp://example.com/x' }, 'target.url'],
    [{ url: '/relative' }, 'target.url'],
    [{ url: 'https://user:pw@example.com/' }, 'target.url'],
    [{ url: 'http://127.0.0.1:9/' }, 'target.url host 127.0.0.1 is a loopback address'],
    [{ url: 'http://[::1]/' }, 'target.url host [::1] is a loopback address'],
    [{ url: 'http://10.0.0.1/' }, 'target.url host 10.0.0.1 is a private address'],
    [
      { url: 'http://169.254.169.254/latest/meta-data' },
      'target.url host 169.254.169.254 is a link-local address',
    ],
    [{ url: 'http://[::ffff:127.0.0.1]/' }, 'is a loopback address'],
    [{ url: 'http://localhost:3000/' }, 'target.url host localhost'],
    [
      { url: 'https://example.com', method: 'TRACE' },
      'target.method must be one of GET, POST, PUT, PATCH, DELETE',
    ],
    [
      { url: 'https://example.com', timeout_s: 301 },
      'target.timeout_s must not be greater than 300',
    ],
    [{ url: 'https://example.com', headers: { Host: 'x' } }, 'target.headers must not set host'],
    [
      { url: 'https://example.com', headers: { 'tc-attempt': '9' } },
      'target.headers must not set tc-attempt',
    ],
    [{ url: 'https://example.com', headers: { a: 1 } }, 'target.headers a must be a string'],
    [{ url: 'https://example.com', type: 'grpc' }, 'target.type must be "http"'],
  ])('refuses target %j with a 400 naming the problem', async (target, message) => {
    const res = await api()
      .post('/v1/api/task')
      .send({ ...base, target: { type: 'http', ...target } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ err: 40001 });
    expect(res.body.msg).toContain(message);
  });

  it('refuses topic and target together', async () => {
    const res = await api()
      .post('/v1/api/task')
      .send({ ...base, topic: 'x', target: { type: 'http', url: 'https://example.com' } });
    expect(res.status).toBe(400);
    expect(res.body.msg).toBe(
      'topic and target cannot both be set: fires of an HTTP target go to KAFKA_TOPIC_HTTP',
    );
  });
});
