import { TaskCenterApiError } from './task-center-api.error';
import { TaskCenterClient, toQuery } from './task-center-client';

interface Call {
  method: string;
  url: string;
  body?: unknown;
  headers: Record<string, string>;
}

/** Stubs the global fetch: records each request, answers `reply(call)`. */
function stubFetch(
  reply: (call: Call) => { status?: number; body: unknown; headers?: Record<string, string> },
) {
  const calls: Call[] = [];
  jest.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
    const call: Call = {
      method: init?.method ?? 'GET',
      url: typeof input === 'string' ? input : input instanceof URL ? input.href : input.url,
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
      headers: init?.headers as Record<string, string>,
    };
    calls.push(call);
    const { status = 200, body, headers = {} } = reply(call);
    return Promise.resolve(new Response(JSON.stringify(body), { status, headers }));
  });
  return calls;
}

afterEach(() => jest.restoreAllMocks());

const client = new TaskCenterClient({ baseUrl: 'http://tc:3000/', apiKey: 'k'.repeat(16) });

describe('toQuery', () => {
  it('leaves out absent values and joins lists with commas', () => {
    expect(
      toQuery({ a: undefined, b: null, c: 'x', d: 3, e: true, f: ['failed', 'dead'], g: [] }),
    ).toEqual({ c: 'x', d: '3', e: 'true', f: 'failed,dead', g: '' });
  });
});

describe('TaskCenterClient: search and runs endpoints', () => {
  it('searchTasks: GET /v1/api/tasks with snake_case parameters, answer as given', async () => {
    const page = { tasks: [], next_cursor: 'c2', total: 3, total_capped: false };
    const calls = stubFetch(() => ({ body: page }));
    await expect(
      client.searchTasks({
        name_prefix: 'reports.',
        status: ['active', 'paused'],
        type: 3,
        sort: 'next_run_at',
        next_run_after: 10,
        limit: 5,
        cursor: 'c1',
        count: true,
      }),
    ).resolves.toEqual(page);
    expect(calls[0]!.method).toBe('GET');
    expect(calls[0]!.url).toBe(
      'http://tc:3000/v1/api/tasks?name_prefix=reports.&status=active%2Cpaused&type=3' +
        '&sort=next_run_at&next_run_after=10&limit=5&cursor=c1&count=true',
    );
    expect(calls[0]!.headers.authorization).toBe(`Bearer ${'k'.repeat(16)}`);
  });

  it('searchTasks and runs without filters send no query string', async () => {
    const calls = stubFetch(() => ({ body: { fires: [], next_cursor: null, tasks: [] } }));
    await client.searchTasks();
    await client.runs();
    await client.runErrors();
    await client.workers();
    expect(calls.map((c) => c.url)).toEqual([
      'http://tc:3000/v1/api/tasks',
      'http://tc:3000/v1/api/runs',
      'http://tc:3000/v1/api/run-errors',
      'http://tc:3000/v1/api/workers',
    ]);
  });

  it('overview: GET with the window parameters it is given', async () => {
    const calls = stubFetch(() => ({ body: { series: { points: [] } } }));
    await client.overview();
    await client.overview({ minutes: 15, lateness_minutes: 1 });
    expect(calls.map((c) => [c.method, c.url])).toEqual([
      ['GET', 'http://tc:3000/v1/api/overview'],
      ['GET', 'http://tc:3000/v1/api/overview?minutes=15&lateness_minutes=1'],
    ]);
  });

  it('runs and runErrors: GET with state list, task_id and the window', async () => {
    const calls = stubFetch(() => ({ body: [] }));
    await client.runs({ state: ['failed', 'dead'], task_id: 'a'.repeat(24), from: 1, to: 2 });
    await client.runErrors({ from: 1, to: 2, limit: 20 });
    expect(calls.map((c) => c.url)).toEqual([
      `http://tc:3000/v1/api/runs?state=failed%2Cdead&task_id=${'a'.repeat(24)}&from=1&to=2`,
      'http://tc:3000/v1/api/run-errors?from=1&to=2&limit=20',
    ]);
  });

  it('taskRuns and deadLetters: the X-Next-Cursor header becomes nextCursor', async () => {
    const calls = stubFetch((call) =>
      call.url.includes('task-runs')
        ? { body: [{ fire_id: 'f' }], headers: { 'x-next-cursor': '123' } }
        : { body: [{ message_id: 'm' }] },
    );
    await expect(client.taskRuns('t1', { limit: 1 })).resolves.toEqual({
      fires: [{ fire_id: 'f' }],
      nextCursor: '123',
    });
    await expect(client.deadLetters({ cursor: 'x' })).resolves.toEqual({
      deadLetters: [{ message_id: 'm' }],
    });
    expect(calls.map((c) => c.url)).toEqual([
      'http://tc:3000/v1/api/task-runs?taskid=t1&limit=1',
      'http://tc:3000/v1/api/dead-letters?cursor=x',
    ]);
  });

  it('fireAttempts, redriveDeadLetter, runStats', async () => {
    const calls = stubFetch((call) => ({
      body: call.method === 'POST' ? { message_id: 'm', attempt: 4 } : {},
    }));
    await client.fireAttempts('t:1');
    await expect(client.redriveDeadLetter('t:1:3')).resolves.toEqual({
      message_id: 'm',
      attempt: 4,
    });
    await client.runStats('2026-01-01');
    await client.runStats();
    expect(calls.map((c) => [c.method, c.url, c.body])).toEqual([
      ['GET', 'http://tc:3000/v1/api/fire-attempts?fire_id=t%3A1', undefined],
      ['POST', 'http://tc:3000/v1/api/redrive-dead-letter', { message_id: 't:1:3' }],
      ['GET', 'http://tc:3000/v1/api/run-stats?date=2026-01-01', undefined],
      ['GET', 'http://tc:3000/v1/api/run-stats', undefined],
    ]);
  });

  it("an error answer is a TaskCenterApiError with the server's err and msg", async () => {
    stubFetch(() => ({ status: 400, body: { err: 40001, msg: 'limit must be at most 500' } }));
    const failure = client.runs({ limit: 501 });
    await expect(failure).rejects.toBeInstanceOf(TaskCenterApiError);
    await expect(failure).rejects.toMatchObject({
      status: 400,
      err: 40001,
      msg: 'limit must be at most 500',
    });
  });
});

