import { type INestApplication } from '@nestjs/common';
import { createServer, type IncomingMessage } from 'node:http';
import { type AddressInfo, createServer as createTcpServer, Socket } from 'node:net';
import request from 'supertest';
import { startApp, stopApp } from './support/app';
import { isolatedConfig, stackEnv, waitFor } from './support/stack';

const KEY_A = 'ops-key-a-0123456789abcdef';
const KEY_B = 'ops-key-b-fedcba9876543210';

interface Received {
  kind: string;
  message: string;
  details: Record<string, unknown>;
  at: number;
}

/** A local alert webhook: answers 500 to the very first POST (to see the retry), then 200. */
async function webhookReceiver() {
  const bodies: Received[] = [];
  let requests = 0;
  const server = createServer((req: IncomingMessage, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      requests++;
      const body = JSON.parse(raw) as Received;
      if (requests === 1) {
        res.statusCode = 500;
        res.end('try again');
        bodies.push({ ...body, kind: `rejected:${body.kind}` });
        return;
      }
      bodies.push(body);
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/hook`, bodies };
}

/** A TCP relay to MongoDB that the test can cut and restore, to make the database unreachable. */
async function mongoRelay() {
  const target = new URL(stackEnv().mongoUri);
  const sockets = new Set<Socket>();
  let server: ReturnType<typeof createTcpServer> | undefined;
  let port = 0;
  const open = async () => {
    if (server?.listening) return;
    const listening = createTcpServer((client) => {
      const upstream = new Socket();
      upstream.connect(Number(target.port), target.hostname);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    server = listening;
    await new Promise<void>((resolve) => listening.listen(port, '127.0.0.1', resolve));
    port = (listening.address() as AddressInfo).port;
  };
  const cut = async () => {
    const closed = new Promise((resolve) => server?.close(resolve));
    for (const s of sockets) s.destroy();
    await closed;
  };
  await open();
  return { port: () => port, open, cut };
}

/** `metric{labels} value` lines of a Prometheus text body, as a lookup. */
function sample(text: string, metric: string, labels = ''): number | undefined {
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${metric}${labels ? `{${labels}}` : ''} `));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

describe('operations: API keys, headers, metrics, alerts, readiness (real stack)', () => {
  let app: INestApplication;
  let hook: Awaited<ReturnType<typeof webhookReceiver>>;
  const api = () => request(app.getHttpServer());
  const authed = (path: string) => api().get(path).set('Authorization', `Bearer ${KEY_A}`);
  const create = (body: object) =>
    api().post('/v1/api/task').set('X-API-Key', KEY_B).send(body).expect(200);
  const metrics = async () => (await authed('/metrics').expect(200)).text;
  const received = (kind: string) => hook.bodies.filter((b) => b.kind === kind);

  beforeAll(async () => {
    hook = await webhookReceiver();
    app = await startApp(
      isolatedConfig({
        API_KEYS: `${KEY_A}, ${KEY_B}`,
        METRICS_MAX_NAMES: '2',
        ALERT_WEBHOOK_URL: hook.url,
        ALERT_NAME_FIRES_PER_MIN: '2',
        ALERT_NO_WORKER_CHECK_S: '1',
        ALERT_MIN_INTERVAL_S: '60',
        RUNS_ACK_GRACE_S: '0',
        RUNS_CONSUMER_SESSION_TIMEOUT_S: '6',
      }),
    );
    // An active task of a tag no worker handles: the periodic check reports it.
    await create({
      name: 'ops.orphan',
      type: 2,
      loop_time: 3600,
      data: 'x',
      start_time: Math.floor(Date.now() / 1000) + 86_400,
    });
    // An HTTP target, and no delivery worker anywhere (HTTP_TARGETS_ENABLED=false here).
    await create({
      name: 'ops.http-orphan',
      type: 2,
      loop_time: 3600,
      data: 'x',
      start_time: Math.floor(Date.now() / 1000) + 86_400,
      target: { type: 'http', url: 'https://example.com/hook' },
    });
  }, 60_000);

  afterAll(async () => {
    await stopApp(app);
    hook.server.close();
  });

  describe('API keys', () => {
    it('answers 401 {err: 40101} without a key or with a wrong one, on the API and /metrics', async () => {
      for (const req of [
        api().get('/v1/api/query-task-by-name').query({ name: 'x' }),
        api()
          .get('/v1/api/query-task-by-name')
          .query({ name: 'x' })
          .set('Authorization', 'Bearer nope'),
        api().get('/v1/api/query-task-by-name').query({ name: 'x' }).set('X-API-Key', `${KEY_A}x`),
        api().post('/v1/api/task').send({ name: 'x', type: 1, data: 'x' }),
        api().get('/metrics'),
      ]) {
        const res = await req.expect(401);
        expect(res.body).toEqual({ err: 40101, msg: expect.stringMatching(/API key/) });
        expect(JSON.stringify(res.body)).not.toContain(KEY_A);
      }
    });

    it('accepts each of the two keys, as bearer or X-API-Key', async () => {
      await authed('/v1/api/query-task-by-name').query({ name: 'x' }).expect(200);
      await api()
        .get('/v1/api/query-task-by-name')
        .query({ name: 'x' })
        .set('Authorization', `Bearer ${KEY_B}`)
        .expect(200);
      await api()
        .get('/v1/api/query-task-by-name')
        .query({ name: 'x' })
        .set('X-API-Key', KEY_A)
        .expect(200);
    });

    it('leaves /health open', async () => {
      await api().get('/health/live').expect(200, { status: 'ok' });
      const res = await api().get('/health');
      expect(res.status).not.toBe(401);
    });
  });

  describe('HTTP hardening', () => {
    it('sets helmet-style headers, no CORS by default, and request ids in and out', async () => {
      const res = await authed('/v1/api/query-task-by-name')
        .query({ name: 'x' })
        .set('Origin', 'https://evil.example')
        .expect(200);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['strict-transport-security']).toMatch(/max-age=/);
      expect(res.headers['x-powered-by']).toBeUndefined();
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      const given = await authed('/v1/api/query-task-by-name')
        .query({ name: 'x' })
        .set('X-Request-Id', 'trace-123')
        .expect(200);
      expect(given.headers['x-request-id']).toBe('trace-123');
    });
  });

  describe('metrics and alerts after fires', () => {
    beforeAll(async () => {
      // Per-minute counts restart at the minute: keep the burst inside one.
      const intoMinute = Date.now() % 60_000;
      if (intoMinute > 50_000) await new Promise((r) => setTimeout(r, 60_500 - intoMinute));
      const fires = [
        ...Array.from({ length: 3 }, () => 'ops.burst-a'),
        ...Array.from({ length: 3 }, () => 'ops.burst-b'),
        'ops.single',
      ];
      await Promise.all(fires.map((name) => create({ name, type: 1, data: 'x' })));
      // Nobody acknowledges this one: it times out after max_runtime and, with one attempt, is dead.
      await create({
        name: 'ops.unacked',
        type: 1,
        data: 'x',
        ack: true,
        max_runtime: 1,
        retry: { max_attempts: 1 },
      });
    }, 30_000);

    it('shows the lateness histogram and caps name labels at METRICS_MAX_NAMES, then "other"', async () => {
      const text = await waitFor(
        'the 8 fires in the lateness histogram',
        async () => {
          const t = await metrics();
          return (sample(t, 'task_center_dispatch_lateness_seconds_count') ?? 0) >= 8 && t;
        },
        { timeoutMs: 20_000, intervalMs: 250 },
      );
      expect(text).toContain('# TYPE task_center_dispatch_lateness_seconds histogram');
      expect(sample(text, 'task_center_dispatch_lateness_seconds_bucket', 'le="60"')).toBe(
        sample(text, 'task_center_dispatch_lateness_seconds_count'),
      );
      const named = text
        .split('\n')
        .filter((l) => l.startsWith('task_center_fires_published_total{'));
      const labels = named.map((l) => /name="([^"]*)"/.exec(l)![1]);
      expect(labels).toContain('other');
      expect(labels.filter((l) => l !== 'other')).toHaveLength(2);
      const total = named.reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
      expect(total).toBe(8);
      // Default metrics include the event-loop lag; lease ownership is this replica's 16 shards.
      expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
      expect(sample(text, 'task_center_owned_shards')).toBe(16);
      expect(text).toMatch(/^task_center_tasks\{type="1",status="(active|completed)"\} \d+/m);
    });

    it('serves only the metrics named with name[] (the lateness histogram without the task-count scan)', async () => {
      const only = (
        await authed(
          '/metrics?name[]=task_center_dispatch_lateness_seconds&name[]=no_such_metric',
        ).expect(200)
      ).text;
      expect(only).toMatch(/^task_center_dispatch_lateness_seconds_bucket\{le="0\.01"\} \d+/m);
      expect(only).not.toMatch(/task_center_tasks|nodejs_eventloop_lag_seconds|no_such_metric/);
    });

    it('POSTs a per-minute alert once per kind within ALERT_MIN_INTERVAL_S, after a retry', async () => {
      await waitFor('both names to count as over the threshold', async () => {
        const t = await metrics();
        return sample(t, 'task_center_alerts_total', 'kind="name_fires_per_min"') === 2;
      });
      await waitFor(
        'the webhook to get the alert',
        () => received('name_fires_per_min').length > 0,
      );
      // Give a second (wrong) POST the time it would need, then count.
      await new Promise((r) => setTimeout(r, 1500));
      const alerts = received('name_fires_per_min');
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({
        kind: 'name_fires_per_min',
        message: expect.stringMatching(/ops\.burst-[ab] fired more than 2 times this minute/),
        details: { threshold: 2, count: 3 },
        at: expect.any(Number),
      });
      expect(Math.abs(alerts[0]!.at - Date.now() / 1000)).toBeLessThan(120);
      // The receiver refused the first POST it ever got; that alert came again.
      const rejected = hook.bodies[0]!;
      expect(rejected.kind).toMatch(/^rejected:/);
      expect(received(rejected.kind.slice('rejected:'.length))).not.toHaveLength(0);
    });

    it('POSTs an ack timeout and a dead letter for a fire nobody answers', async () => {
      await waitFor(
        'ack_timeout and dead_letter alerts',
        () => received('ack_timeout').length > 0 && received('dead_letter').length > 0,
        { timeoutMs: 60_000, intervalMs: 250 },
      );
      expect(received('dead_letter')[0]).toMatchObject({
        details: { count: 1, names: ['ops.unacked'] },
      });
      const text = await metrics();
      expect(sample(text, 'task_center_dead_letters_total')).toBe(1);
      expect(sample(text, 'task_center_outcomes_total', 'result="timeout"')).toBe(1);
    }, 70_000);

    it('POSTs the tags with active tasks and no live worker', async () => {
      await waitFor('a no_live_worker alert', () => received('no_live_worker').length > 0, {
        timeoutMs: 20_000,
      });
      expect(received('no_live_worker')[0]!.details.tags).toContain('ops.orphan');
    });

    it('POSTs active HTTP targets without a live delivery worker, not as a tag without one', async () => {
      await waitFor('a no_delivery_worker alert', () => received('no_delivery_worker').length > 0, {
        timeoutMs: 20_000,
      });
      expect(received('no_delivery_worker')[0]!.message).toMatch(
        /no HTTP delivery worker \(group .*\.http-targets\) is alive/,
      );
      await waitFor('a no_live_worker alert', () => received('no_live_worker').length > 0);
      expect(received('no_live_worker')[0]!.details.tags).not.toContain('ops.http-orphan');
    });
  });

  describe('readiness', () => {
    it('/health/ready is 200 with the dispatch role once the consumers have joined', async () => {
      const res = await waitFor(
        'readiness',
        async () => {
          const r = await api().get('/health/ready');
          return r.status === 200 && r;
        },
        { timeoutMs: 40_000, intervalMs: 500 },
      );
      expect(res.body.info).toMatchObject({
        mongodb: { status: 'up' },
        kafka: { status: 'up' },
        consumers: { status: 'up' },
        dispatch: { status: 'up', enabled: true, owned_shards: 16, replica: expect.any(String) },
      });
    }, 50_000);

    it('/health/ready is 503 while MongoDB is unreachable, and 200 again after', async () => {
      const relay = await mongoRelay();
      const uri = new URL(stackEnv().mongoUri);
      uri.host = `127.0.0.1:${relay.port()}`;
      uri.pathname = `/ops_ready_${Date.now().toString(36)}`;
      const other = await startApp(
        isolatedConfig({
          MONGODB_URI: uri.toString(),
          DISPATCH_ENABLED: 'false',
          RUNS_ENABLED: 'false',
          CORS_ORIGINS: 'https://ok.example',
        }),
      );
      const probe = () => request(other.getHttpServer()).get('/health/ready');
      try {
        // (This app also has CORS on, for one origin.)
        const cors = await request(other.getHttpServer())
          .get('/health/live')
          .set('Origin', 'https://ok.example')
          .expect(200);
        expect(cors.headers['access-control-allow-origin']).toBe('https://ok.example');
        const foreign = await request(other.getHttpServer())
          .get('/health/live')
          .set('Origin', 'https://evil.example');
        expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
        await waitFor('ready', async () => (await probe()).status === 200);
        await relay.cut();
        const down = await waitFor(
          '503',
          async () => {
            const r = await probe();
            return r.status === 503 && r;
          },
          { timeoutMs: 20_000, intervalMs: 250 },
        );
        expect(down.body.error).toMatchObject({ mongodb: { status: 'down' } });
        await request(other.getHttpServer()).get('/health/live').expect(200);
        await relay.open();
        await waitFor('ready again', async () => (await probe()).status === 200, {
          timeoutMs: 40_000,
          intervalMs: 500,
        });
      } finally {
        await relay.open().catch(() => undefined);
        await stopApp(other);
      }
    }, 90_000);
  });
});
