import { runCli } from './main';

const A = 'a'.repeat(24);
const B = 'b'.repeat(24);

interface Seen {
  method: string;
  url: string;
  body?: unknown;
}

/** Runs the CLI against a stubbed fetch answering `replies` in turn (the last one repeats). */
async function cli(argv: string[], ...replies: { status?: number; body: unknown }[]) {
  const seen: Seen[] = [];
  jest.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
    seen.push({
      method: init?.method ?? 'GET',
      url: typeof input === 'string' ? input : input instanceof URL ? input.href : input.url,
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    });
    const { status = 200, body } = replies[Math.min(seen.length, replies.length) - 1] ?? {
      body: {},
    };
    return Promise.resolve(new Response(JSON.stringify(body), { status }));
  });
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    env: {},
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n'), seen };
}

afterEach(() => jest.restoreAllMocks());

const BULK_URL = 'http://localhost:3000/v1/api/bulk-task-action';
const answer = (results: object[], more = false) => {
  const succeeded = results.filter((r) => (r as { ok: boolean }).ok).length;
  return {
    body: { action: 'pause', results, succeeded, failed: results.length - succeeded, more },
  };
};

describe('task-center bulk commands', () => {
  it('tasks pause with one id keeps the single endpoint', async () => {
    const task = { _id: A, name: 'n', status: 'paused', next_run_at: null };
    const res = await cli(['tasks', 'pause', A], { body: task });
    expect(res.seen.map((s) => [s.url, s.body])).toEqual([
      ['http://localhost:3000/v1/api/pause-task', { taskid: A }],
    ]);
    expect(res).toMatchObject({ code: 0, stdout: `paused ${A} (n): status paused, next run -` });
  });

  it('tasks pause with several ids: one request, a line per task, exit 1 when one failed', async () => {
    const res = await cli(
      ['tasks', 'pause', A, B],
      answer([
        { taskid: A, ok: true, status: 'paused' },
        { taskid: B, ok: false, err: 40401, msg: `task ${B} does not exist` },
      ]),
    );
    expect(res.seen.map((s) => [s.url, s.body])).toEqual([
      [BULK_URL, { action: 'pause', ids: [A, B] }],
    ]);
    expect(res.stdout.split('\n')).toEqual([
      `TASK ID                   RESULT       DETAIL`,
      `${A}  paused       status paused`,
      `${B}  error 40401  task ${B} does not exist`,
      'paused 1, failed 1',
    ]);
    expect(res).toMatchObject({ code: 1, stderr: 'task-center: 1 of 2 tasks failed' });
  });

  it('a filter sends one bounded request; --all-matching repeats it while more match', async () => {
    const once = await cli(
      ['tasks', 'delete', '--name-prefix', 'r.', '--status', 'completed', '--limit', '1'],
      answer([{ taskid: A, ok: true, status: 'deleted' }], true),
    );
    expect(once.seen.map((s) => s.body)).toEqual([
      { action: 'delete', filter: { name_prefix: 'r.', status: ['completed'] }, limit: 1 },
    ]);
    expect(once.code).toBe(0);
    expect(once.stdout).toContain('more match: run the command again, or add --all-matching');

    const all = await cli(
      ['tasks', 'resume', '--name', 'n', '--type', 'cron', '--all-matching', '--json'],
      answer([{ taskid: A, ok: true, status: 'active' }], true),
      answer([{ taskid: B, ok: true, status: 'active' }], false),
    );
    expect(all.seen.map((s) => s.body)).toEqual([
      { action: 'resume', filter: { name: 'n', type: 3 } },
      { action: 'resume', filter: { name: 'n', type: 3 } },
    ]);
    expect(JSON.parse(all.stdout)).toMatchObject({
      results: [{ taskid: A }, { taskid: B }],
      succeeded: 2,
      failed: 0,
      more: false,
    });
  });

  it('--all-matching stops when a request changed nothing (every item failed)', async () => {
    const res = await cli(
      ['tasks', 'pause', '--name', 'n', '--all-matching'],
      answer([{ taskid: A, ok: false, err: 40902, msg: 'conflict' }], true),
    );
    expect(res.seen).toHaveLength(2);
    expect(res.code).toBe(1);
  });

  it('redrive: one id as before, several or a filter through redrive-dead-letters', async () => {
    const one = await cli(['redrive', `${A}:1:1`], {
      body: { message_id: `${A}:1:2`, attempt: 2 },
    });
    expect(one.seen[0]!.url).toBe('http://localhost:3000/v1/api/redrive-dead-letter');
    expect(one.stdout).toBe(`redriven ${A}:1:2: attempt 2 queued`);

    const results = {
      results: [{ message_id: `${A}:1:1`, ok: true, redriven_as: `${A}:1:2`, attempt: 2 }],
      succeeded: 1,
      failed: 0,
      more: false,
    };
    const filtered = await cli(
      ['redrive', '--name', 'n', '--since', '2026-01-01', '--until', '1767312000', '--limit', '5'],
      { body: results },
    );
    expect(filtered.seen.map((s) => [s.url, s.body])).toEqual([
      [
        'http://localhost:3000/v1/api/redrive-dead-letters',
        { filter: { name: 'n', since: 1767225600, until: 1767312000 }, limit: 5 },
      ],
    ]);
    expect(filtered.stdout).toContain(`redriven  attempt 2 queued as ${A}:1:2`);
    expect(filtered.code).toBe(0);
  });

  it.each([
    [['tasks', 'pause'], 'tasks pause needs task IDs or a filter'],
    [['tasks', 'pause', A, '--name', 'n'], 'give task IDs or a filter, not both'],
    [['tasks', 'pause', A, B, '--limit', '5'], '--limit goes with a filter'],
    [['tasks', 'delete', A, '--all-matching'], '--all-matching goes with a filter'],
    [['tasks', 'pause', '--name', 'n', '--limit', '1001'], '--limit must be a whole number'],
    [['tasks', 'resume', '--type', 'weekly'], '--type must be once, loop or cron'],
    [['redrive'], 'redrive needs MESSAGE_IDs or a filter'],
    [['redrive', 'x', '--since', '0'], 'give MESSAGE_IDs or a filter, not both'],
  ])('usage error %j exits 2, nothing sent', async (argv, message) => {
    const res = await cli(argv);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(message);
    expect(res.seen).toHaveLength(0);
  });
});
