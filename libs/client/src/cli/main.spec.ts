import { COMMANDS } from './commands';
import { GLOBAL_OPTIONS } from './args';
import { runCli } from './main';

const TASK = {
  _id: '6740a5f3c2d1e0b9a8f7e6d5',
  name: 'reports.daily',
  type: 3,
  data: '',
  crontab: '0 30 2 * * *',
  timezone: 'Europe/Berlin',
  created_at: 1767225600,
  status: 'active',
  next_run_at: 1767231000,
  manual_runs: [],
  run_count: 2,
  last_run_at: null,
  updated_at: 1767225600,
};

interface Seen {
  method: string;
  url: string;
  body?: unknown;
  auth?: string;
}

/** Runs the CLI against a stubbed fetch; answers the exit code, output and requests. */
async function cli(
  argv: string[],
  reply: (seen: Seen) => { status?: number; body: unknown } = () => ({ body: {} }),
  env: Record<string, string> = {},
) {
  const seen: Seen[] = [];
  jest.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
    const headers = init?.headers as Record<string, string>;
    const s: Seen = {
      method: init?.method ?? 'GET',
      url: typeof input === 'string' ? input : input instanceof URL ? input.href : input.url,
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
      auth: headers.authorization,
    };
    seen.push(s);
    const { status = 200, body } = reply(s);
    return Promise.resolve(new Response(JSON.stringify(body), { status }));
  });
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    env,
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n'), seen };
}

afterEach(() => jest.restoreAllMocks());

