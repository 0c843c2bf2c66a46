import express, { type NextFunction, type Request, type Response } from 'express';
import { ApiError } from '../errors/api-error';
import { ErrorCode } from '../errors/error-codes';
import { declaredRoutes, disallowed, methodNotAllowed } from './method-not-allowed';

/** An app shaped like ours: middleware, GET and POST routes, one path with two methods. */
function app(): express.Express {
  const a = express();
  const ok = (_req: Request, res: Response) => res.end();
  a.use((_req, _res, next) => next());
  a.use('/v1/api/*path', (_req, _res, next) => next());
  a.post('/v1/api/task', ok);
  a.get('/v1/api/query-task-by-id', ok);
  a.get('/health', ok);
  a.get('/items/:id', ok);
  a.delete('/items/:id', ok);
  a.all('/anything', ok);
  return a;
}

describe('declaredRoutes', () => {
  it('lists the routes with their methods and skips middleware layers', () => {
    const routes = declaredRoutes(app());
    expect(routes.slice(0, 5).map((r) => r.methods)).toEqual([
      ['post'],
      ['get'],
      ['get'],
      ['get'],
      ['delete'],
    ]);
    // Express 5's `all` declares every method it knows.
    expect(routes[5]?.methods).toEqual(expect.arrayContaining(['get', 'put', 'trace']));
    expect(routes).toHaveLength(6);
  });

  it('matches paths the way the router does (params, trailing slash, case)', () => {
    const routes = declaredRoutes(app());
    const task = routes[0]!;
    const item = routes[3]!;
    expect(task.matches('/v1/api/task')).toBe(true);
    expect(task.matches('/v1/api/task/')).toBe(true);
    expect(task.matches('/V1/API/TASK')).toBe(true);
    expect(task.matches('/v1/api/task/x')).toBe(false);
    expect(item.matches('/items/42')).toBe(true);
    expect(item.matches('/items')).toBe(false);
  });
});

describe('disallowed', () => {
  const routes = declaredRoutes(app());

  it.each([
    ['PUT', '/v1/api/task', ['POST']],
    ['TRACE', '/v1/api/task', ['POST']],
    ['GET', '/v1/api/task', ['POST']],
    ['POST', '/v1/api/query-task-by-id', ['GET', 'HEAD']],
    ['PATCH', '/items/7', ['GET', 'HEAD', 'DELETE']],
  ])('%s %s → Allow %j', (method, path, allow) => {
    expect(disallowed(routes, method, path)).toEqual(allow);
  });

  it('takes any method on a route that declares `_all` (router.route().all)', () => {
    expect(disallowed([{ methods: ['_all'], matches: () => true }], 'TRACE', '/x')).toBeUndefined();
  });

  it.each([
    ['POST', '/v1/api/task'],
    ['GET', '/v1/api/query-task-by-id'],
    ['HEAD', '/v1/api/query-task-by-id'],
    ['head', '/health'],
    ['DELETE', '/items/7'],
    ['PUT', '/anything'],
    ['PUT', '/nope'],
    ['OPTIONS', '/v1/api/task'],
    ['OPTIONS', '/nope'],
  ])('%s %s is left alone', (method, path) => {
    expect(disallowed(routes, method, path)).toBeUndefined();
  });

  it('unions the methods of every route of the path', () => {
    const two = [
      { methods: ['get'], matches: () => true },
      { methods: ['post', 'put'], matches: () => true },
      { methods: ['patch'], matches: () => false },
    ];
    expect(disallowed(two, 'DELETE', '/x')).toEqual(['GET', 'HEAD', 'POST', 'PUT']);
  });
});

describe('methodNotAllowed', () => {
  function run(method: string, path: string) {
    const headers: Record<string, string> = {};
    const res = {
      headersSent: false,
      setHeader: (k: string, v: string) => void (headers[k.toLowerCase()] = v),
    };
    const req = { method, path, headers: {} };
    let passed: unknown = 'not called';
    const next = ((err?: unknown) => (passed = err)) as NextFunction;
    methodNotAllowed(app())(req as Request, res as unknown as Response, next);
    return { headers, passed };
  }

  it('hands a 40501 ApiError to the error filter, with Allow and a request id', () => {
    const { headers, passed } = run('PUT', '/v1/api/task');
    expect(passed).toBeInstanceOf(ApiError);
    expect(passed).toMatchObject({
      code: ErrorCode.METHOD_NOT_ALLOWED,
      status: 405,
      message: 'PUT is not allowed on /v1/api/task (allowed: POST)',
    });
    expect(headers.allow).toBe('POST');
    expect(headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('passes everything else on untouched', () => {
    for (const [method, path] of [
      ['POST', '/v1/api/task'],
      ['PUT', '/nope'],
    ] as const) {
      const { headers, passed } = run(method, path);
      expect(passed).toBeUndefined();
      expect(headers).toEqual({});
    }
  });
});
