import { type INestApplication } from '@nestjs/common';
import request from 'supertest';
import { startApp, stopApp } from './support/app';
import { isolatedConfig } from './support/stack';

type Method = 'trace' | 'put' | 'patch' | 'delete' | 'post' | 'get' | 'head' | 'options';

describe('HTTP methods: 405 for undeclared ones, 404 for unknown paths', () => {
  let app: INestApplication;
  const call = (method: Method, path: string) => request(app.getHttpServer())[method](path);

  beforeAll(async () => {
    app = await startApp(isolatedConfig({ DISPATCH_ENABLED: 'false', RUNS_ENABLED: 'false' }));
  });
  afterAll(() => stopApp(app));

  describe.each([
    ['/v1/api/task', 'POST'],
    ['/v1/api/query-task-by-id', 'GET, HEAD'],
    ['/health/live', 'GET, HEAD'],
  ])('%s (%s)', (path, allow) => {
    const others: Method[] =
      allow === 'POST'
        ? ['trace', 'put', 'patch', 'delete', 'get']
        : ['trace', 'put', 'patch', 'delete', 'post'];

    it.each(others)('%s → 405 with Allow and the error shape', async (method) => {
      const res = await call(method, path).expect(405);
      expect(res.headers.allow).toBe(allow);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toEqual({
        err: 40501,
        msg: `${method.toUpperCase()} is not allowed on ${path} (allowed: ${allow})`,
      });
    });
  });

  it('answers 405 before the content-type rule and before reading the body', async () => {
    const text = await call('put', '/v1/api/task').set('Content-Type', 'text/plain').send('x');
    expect(text.status).toBe(405);
    const malformed = await call('patch', '/v1/api/task')
      .set('Content-Type', 'application/json')
      .send('{not json');
    expect(malformed.status).toBe(405);
    expect(malformed.body.err).toBe(40501);
  });

  it('keeps helmet headers and a request id on a 405', async () => {
    const res = await call('delete', '/v1/api/task').set('X-Request-Id', 'trace-405').expect(405);
    expect(res.headers['x-request-id']).toBe('trace-405');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it.each([
    ['put', '/v1/api/no-such-route'],
    ['delete', '/v1/api/no-such-route'],
    ['get', '/no-such-route'],
    ['post', '/v1/api/task/extra'],
  ] as const)('%s %s → 404 with the error shape, as before', async (method, path) => {
    // A JSON body: without one the API's content-type rule still answers a write with 415 first.
    const res = await (method === 'get' ? call(method, path) : call(method, path).send({}));
    expect(res.status).toBe(404);
    expect(res.headers.allow).toBeUndefined();
    expect(res.body).toEqual({ err: 40402, msg: `Cannot ${method.toUpperCase()} ${path}` });
  });

  it('leaves OPTIONS as it was (no CORS configured: 404)', async () => {
    const res = await call('options', '/v1/api/task').expect(404);
    expect(res.body.err).toBe(40402);
  });

  it('still serves declared methods: POST and GET 200, HEAD on a GET route 200', async () => {
    const created = await call('post', '/v1/api/task')
      .send({
        name: 'methods.check',
        type: 1,
        data: 'x',
        start_time: Math.floor(Date.now() / 1000) + 3600,
      })
      .expect(200);
    const taskid = created.body.taskid as string;
    const got = await call('get', `/v1/api/query-task-by-id?taskid=${taskid}`).expect(200);
    expect(got.body).toMatchObject({ _id: taskid, name: 'methods.check' });
    const head = await call('head', `/v1/api/query-task-by-id?taskid=${taskid}`).expect(200);
    expect(head.text ?? '').toBe('');
    await call('head', '/health/live').expect(200);
  });
});