describe('task-center CLI', () => {
  it('no command option shadows a global one', () => {
    for (const c of COMMANDS) {
      for (const o of c.options) expect(GLOBAL_OPTIONS[o.name]).toBeUndefined();
    }
  });

  it('tasks list: a table by default, the API answer with --json', async () => {
    const page = { tasks: [TASK], next_cursor: 'abc' };
    const table = await cli(['tasks', 'list', '--status', 'active,paused', '--limit', '1'], () => ({
      body: page,
    }));
    expect(table.code).toBe(0);
    expect(table.seen[0]!.url).toBe(
      'http://localhost:3000/v1/api/tasks?status=active%2Cpaused&limit=1',
    );
    expect(table.stdout.split('\n')).toEqual([
      'ID                        NAME           TYPE  SCHEDULE                      STATUS  NEXT RUN              RUNS',
      '6740a5f3c2d1e0b9a8f7e6d5  reports.daily  cron  0 30 2 * * * (Europe/Berlin)  active  2026-01-01T01:30:00Z  2',
      'next page: --cursor abc',
    ]);

    const json = await cli(['--json', 'tasks', 'list', '--type', 'cron'], () => ({ body: page }));
    expect(json.seen[0]!.url).toBe('http://localhost:3000/v1/api/tasks?type=3');
    expect(JSON.parse(json.stdout)).toEqual(page);
  });

  it('--url and --key, else TASK_CENTER_URL and TASK_CENTER_API_KEY', async () => {
    const env = { TASK_CENTER_URL: 'http://env:1', TASK_CENTER_API_KEY: 'from-env' };
    const fromEnv = await cli(['workers'], () => ({ body: { workers: [], by_tag: {} } }), env);
    expect(fromEnv.seen[0]).toMatchObject({
      url: 'http://env:1/v1/api/workers',
      auth: 'Bearer from-env',
    });
    expect(fromEnv.stdout).toBe('no workers');
    const given = await cli(
      ['workers', '--url', 'http://flag:2', '--key=from-flag'],
      () => ({ body: { workers: [], by_tag: {} } }),
      env,
    );
    expect(given.seen[0]).toMatchObject({
      url: 'http://flag:2/v1/api/workers',
      auth: 'Bearer from-flag',
    });
  });

  it('tasks create: cron, every and at become type 3, 2 and 1', async () => {
    const created = () => ({ body: { taskid: TASK._id, name: 'n', created: true } });
    const cron = await cli(
      ['tasks', 'create', '--name', 'n', '--cron', '*/5 * * * *', '--tz', 'UTC', '--data', 'd'],
      created,
    );
    const every = await cli(
      ['tasks', 'create', '--name', 'n', '--every', '60', '--count', '3', '--task-key', 'k'],
      created,
    );
    const at = await cli(
      ['tasks', 'create', '--name', 'n', '--at', '2026-01-01T00:00:00Z'],
      created,
    );
    expect(cron.code + every.code + at.code).toBe(0);
    expect(cron.seen[0]!.body).toEqual({
      name: 'n',
      type: 3,
      data: 'd',
      crontab: '*/5 * * * *',
      timezone: 'UTC',
    });
    expect(every.seen[0]!.body).toEqual({
      name: 'n',
      type: 2,
      data: '',
      key: 'k',
      loop_time: 60,
      loop_count: 3,
    });
    expect(at.seen[0]!.body).toEqual({ name: 'n', type: 1, data: '', start_time: 1767225600 });
    expect(cron.stdout).toBe(`created task ${TASK._id} (n)`);
  });

  it('tasks create --target: an HTTP target with method, repeated headers and timeout', async () => {
    const res = await cli(
      [
        'tasks',
        'create',
        '--name',
        'n',
        '--every',
        '60',
        '--data',
        '{}',
        '--target',
        'https://api.example.com/hook',
        '--method',
        'put',
        '--header',
        'Content-Type: application/json',
        '--header=Authorization: Bearer a:b',
        '--timeout',
        '30',
      ],
      () => ({ body: { taskid: TASK._id, name: 'n', created: true } }),
    );
    expect(res.code).toBe(0);
    expect(res.seen[0]!.body).toEqual({
      name: 'n',
      type: 2,
      data: '{}',
      loop_time: 60,
      target: {
        type: 'http',
        url: 'https://api.example.com/hook',
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: 'Bearer a:b' },
        timeout_s: 30,
      },
    });
  });

  it('tasks update: request options on top of the current target; --no-target sends null', async () => {
    const target = {
      type: 'http',
      url: 'https://api.example.com/hook',
      method: 'POST',
      headers: { authorization: 'Bearer secret' },
      timeout_s: 10,
    };
    const withTarget = { ...TASK, topic: 'tasks.extra', target };
    const changed = await cli(['tasks', 'update', TASK._id, '--timeout', '30'], (seen) => ({
      body: seen.method === 'GET' ? withTarget : { ...TASK, target: { ...target, timeout_s: 30 } },
    }));
    expect(changed.code).toBe(0);
    expect(changed.seen.map((s) => s.method)).toEqual(['GET', 'POST']);
    expect(changed.seen[1]!.url).toMatch(/\/v1\/api\/update-task$/);
    expect(changed.seen[1]!.body).toEqual({
      taskid: TASK._id,
      topic: '',
      target: { ...target, timeout_s: 30 },
    });
    expect(changed.stdout).toMatch(
      /^target +POST https:\/\/api\.example\.com\/hook \(timeout 30 s\)$/m,
    );
    expect(changed.stdout).toMatch(/^headers +authorization: ••••$/m);
    expect(changed.stdout).not.toContain('secret');

    const removed = await cli(['tasks', 'update', TASK._id, '--no-target'], () => ({ body: TASK }));
    expect(removed.code).toBe(0);
    expect(removed.seen).toHaveLength(1);
    expect(removed.seen[0]!.body).toEqual({ taskid: TASK._id, target: null });
    expect(removed.stdout).not.toContain('target');

    // request options alone need a task that has a target
    const none = await cli(['tasks', 'update', TASK._id, '--method', 'GET'], () => ({
      body: TASK,
    }));
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--method goes with --target URL');
    expect(none.seen.map((s) => s.method)).toEqual(['GET']);
  });

  it('preview: the fires in the zone and in UTC', async () => {
    const res = await cli(
      ['preview', '30 2 * * *', '--tz', 'America/New_York', '--count', '2'],
      () => ({
        body: {
          fires: [
            { at: 1767252600, iso: '2026-01-01T07:30:00.000Z' },
            { at: 1767339000, iso: '2026-01-02T07:30:00.000Z' },
          ],
          description: 'At 02:30 (America/New_York)',
        },
      }),
    );
    expect(res.seen[0]!.body).toEqual({
      type: 3,
      crontab: '30 2 * * *',
      timezone: 'America/New_York',
      count: 2,
    });
    expect(res.stdout.split('\n')).toEqual([
      'At 02:30 (America/New_York)',
      '#  America/New_York               UTC                   UNIX',
      '1  2026-01-01 02:30:00 GMT-05:00  2026-01-01T07:30:00Z  1767252600',
      '2  2026-01-02 02:30:00 GMT-05:00  2026-01-02T07:30:00Z  1767339000',
    ]);
  });

  it("an API error exits 1 with the server's message on stderr", async () => {
    const res = await cli(['tasks', 'get', 'nope'], () => ({
      status: 400,
      body: { err: 40001, msg: 'taskid must be a mongodb id' },
    }));
    expect(res).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'task-center: taskid must be a mongodb id (HTTP 400, err 40001)',
    });
  });

  it('tasks delete of a missing task exits 1', async () => {
    const res = await cli(['tasks', 'delete', TASK._id], () => ({ body: { SucIds: [] } }));
    expect(res).toMatchObject({ code: 1, stderr: `task-center: no task ${TASK._id}` });
  });

  it.each([
    [['frob'], "unknown command 'frob' (see: task-center --help)"],
    [[], 'missing command (see: task-center --help)'],
    [
      ['tasks'],
      'tasks needs a command: list, get, create, create-many, update, pause, resume, run, delete',
    ],
    [['tasks', 'frob'], "unknown command 'tasks frob' (see: task-center tasks --help)"],
    [['runs', '--bogus'], 'unknown option --bogus (see: task-center runs --help)'],
    [['tasks', 'get'], 'tasks get needs ID'],
    [['tasks', 'get', 'a', 'b'], "unexpected argument 'b'"],
    [['tasks', 'create', '--name', 'n'], 'give exactly one of --cron, --every and --at'],
    [['tasks', 'create', '--cron', '* * * * *'], '--name is required'],
    [['tasks', 'create', '--name', 'n', '--every', '5', '--tz', 'UTC'], '--tz goes with --cron'],
    [['tasks', 'list', '--type', 'weekly'], '--type must be once, loop or cron'],
    [
      ['tasks', 'create', '--name', 'n', '--every', '5', '--method', 'PUT'],
      '--method goes with --target URL',
    ],
    [
      ['tasks', 'create', '--name', 'n', '--every', '5', '--target', 'https://h', '--header', 'x'],
      `--header 'x': expected "Name: value"`,
    ],
    [
      [
        'tasks',
        'create',
        '--name',
        'n',
        '--every',
        '5',
        '--target',
        'https://h',
        '--method',
        'GOT',
      ],
      '--method must be one of GET, POST, PUT, PATCH, DELETE',
    ],
    [
      ['tasks', 'create', '--name', 'n', '--every', '5', '--target', 'https://h', '--timeout', '0'],
      '--timeout must be a whole number from 1 to 300',
    ],
    [['tasks', 'update', TASK._id], 'nothing to change: give --target URL'],
    [['tasks', 'update', TASK._id, '--no-target', '--timeout', '5'], '--no-target goes alone'],
    [['runs', '--from', 'yesterday'], '--from must be unix seconds or an ISO 8601 time'],
    [['runs', '--limit', '0'], '--limit must be a whole number from 1'],
  ])('usage error %j exits 2 with one line, nothing sent', async (argv, message) => {
    const res = await cli(argv);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(message);
    expect(res.stderr.split('\n')).toHaveLength(1);
    expect(res.seen).toHaveLength(0);
  });

  it('--help: the overview, a group, a command; exit 0, nothing sent', async () => {
    const top = await cli(['--help']);
    expect(top.code).toBe(0);
    for (const c of COMMANDS) expect(top.stdout).toContain(`task-center ${c.words.join(' ')}`);
    const group = await cli(['tasks', '--help']);
    expect(group.stdout).toContain(
      'task-center tasks <list|get|create|create-many|update|pause|resume|run|delete>',
    );
    const create = await cli(['tasks', 'create', '--help']);
    expect(create.stdout).toContain("--header 'NAME: VALUE'");
    expect(create.stdout).toContain('--target URL');
    const one = await cli(['runs', '-h']);
    expect(one.stdout).toContain('Usage: task-center runs [options]');
    expect(one.stdout).toContain('--task-id ID');
    expect(top.seen.length + group.seen.length + one.seen.length).toBe(0);
  });
});