describe('TaskCenterClient: bulk actions', () => {
  it('bulkTaskAction: POST /v1/api/bulk-task-action with the body as given, per-task results', async () => {
    const answer = {
      action: 'pause',
      results: [
        { taskid: 'a'.repeat(24), ok: true, status: 'paused' },
        { taskid: 'b'.repeat(24), ok: false, err: 40401, msg: 'task b does not exist' },
      ],
      succeeded: 1,
      failed: 1,
      more: false,
    };
    const calls = stubFetch(() => ({ body: answer }));
    await expect(
      client.bulkTaskAction({ action: 'pause', ids: ['a'.repeat(24), 'b'.repeat(24)] }),
    ).resolves.toEqual(answer);
    await client.bulkTaskAction({
      action: 'delete',
      filter: { name_prefix: 'reports.', status: ['completed'] },
      limit: 10,
    });
    expect(calls.map((c) => [c.method, c.url, c.body, c.headers.authorization])).toEqual([
      [
        'POST',
        'http://tc:3000/v1/api/bulk-task-action',
        { action: 'pause', ids: ['a'.repeat(24), 'b'.repeat(24)] },
        `Bearer ${'k'.repeat(16)}`,
      ],
      [
        'POST',
        'http://tc:3000/v1/api/bulk-task-action',
        { action: 'delete', filter: { name_prefix: 'reports.', status: ['completed'] }, limit: 10 },
        `Bearer ${'k'.repeat(16)}`,
      ],
    ]);
  });

  it('redriveDeadLetters: POST /v1/api/redrive-dead-letters; a refused filter rejects with 403', async () => {
    const answer = { results: [], succeeded: 0, failed: 0, more: false };
    const calls = stubFetch((call) =>
      (call.body as { filter?: unknown }).filter
        ? { status: 403, body: { err: 40301, msg: 'it needs admin' } }
        : { body: answer },
    );
    await expect(client.redriveDeadLetters({ message_ids: ['t:1:3'] })).resolves.toEqual(answer);
    await expect(
      client.redriveDeadLetters({ filter: { name: 'x', since: 1 }, limit: 5 }),
    ).rejects.toMatchObject({ status: 403, err: 40301, msg: 'it needs admin' });
    expect(calls.map((c) => [c.url, c.body])).toEqual([
      ['http://tc:3000/v1/api/redrive-dead-letters', { message_ids: ['t:1:3'] }],
      ['http://tc:3000/v1/api/redrive-dead-letters', { filter: { name: 'x', since: 1 }, limit: 5 }],
    ]);
  });
});

describe('TaskCenterClient: createTasks', () => {
  it('POSTs /v1/api/create-tasks in chunks of 1000 and answers a result per task, in order', async () => {
    const calls = stubFetch((call) => {
      const { tasks } = call.body as { tasks: { data: string }[] };
      return {
        body: {
          results: tasks.map((t) =>
            t.data === 'bad'
              ? { ok: false, err: 40003, msg: 'bad crontab' }
              : { ok: true, taskid: `id${t.data}`, name: 'n', created: true },
          ),
          created: tasks.filter((t) => t.data !== 'bad').length,
          existing: 0,
          failed: tasks.filter((t) => t.data === 'bad').length,
        },
      };
    });
    const tasks = Array.from({ length: 1001 }, (_, i) => ({
      name: 'n',
      type: 1 as const,
      data: i === 7 ? 'bad' : String(i),
    }));
    const result = await client.createTasks(tasks);
    expect(
      calls.map((c) => [c.method, c.url, (c.body as { tasks: unknown[] }).tasks.length]),
    ).toEqual([
      ['POST', 'http://tc:3000/v1/api/create-tasks', 1000],
      ['POST', 'http://tc:3000/v1/api/create-tasks', 1],
    ]);
    expect(result.results).toHaveLength(1001);
    expect(result.results[7]).toEqual({ ok: false, err: 40003, msg: 'bad crontab' });
    expect(result.results[1000]).toMatchObject({ ok: true, taskid: 'id1000' });
    expect(result).toMatchObject({ created: 1000, existing: 0, failed: 1 });
  });
});
