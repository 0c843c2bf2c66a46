import { type INestApplication } from '@nestjs/common';
import { execFile } from 'node:child_process';
import { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startApp, stopApp } from './support/app';
import { acquireStackLock } from './support/stack-control';
import { isolatedConfig, uniqueName } from './support/stack';

const ROOT = join(__dirname, '..');
const BIN = join(ROOT, 'bin', 'task-center.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('task-center CLI against a real task center', () => {
  let app: INestApplication | undefined;
  let url: string;
  let releaseLock: (() => void) | undefined;

  /**
   * `node bin/task-center.js ...` as a child process, asynchronously: the task center runs in
   * this process, so a synchronous spawn would block the server it talks to.
   */
  const cli = (...args: string[]): Promise<Run> =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        [BIN, ...args],
        {
          cwd: ROOT,
          env: { PATH: process.env.PATH ?? '', TASK_CENTER_URL: url },
          timeout: 30_000,
        },
        (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });

  beforeAll(async () => {
    releaseLock = await acquireStackLock('test/cli.e2e-spec.ts');
    app = await startApp(isolatedConfig());
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    url = `http://127.0.0.1:${port}`;
  }, 120_000);

  afterAll(async () => {
    try {
      await stopApp(app);
    } finally {
      releaseLock?.();
    }
  });

  it('creates, lists, gets, pauses, resumes, runs and deletes a cron task', async () => {
    const name = uniqueName('cli.cron');
    const created = await cli(
      'tasks',
      'create',
      '--name',
      name,
      '--cron',
      '0 30 2 * * *',
      '--tz',
      'Europe/Berlin',
      '--data',
      '{"report":"sales"}',
      '--json',
    );
    expect(created).toMatchObject({ code: 0, stderr: '' });
    const { taskid, created: isNew } = JSON.parse(created.stdout);
    expect(isNew).toBe(true);
    expect(taskid).toMatch(/^[0-9a-f]{24}$/);

    const table = await cli('tasks', 'list', '--name', name);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID +NAME +TYPE +SCHEDULE +STATUS +NEXT RUN +RUNS$/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(
      new RegExp(
        `^${taskid} +${name.replace(/\./g, '\\.')} +cron +0 30 2 \\* \\* \\* \\(Europe/Berlin\\) +active +\\d{4}-\\d\\d-\\d\\dT\\d\\d:30:00Z +0$`,
      ),
    );

    const json = await cli('--json', 'tasks', 'list', '--name', name, '--status', 'active');
    expect(json.code).toBe(0);
    const page = JSON.parse(json.stdout);
    expect(page.next_cursor).toBeNull();
    expect(page.tasks.map((t: { _id: string }) => t._id)).toEqual([taskid]);

    const got = await cli('tasks', 'get', taskid);
    expect(got.code).toBe(0);
    expect(got.stdout).toMatch(new RegExp(`^id +${taskid}$`, 'm'));
    expect(got.stdout).toMatch(/^status +active$/m);
    expect(got.stdout).toMatch(/^data +\{"report":"sales"\}$/m);
    const gotJson = JSON.parse((await cli('tasks', 'get', taskid, '--json')).stdout);
    expect(gotJson).toMatchObject({ _id: taskid, name, crontab: '0 30 2 * * *', status: 'active' });

    const paused = await cli('tasks', 'pause', taskid);
    expect(paused).toMatchObject({ code: 0, stderr: '' });
    expect(paused.stdout).toContain(`paused ${taskid} (${name}): status paused`);
    const pausedList = await cli('tasks', 'list', '--name', name, '--status', 'paused', '--json');
    expect(JSON.parse(pausedList.stdout).tasks).toHaveLength(1);

    const resumed = await cli('tasks', 'resume', taskid);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain(`resumed ${taskid} (${name}): status active`);

    const ran = await cli('tasks', 'run', taskid, '--json');
    expect(ran.code).toBe(0);
    expect(JSON.parse(ran.stdout)).toMatchObject({ _id: taskid, status: 'active' });

    const runs = await cli('runs', '--task-id', taskid, '--json');
    expect(runs.code).toBe(0);
    expect(JSON.parse(runs.stdout)).toMatchObject({ fires: expect.any(Array) });
    const runsTable = await cli('runs', '--name', name, '--state', 'failed,dead');
    expect(runsTable).toMatchObject({ code: 0, stdout: 'no fires found\n' });

    const deleted = await cli('tasks', 'delete', taskid);
    expect(deleted).toMatchObject({ code: 0, stdout: `deleted task ${taskid}\n` });
    const gone = await cli('tasks', 'get', taskid);
    expect(gone).toMatchObject({
      code: 1,
      stdout: '',
      stderr: `task-center: task ${taskid} does not exist (HTTP 404, err 40401)\n`,
    });
    const again = await cli('tasks', 'delete', taskid);
    expect(again).toMatchObject({ code: 1, stderr: `task-center: no task ${taskid}\n` });
  });

  it('creates a task with an HTTP target, reads it back, and removes the target', async () => {
    const name = uniqueName('cli.http');
    const created = await cli(
      'tasks',
      'create',
      '--name',
      name,
      '--at',
      '2099-01-01T00:00:00Z',
      '--target',
      'https://example.com/hook',
      '--method',
      'PUT',
      '--header',
      'Content-Type: application/json',
      '--header',
      'Authorization: Bearer cli-secret',
      '--timeout',
      '15',
      '--json',
    );
    expect(created).toMatchObject({ code: 0, stderr: '' });
    const { taskid } = JSON.parse(created.stdout);

    const got = await cli('tasks', 'get', taskid);
    expect(got).toMatchObject({ code: 0, stderr: '' });
    expect(got.stdout).toMatch(/^target +PUT https:\/\/example\.com\/hook \(timeout 15 s\)$/m);
    expect(got.stdout).toMatch(/^headers +content-type: application\/json, authorization: ••••$/m);
    expect(got.stdout).not.toContain('cli-secret');
    const json = JSON.parse((await cli('tasks', 'get', taskid, '--json')).stdout);
    expect(json.target).toEqual({
      type: 'http',
      url: 'https://example.com/hook',
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: 'Bearer cli-secret' },
      timeout_s: 15,
    });

    // a forbidden address: the server's message, exit 1
    const refused = await cli('tasks', 'update', taskid, '--target', 'http://169.254.169.254/');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/169\.254\.169\.254.*\(HTTP 400, err 40001\)/);

    const removed = await cli('tasks', 'update', taskid, '--no-target');
    expect(removed).toMatchObject({ code: 0, stderr: '' });
    expect(removed.stdout).not.toMatch(/^target/m);
    expect(JSON.parse((await cli('tasks', 'get', taskid, '--json')).stdout).target).toBeUndefined();
    expect((await cli('tasks', 'delete', taskid)).code).toBe(0);
  });

  it('previews a crontab in its zone and in UTC', async () => {
    const res = await cli('preview', '30 2 * * *', '--tz', 'America/New_York', '--count', '3');
    expect(res).toMatchObject({ code: 0, stderr: '' });
    const lines = res.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('At 02:30 (America/New_York)');
    expect(lines[1]).toMatch(/^# +America\/New_York +UTC +UNIX$/);
    expect(lines).toHaveLength(5);
    for (const line of lines.slice(2)) {
      expect(line).toMatch(
        /^\d +\d{4}-\d\d-\d\d 02:30:00 GMT-0[45]:00 +\d{4}-\d\d-\d\dT0[67]:30:00Z +\d+$/,
      );
    }
    const json = JSON.parse((await cli('preview', '30 2 * * *', '--json')).stdout);
    expect(json).toHaveLength(10);
    expect(json[0]).toEqual({ at: expect.any(Number), iso: expect.any(String) });
  });

  it('reads run errors, dead letters and workers', async () => {
    for (const args of [['run-errors'], ['dead-letters'], ['workers']]) {
      const res = await cli(...args, '--json');
      expect({ args, code: res.code, stderr: res.stderr }).toEqual({ args, code: 0, stderr: '' });
      expect(() => JSON.parse(res.stdout) as unknown).not.toThrow();
    }
  });

  it('shows the overview and the run stats, as text and as JSON', async () => {
    const json = await cli('overview', '--minutes', '5', '--json');
    expect({ code: json.code, stderr: json.stderr }).toEqual({ code: 0, stderr: '' });
    const overview = JSON.parse(json.stdout) as { series: { points: unknown[] } };
    expect(overview.series.points).toHaveLength(5);
    const text = await cli('overview', '--minutes', '5');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^fires, 5 min +\d+ +[▁▂▃▄▅▆▇█]{5} +\(this minute \d+\)$/m);
    expect(text.stdout).toMatch(/^lateness +/m);
    const stats = await cli('run-stats', '--json');
    expect(stats.code).toBe(0);
    expect(JSON.parse(stats.stdout)).toMatchObject({ date: new Date().toISOString().slice(0, 10) });
    const bad = await cli('overview', '--minutes', '0');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--minutes must be a whole number from 1 to 60');
  });

  it('pauses, resumes and deletes several tasks by ids or by a filter, a line per task', async () => {
    const prefix = `${uniqueName('cli-bulk')}.`;
    const ids: string[] = [];
    for (const n of [1, 2, 3]) {
      const created = await cli(
        'tasks',
        'create',
        '--name',
        `${prefix}${n}`,
        '--every',
        '3600',
        '--json',
      );
      ids.push((JSON.parse(created.stdout) as { taskid: string }).taskid);
    }
    const unknown = 'f'.repeat(24);
    const paused = await cli('tasks', 'pause', ids[0]!, unknown, ids[1]!);
    expect(paused.code).toBe(1);
    expect(paused.stderr).toBe('task-center: 1 of 3 tasks failed\n');
    const lines = paused.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^TASK ID +RESULT +DETAIL$/);
    expect(lines.slice(1, 4).map((l) => l.split(/ {2,}/).slice(0, 2))).toEqual([
      [ids[0], 'paused'],
      [unknown, 'error 40401'],
      [ids[1], 'paused'],
    ]);
    expect(lines[4]).toBe('paused 2, failed 1');

    const resumed = await cli(
      'tasks',
      'resume',
      '--name-prefix',
      prefix,
      '--limit',
      '1',
      '--all-matching',
      '--json',
    );
    expect(resumed).toMatchObject({ code: 0, stderr: '' });
    const answer = JSON.parse(resumed.stdout) as { results: { taskid: string }[]; more: boolean };
    expect(answer.results.map((r) => r.taskid).sort()).toEqual([ids[0], ids[1]].sort());
    expect(answer.more).toBe(false);

    const deleted = await cli('tasks', 'delete', '--name-prefix', prefix, '--status', 'active');
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toContain('deleted 3, failed 0');
    const left = await cli('tasks', 'list', '--name-prefix', prefix, '--json');
    expect(JSON.parse(left.stdout).tasks).toEqual([]);

    const nothing = await cli('redrive', '--name', `${prefix}1`);
    expect(nothing).toMatchObject({ code: 0, stdout: 'no dead letters to redrive\n' });
  });

  it("an API error exits 1 with the server's message; a bad command line exits 2", async () => {
    const badId = await cli('tasks', 'get', 'not-an-id');
    expect(badId).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'task-center: taskid must be a task id (24 hex characters) (HTTP 400, err 40001)\n',
    });
    const badCron = await cli('preview', 'not a cron');
    expect(badCron.code).toBe(1);
    expect(badCron.stderr).toMatch(/^task-center: .+ \(HTTP 400, err 4000[13]\)\n$/);

    const unknown = await cli('frobnicate');
    expect(unknown).toMatchObject({
      code: 2,
      stdout: '',
      stderr: "task-center: unknown command 'frobnicate' (see: task-center --help)\n",
    });
    const badOption = await cli('tasks', 'list', '--colour');
    expect(badOption).toMatchObject({
      code: 2,
      stderr: 'task-center: unknown option --colour (see: task-center tasks list --help)\n',
    });
  });
});
