import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { progressLine } from './create-tasks-command';
import { runCli } from './main';
import { parseTaskFile } from './task-file';

const dir = mkdtempSync(join(tmpdir(), 'tc-create-many-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Runs the CLI against a stubbed create-tasks route: data "bad" is refused, the rest created. */
async function cli(argv: string[]) {
  const bodies: { tasks: { data: string; key?: string }[] }[] = [];
  jest.spyOn(globalThis, 'fetch').mockImplementation((_input, init) => {
    const body = JSON.parse(init!.body as string) as (typeof bodies)[number];
    bodies.push(body);
    const results = body.tasks.map((t) =>
      t.data === 'bad'
        ? { ok: false, err: 40003, msg: 'the crontab is invalid' }
        : { ok: true, taskid: `id-${t.data}`, name: 'n', created: t.key === undefined },
    );
    const failed = results.filter((r) => !r.ok).length;
    const created = results.filter((r) => r.ok && r.created).length;
    const answer = { results, created, existing: results.length - created - failed, failed };
    return Promise.resolve(new Response(JSON.stringify(answer)));
  });
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    env: {},
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
  });
  return { code, stdout: out.join('\n'), stderr: err, bodies };
}

afterEach(() => jest.restoreAllMocks());

describe('parseTaskFile', () => {
  it('reads a JSON array, the API body and NDJSON, with where each task is', () => {
    const a = { name: 'a', type: 1, data: '' };
    expect(parseTaskFile(JSON.stringify([a, a]), 'f').where).toEqual(['item 1', 'item 2']);
    expect(parseTaskFile(JSON.stringify({ tasks: [a] }), 'f').tasks).toEqual([a]);
    const nd = parseTaskFile(`${JSON.stringify(a)}\n\n${JSON.stringify(a)}\n`, 'f');
    expect(nd).toEqual({ tasks: [a, a], where: ['line 1', 'line 3'] });
  });

  it('names the line that is not JSON or not an object', () => {
    expect(() => parseTaskFile('{"name":"a"}\n{oops\n', 'x.ndjson')).toThrow(
      /^x\.ndjson line 2: not JSON/,
    );
    expect(() => parseTaskFile('{"name":"a"}\n[1]\n', 'x.ndjson')).toThrow(
      'x.ndjson line 2: a task must be a JSON object',
    );
    expect(() => parseTaskFile('[]', 'e.json')).toThrow('e.json: no tasks in it');
  });
});

describe('tasks create-many', () => {
  it('creates the tasks of an NDJSON file: a line per task, exit 1 when one failed', async () => {
    const path = file(
      'three.ndjson',
      ['ok1', 'bad', 'ok2'].map((data) => JSON.stringify({ name: 'n', type: 1, data })).join('\n'),
    );
    const { code, stdout, stderr, bodies } = await cli(['tasks', 'create-many', path]);
    expect(bodies).toHaveLength(1);
    expect(bodies[0]!.tasks.map((t) => t.data)).toEqual(['ok1', 'bad', 'ok2']);
    expect(stdout.split('\n')).toEqual([
      'AT      TASK ID  RESULT       DETAIL',
      'line 1  id-ok1   created      n',
      'line 2           error 40003  the crontab is invalid',
      'line 3  id-ok2   created      n',
      'created 2, existing 0, failed 1 of 3 tasks',
    ]);
    expect(code).toBe(1);
    expect(stderr).toEqual(['task-center: 1 of 3 tasks failed']);
  });

  it('sends a long file in chunks, in order, with progress on stderr and the failed tasks only', async () => {
    const tasks = Array.from({ length: 250 }, (_, i) => ({
      name: 'n',
      type: 1,
      data: i === 200 ? 'bad' : String(i),
      key: `k${i}`,
    }));
    const path = file('long.json', JSON.stringify(tasks));
    const { code, stdout, stderr, bodies } = await cli([
      'tasks',
      'create-many',
      path,
      '--chunk',
      '100',
      '--concurrency',
      '1',
    ]);
    expect(bodies.map((b) => b.tasks.length)).toEqual([100, 100, 50]);
    expect(bodies.flatMap((b) => b.tasks.map((t) => t.key))).toEqual(tasks.map((t) => t.key));
    expect(stdout.split('\n')).toEqual([
      'AT        TASK ID  RESULT       DETAIL',
      'item 201           error 40003  the crontab is invalid',
      'created 0, existing 249, failed 1 of 250 tasks',
    ]);
    expect(code).toBe(1);
    expect(stderr.slice(0, 3).map((l) => l.replace(/ \(.*/, ''))).toEqual([
      'tasks create-many: 100 of 250 answered',
      'tasks create-many: 200 of 250 answered',
      'tasks create-many: 250 of 250 answered',
    ]);
  });

  it('refuses a chunk over the server limit before reading the API', async () => {
    const path = file('one.json', '[{"name":"n","type":1,"data":""}]');
    const { code, stderr, bodies } = await cli(['tasks', 'create-many', path, '--chunk', '1001']);
    expect(code).toBe(2);
    expect(stderr[0]).toMatch(/--chunk must be a whole number from 1 to 1000/);
    expect(bodies).toHaveLength(0);
  });
});

describe('progressLine', () => {
  it('says how far, in percent, and the rate', () => {
    expect(progressLine(2000, 8000, 0, 1000)).toBe(
      'tasks create-many: 2000 of 8000 answered (25%, 2000 tasks/s)',
    );
  });
});
