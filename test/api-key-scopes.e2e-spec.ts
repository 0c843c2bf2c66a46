import { type INestApplication } from '@nestjs/common';
import request from 'supertest';
import { startApp, stopApp } from './support/app';
import { isolatedConfig } from './support/stack';

const ADMIN = 'scopes-admin-0123456789abcdef';
const WRITE = 'scopes-write-0123456789abcdef';
const READ = 'scopes-read-0123456789abcdef';
const BARE = 'scopes-bare-0123456789abcdef';
const KEYS = { admin: ADMIN, write: WRITE, read: READ, bare: BARE };

/** A task far in the future: created, never fired. */
const task = (name: string) => ({
  name,
  type: 2,
  loop_time: 3600,
  data: 'x',
  start_time: Math.floor(Date.now() / 1000) + 86_400,
});

describe('API key scopes: admin, write, read (real stack)', () => {
  let app: INestApplication;
  const api = () => request(app.getHttpServer());

  // One route per class: a read (GET/HEAD), a write (POST), the metrics, the health check.
  const routes = {
    get: (key?: string) =>
      withKey(api().get('/v1/api/query-task-by-name').query({ name: 'x' }), key),
    head: (key?: string) =>
      withKey(api().head('/v1/api/query-task-by-name').query({ name: 'x' }), key),
    post: (key: string | undefined, name: string) =>
      withKey(api().post('/v1/api/task').send(task(name)), key),
    metrics: (key?: string) =>
      withKey(api().get('/metrics').query({ 'name[]': 'process_cpu_user_seconds_total' }), key),
    health: (key?: string) => withKey(api().get('/health/live'), key),
  };
  const withKey = (req: request.Test, key: string | undefined) =>
    key === undefined ? req : req.set('Authorization', `Bearer ${key}`);

  beforeAll(async () => {
    app = await startApp(
      isolatedConfig({
        API_KEYS: `admin:${ADMIN}, write:${WRITE}, read:${READ}, ${BARE}`,
      }),
    );
  }, 60_000);

  afterAll(async () => {
    await stopApp(app);
  });

  it.each(Object.entries(KEYS))(
    'a %s key reads: GET, HEAD and /metrics answer 200',
    async (_, key) => {
      await routes.get(key).expect(200);
      await routes.head(key).expect(200);
      const metrics = await routes.metrics(key).expect(200);
      expect(metrics.text).toContain('process_cpu_user_seconds_total');
    },
  );

  it.each([
    ['admin', ADMIN],
    ['write', WRITE],
    ['bare (admin)', BARE],
  ])('the %s key writes: POST creates the task', async (scope, key) => {
    const name = `scopes.${scope.split(' ')[0]}`;
    const res = await routes.post(key, name).expect(200);
    expect(res.body).toMatchObject({ created: true, name });
    const found = await routes.get(ADMIN).query({ name }).expect(200);
    expect(JSON.stringify(found.body)).toContain(name);
  });

  it('a read key cannot write: 403 {err: 40301} naming both scopes, and nothing is created', async () => {
    const res = await routes.post(READ, 'scopes.read').expect(403);
    expect(res.body).toEqual({
      err: 40301,
      msg: 'API key scope read does not allow POST /v1/api/task: it needs write',
    });
    expect(JSON.stringify(res.body)).not.toContain(READ);
    const found = await routes.get(ADMIN).query({ name: 'scopes.read' }).expect(200);
    expect(JSON.stringify(found.body)).not.toContain('scopes.read');
  });

  it('a read key may preview a schedule (a POST that stores nothing), not create it', async () => {
    const res = await withKey(
      api().post('/v1/api/preview-task').send({ type: 3, crontab: '0 0 * * *', count: 2 }),
      READ,
    ).expect(200);
    expect(res.body.fires).toHaveLength(2);
  });

  it('checks the scope before the body: a read key gets 403 even for an invalid body', async () => {
    const res = await withKey(api().post('/v1/api/task').send({ nonsense: true }), READ).expect(
      403,
    );
    expect(res.body).toMatchObject({ err: 40301 });
  });

  it('answers 401 {err: 40101} without a key or with an unknown one, on every guarded route', async () => {
    for (const key of [undefined, 'unknown-key-0123456789abcdef', `read:${READ}`]) {
      for (const req of [routes.get(key), routes.post(key, 'scopes.none'), routes.metrics(key)]) {
        const res = await req.expect(401);
        expect(res.body).toEqual({ err: 40101, msg: expect.stringMatching(/API key/) });
        expect(res.headers['www-authenticate']).toBe('Bearer');
      }
    }
  });

  it('leaves /health open to every key and to none', async () => {
    for (const key of [undefined, ADMIN, WRITE, READ, BARE, 'unknown-key-0123456789abcdef']) {
      await routes.health(key).expect(200, { status: 'ok' });
    }
  });

  it('accepts a scoped key as X-API-Key too', async () => {
    await api()
      .get('/v1/api/query-task-by-name')
      .query({ name: 'x' })
      .set('X-API-Key', READ)
      .expect(200);
    const res = await api()
      .post('/v1/api/task')
      .set('X-API-Key', READ)
      .send(task('scopes.header'))
      .expect(403);
    expect(res.body).toMatchObject({ err: 40301 });
  });
});
