import { type INestApplication } from '@nestjs/common';
import request from 'supertest';
import { startApp, stopApp } from './support/app';
import { isolatedConfig } from './support/stack';

const HOUR = 3600;
const nowS = () => Math.floor(Date.now() / 1000);

describe('tasks API /v1/api (real MongoDB)', () => {
  let app: INestApplication;
  const api = () => request(app.getHttpServer());
  const create = (body: object) => api().post('/v1/api/task').send(body);
  const getTask = (id: string) => api().get('/v1/api/query-task-by-id').query({ taskid: id });

  beforeAll(async () => {
    app = await startApp(
      isolatedConfig({
        TASK_DATA_MAX_BYTES: '1000',
        HTTP_BODY_LIMIT_BYTES: '20000',
        KAFKA_EXTRA_TOPICS: 'tc-e2e-alt',
      }),
    );
  });
  afterAll(() => stopApp(app));

  describe('create + query by id', () => {
    it('creates a one-shot and returns it with the seed fields plus ours', async () => {
      const data = '{"order":42,"note":"caf\u00e9 \\"quoted\\""}';
      const res = await create({ name: 'orders.expire', type: 1, data }).expect(200);
      expect(res.body).toEqual({
        taskid: expect.stringMatching(/^[0-9a-f]{24}$/),
        name: 'orders.expire',
        created: true,
      });
      const task = (await getTask(res.body.taskid).expect(200)).body;
      expect(task).toMatchObject({
        _id: res.body.taskid,
        name: 'orders.expire',
        type: 1,
        data,
        ack: false,
        timezone: 'UTC',
        misfire: 'fire_once',
        manual_runs: [],
      });
      expect(task.created_at).toBeGreaterThanOrEqual(nowS() - 5);
      // Due at once: the dispatcher may have fired it before this read.
      if (task.status === 'active') {
        expect(task).toMatchObject({ run_count: 0, last_run_at: null });
        expect(task.next_run_at).toBeGreaterThanOrEqual(task.created_at);
        expect(task.next_run_at).toBeLessThanOrEqual(nowS() + 1);
      } else {
        expect(task).toMatchObject({ status: 'completed', run_count: 1, next_run_at: null });
        expect(task.last_run_at).toBeGreaterThanOrEqual(task.created_at);
      }
    });

    it('stores every optional field of a crontab task', async () => {
      const start = nowS() + HOUR;
      const body = {
        name: 'reports.daily',
        type: 3,
        data: 'plain text, not JSON',
        crontab: '0 30 2 * * *',
        loop_count: 5,
        start_time: start,
        end_time: start + 30 * 86400,
        max_runtime: 60,
        ack: true,
        timezone: 'Europe/Berlin',
        key: 'report-1',
        topic: 'tc-e2e-alt',
        retry: { intervals: '60 600 3600' },
        misfire: 'skip',
      };
      const { taskid } = (await create(body).expect(200)).body;
      const task = (await getTask(taskid).expect(200)).body;
      expect(task).toMatchObject({
        ...body,
        retry: { intervals: [60, 600, 3600], max_attempts: 4, backoff: 'exponential' },
      });
      // 02:30:00 Berlin time, at or after start_time.
      expect(task.next_run_at).toBeGreaterThanOrEqual(start);
      const local = new Date(task.next_run_at * 1000).toLocaleTimeString('en-GB', {
        timeZone: 'Europe/Berlin',
      });
      expect(local).toBe('02:30:00');
    });

    it('anchors a loop at start_time', async () => {
      const start = nowS() + 2 * HOUR;
      const { taskid } = (
        await create({
          name: 'loop.a',
          type: 2,
          data: 'x',
          loop_time: 90,
          loop_count: 3,
          start_time: start,
        }).expect(200)
      ).body;
      expect((await getTask(taskid)).body).toMatchObject({
        next_run_at: start,
        loop_time: 90,
        loop_count: 3,
      });
    });

    it('treats the seed client zero values as absent', async () => {
      const { taskid } = (
        await create({
          name: 'seed.zero',
          type: 1,
          data: '',
          crontab: '',
          loop_time: 0,
          loop_count: 0,
          start_time: 0,
          end_time: 0,
          max_runtime: 0,
          ack: false,
        }).expect(200)
      ).body;
      const task = (await getTask(taskid).expect(200)).body;
      for (const field of [
        'crontab',
        'loop_time',
        'loop_count',
        'start_time',
        'end_time',
        'max_runtime',
      ]) {
        expect(task).not.toHaveProperty(field);
      }
    });

    it('404s an unknown id and 400s a malformed one', async () => {
      expect((await getTask('0123456789abcdef01234567').expect(404)).body).toEqual({
        err: 40401,
        msg: 'task 0123456789abcdef01234567 does not exist',
      });
      expect((await getTask('nope').expect(400)).body).toEqual({
        err: 40001,
        msg: 'taskid must be a task id (24 hex characters)',
      });
      expect((await api().get('/v1/api/query-task-by-id').expect(400)).body.err).toBe(40001);
    });
  });

  describe('validation: every rule answers 4xx with {err, msg}', () => {
    const base = { name: 'v.task', type: 1, data: 'd' };
    it.each<[string, object, number, number, string | RegExp]>([
      ['missing name', { type: 1, data: 'd' }, 400, 40001, /name must be 1-200 characters/],
      ['name with ||', { ...base, name: 'a||b' }, 400, 40001, /name must be 1-200 characters/],
      ['name *', { ...base, name: '*' }, 400, 40001, /name must be 1-200/],
      ['name with a space', { ...base, name: 'a b' }, 400, 40001, /name must be/],
      ['name too long', { ...base, name: 'a'.repeat(201) }, 400, 40001, /name must be/],
      [
        'missing type',
        { name: 'x', data: 'd' },
        400,
        40001,
        /type must be 1 \(one-shot\), 2 \(loop\) or 3 \(crontab\)/,
      ],
      ['type 4', { ...base, type: 4 }, 400, 40001, /type must be 1/],
      ['type as a string', { ...base, type: '1' }, 400, 40001, /type must be an integer number/],
      ['missing data', { name: 'x', type: 1 }, 400, 40001, /data must be a string/],
      ['data as an object', { ...base, data: { a: 1 } }, 400, 40001, /data must be a string/],
      ['unknown field', { ...base, colour: 'red' }, 400, 40001, 'property colour should not exist'],
      ['loop without loop_time', { ...base, type: 2 }, 400, 40003, /loop_?[tT]ime/],
      [
        'loop_time 0.5',
        { ...base, type: 2, loop_time: 0.5 },
        400,
        40001,
        /loop_time must be an integer number/,
      ],
      [
        'negative loop_time',
        { ...base, type: 2, loop_time: -1 },
        400,
        40001,
        /loop_time must not be less than 0/,
      ],
      [
        'negative loop_count',
        { ...base, type: 2, loop_time: 5, loop_count: -1 },
        400,
        40001,
        /loop_count must not be less than 0/,
      ],
      ['crontab without type 3', { ...base, crontab: '* * * * *' }, 400, 40003, /crontab/],
      ['type 3 without crontab', { ...base, type: 3 }, 400, 40003, /crontab/],
      [
        'invalid crontab',
        { ...base, type: 3, crontab: '61 * * * *' },
        400,
        40003,
        /crontab "61 \* \* \* \*"/,
      ],
      [
        'crontab with 7 fields',
        { ...base, type: 3, crontab: '0 0 0 1 1 * 2030' },
        400,
        40003,
        /crontab/,
      ],
      [
        'unknown time zone',
        { ...base, type: 3, crontab: '* * * * *', timezone: 'Mars/Olympus' },
        400,
        40003,
        /Mars\/Olympus/,
      ],
      [
        'end before start',
        { ...base, start_time: 2_000_000_000, end_time: 1_999_999_999 },
        400,
        40003,
        /end_?[tT]ime/,
      ],
      [
        'end already past',
        { ...base, type: 2, loop_time: 5, end_time: 1_000_000_000 },
        400,
        40003,
        /never fire/,
      ],
      [
        'start_time in milliseconds',
        { ...base, start_time: 1_700_000_000_000 },
        400,
        40001,
        /start_time must not be greater than 253402300799/,
      ],
      [
        'ack without max_runtime',
        { ...base, ack: true },
        400,
        40001,
        'ack needs max_runtime: the time to wait for an outcome',
      ],
      [
        'topic not allowed',
        { ...base, topic: 'elsewhere' },
        400,
        40001,
        /topic "elsewhere" is not allowed/,
      ],
      [
        'bad misfire',
        { ...base, misfire: 'later' },
        400,
        40001,
        /misfire must be one of the following values/,
      ],
      [
        'bad retry interval',
        { ...base, retry: { intervals: '60 soon' } },
        400,
        40001,
        /retry.each value in intervals must be an integer number|intervals/,
      ],
      [
        'retry max_delay < delay',
        { ...base, retry: { delay: 60, max_delay: 10 } },
        400,
        40001,
        'retry.max_delay must not be less than retry.delay',
      ],
      [
        'unknown retry field',
        { ...base, retry: { tries: 3 } },
        400,
        40001,
        /tries should not exist/,
      ],
      ['empty key', { ...base, key: '' }, 400, 40001, /key must be longer than or equal to 1/],
      [
        'data over TASK_DATA_MAX_BYTES',
        { ...base, data: '\u00e9'.repeat(501) },
        413,
        41302,
        'data is 1002 bytes; the limit is 1000 (TASK_DATA_MAX_BYTES)',
      ],
    ])('%s', async (_what, body, status, err, msg) => {
      const res = await create(body).expect(status);
      expect(res.body.err).toBe(err);
      expect(typeof res.body.msg).toBe('string');
      expect(Object.keys(res.body).sort()).toEqual(['err', 'msg']);
      if (typeof msg === 'string') expect(res.body.msg).toBe(msg);
      else expect(res.body.msg).toMatch(msg);
    });
  });

  describe('malformed requests never reach a 5xx', () => {
    it('malformed JSON is 400 with code 40002', async () => {
      const res = await api()
        .post('/v1/api/task')
        .set('content-type', 'application/json')
        .send('{"name": "x",')
        .expect(400);
      expect(res.body.err).toBe(40002);
      expect(res.body.msg).toMatch(/^malformed JSON body/);
    });

    it('a non-JSON content type is 415 with code 41501', async () => {
      const res = await api()
        .post('/v1/api/task')
        .set('content-type', 'text/plain')
        .send('name=x')
        .expect(415);
      expect(res.body).toEqual({
        err: 41501,
        msg: 'content-type must be application/json (got text/plain)',
      });
    });

    it('a body over HTTP_BODY_LIMIT_BYTES is 413 with code 41301', async () => {
      const res = await create({ name: 'big', type: 1, data: 'x'.repeat(30_000) }).expect(413);
      expect(res.body.err).toBe(41301);
    });

    it('a JSON array or scalar body is 400', async () => {
      expect((await create([1, 2]).expect(400)).body.err).toBe(40001);
      const res = await api()
        .post('/v1/api/task')
        .set('content-type', 'application/json')
        .send('42')
        .expect(400);
      expect([40001, 40002]).toContain(res.body.err);
    });

    it('an unknown route is 404 with code 40402', async () => {
      expect((await api().get('/v1/api/nope').expect(404)).body.err).toBe(40402);
    });

    it('random field values get 4xx with the error shape, never 5xx', async () => {
      let seed = 12345;
      const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
      const values = [
        null,
        true,
        false,
        0,
        -1,
        1.5,
        1e300,
        -1e300,
        '',
        ' ',
        'x',
        '\u0000',
        '*',
        'a||b',
        [],
        [1],
        {},
        { $gt: 1 },
        '__proto__',
        'zz'.repeat(300),
        253402300800,
        '2025-01-01',
      ];
      const fields = [
        'name',
        'type',
        'data',
        'crontab',
        'loop_time',
        'loop_count',
        'start_time',
        'end_time',
        'max_runtime',
        'ack',
        'timezone',
        'key',
        'topic',
        'retry',
        'misfire',
        'upsert',
        '__proto__',
        'constructor',
      ];
      for (let i = 0; i < 150; i++) {
        const body: Record<string, unknown> = { name: 'fuzz', type: 1, data: 'd' };
        for (let j = 0; j < 1 + Math.floor(rand() * 3); j++) body[pick(fields)] = pick(values);
        const res = await create(body);
        expect(res.status).toBeLessThan(500);
        if (res.status !== 200) expect(Object.keys(res.body).sort()).toEqual(['err', 'msg']);
      }
    });
  });

  describe('idempotent create by key', () => {
    // Due in an hour: on FerretDB v1 an update racing the dispatcher's advance of the same task
    // can be lost (its updates are not atomic), see docs/dispatch.md.
    it('returns the existing task for the same key, and updates it with upsert', async () => {
      const later = nowS() + HOUR;
      const first = (
        await create({
          name: 'k.task',
          type: 1,
          start_time: later,
          data: 'v1',
          key: 'order-7',
        }).expect(200)
      ).body;
      const again = (
        await create({
          name: 'k.task',
          type: 1,
          start_time: later,
          data: 'v2',
          key: 'order-7',
        }).expect(200)
      ).body;
      expect(again).toEqual({ taskid: first.taskid, name: 'k.task', created: false });
      expect((await getTask(first.taskid)).body.data).toBe('v1');
      const upserted = (
        await create({
          name: 'k.task',
          type: 1,
          start_time: later,
          data: 'v3',
          key: 'order-7',
          upsert: true,
        }).expect(200)
      ).body;
      expect(upserted.taskid).toBe(first.taskid);
      expect((await getTask(first.taskid)).body.data).toBe('v3');
    });

    it('makes exactly one task out of 20 concurrent creates with one key', async () => {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          create({ name: 'k.race', type: 1, data: `try ${i}`, key: 'race-1' }),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
      const ids = new Set(results.map((r) => r.body.taskid));
      expect(ids.size).toBe(1);
      expect(results.filter((r) => r.body.created)).toHaveLength(1);
      const listed = (
        await api().get('/v1/api/query-task-by-name').query({ name: 'k.race' }).expect(200)
      ).body;
      expect(listed).toHaveLength(1);
    });

    it('frees the key when its task is deleted', async () => {
      const first = (
        await create({ name: 'k.free', type: 1, data: 'a', key: 'free-1' }).expect(200)
      ).body;
      await api()
        .post('/v1/api/delete-task')
        .send({ ids: [first.taskid] })
        .expect(200);
      const second = (
        await create({ name: 'k.free', type: 1, data: 'b', key: 'free-1' }).expect(200)
      ).body;
      expect(second.created).toBe(true);
      expect(second.taskid).not.toBe(first.taskid);
    });
  });

  describe('query by name: newest first, paginated', () => {
    it('walks 250 tasks in pages of 100 with the cursor, newest first, each once', async () => {
      const created: string[] = [];
      for (let i = 0; i < 250; i += 25) {
        const batch = await Promise.all(
          Array.from({ length: 25 }, (_, j) =>
            create({ name: 'page.me', type: 2, loop_time: 60, data: `${i + j}` }),
          ),
        );
        created.push(...batch.map((r) => r.body.taskid as string));
      }
      const seen: { _id: string }[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const res = await api()
          .get('/v1/api/query-task-by-name')
          .query({ name: 'page.me', limit: 100, ...(cursor && { cursor }) })
          .expect(200);
        seen.push(...res.body);
        cursor = res.headers['x-next-cursor'];
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen.map((t) => t._id).sort()).toEqual([...created].sort());
      const ids = seen.map((t) => t._id);
      expect(ids).toEqual([...ids].sort().reverse());
    });

    it('uses limit 100 by default and validates limit and cursor', async () => {
      const res = await api()
        .get('/v1/api/query-task-by-name')
        .query({ name: 'page.me' })
        .expect(200);
      expect(res.body).toHaveLength(100);
      expect(
        (
          await api()
            .get('/v1/api/query-task-by-name')
            .query({ name: 'page.me', limit: 1001 })
            .expect(400)
        ).body.err,
      ).toBe(40001);
      expect(
        (
          await api()
            .get('/v1/api/query-task-by-name')
            .query({ name: 'page.me', limit: 'ten' })
            .expect(400)
        ).body.msg,
      ).toMatch(/limit must be an integer/);
      expect(
        (
          await api()
            .get('/v1/api/query-task-by-name')
            .query({ name: 'page.me', cursor: 'x' })
            .expect(400)
        ).body.msg,
      ).toMatch(/cursor/);
      expect(
        (await api().get('/v1/api/query-task-by-name').query({ name: 'nobody.here' }).expect(200))
          .body,
      ).toEqual([]);

      // 250 tasks: many bulk writes' worth (FerretDB never answers 100+ updates in one command).
      const deleted = await api()
        .post('/v1/api/delete-task-by-name')
        .send({ name: 'page.me' })
        .expect(200);
      expect(deleted.body.SucIds).toHaveLength(250);
      expect(
        (await api().get('/v1/api/query-task-by-name').query({ name: 'page.me' }).expect(200)).body,
      ).toEqual([]);
    });
  });

  describe('delete', () => {
    it('deletes by ids, reporting only ids that existed', async () => {
      // Due now: the delete races the dispatcher's write of the fire, and must still win.
      const a = (await create({ name: 'del.ids', type: 1, data: 'a' })).body.taskid;
      const b = (await create({ name: 'del.ids', type: 1, data: 'b' })).body.taskid;
      const ghost = '0123456789abcdef01234567';
      const res = await api()
        .post('/v1/api/delete-task')
        .send({ ids: [a, b, ghost, a] })
        .expect(200);
      expect(res.body.SucIds.sort()).toEqual([a, b].sort());
      await getTask(a).expect(404);
      expect(
        (
          await api()
            .post('/v1/api/delete-task')
            .send({ ids: [a] })
            .expect(200)
        ).body,
      ).toEqual({ SucIds: [] });
    });

    it('a delete racing the dispatcher sticks: the task never comes back', async () => {
      // Loops due every second: the dispatcher writes each fire while the deletes land.
      const ids = await Promise.all(
        Array.from(
          { length: 30 },
          async (_, i) =>
            (await create({ name: 'del.race', type: 2, loop_time: 1, data: `${i}` })).body
              .taskid as string,
        ),
      );
      await new Promise((r) => setTimeout(r, 1500));
      const res = await api().post('/v1/api/delete-task').send({ ids }).expect(200);
      expect([...res.body.SucIds].sort()).toEqual([...ids].sort());
      // Two more seconds of would-be fires: a lost delete would show the task again.
      await new Promise((r) => setTimeout(r, 2000));
      const back = [];
      for (const id of ids) if ((await getTask(id)).status !== 404) back.push(id);
      expect(back).toEqual([]);
    });

    it('validates ids', async () => {
      expect(
        (
          await api()
            .post('/v1/api/delete-task')
            .send({ ids: ['x'] })
            .expect(400)
        ).body.msg,
      ).toBe('each value in ids must be a task id (24 hex characters)');
      expect((await api().post('/v1/api/delete-task').send({ ids: [] }).expect(400)).body.err).toBe(
        40001,
      );
      expect((await api().post('/v1/api/delete-task').send({}).expect(400)).body.err).toBe(40001);
    });

    it('deletes by name, and only that name', async () => {
      const ids = await Promise.all(
        [1, 2, 3].map(
          async (i) =>
            (await create({ name: 'del.name', type: 1, data: `${i}` })).body.taskid as string,
        ),
      );
      const other = (await create({ name: 'del.other', type: 1, data: 'keep' })).body.taskid;
      const res = await api()
        .post('/v1/api/delete-task-by-name')
        .send({ name: 'del.name' })
        .expect(200);
      expect(res.body.SucIds.sort()).toEqual(ids.sort());
      expect(
        (await api().get('/v1/api/query-task-by-name').query({ name: 'del.name' })).body,
      ).toEqual([]);
      await getTask(other).expect(200);
      expect(
        (await api().post('/v1/api/delete-task-by-name').send({ name: 'a||b' }).expect(400)).body
          .err,
      ).toBe(40001);
    });
  });

  describe('update, pause, resume, run now, preview', () => {
    it('updates fields in place and recomputes next_run_at', async () => {
      const { taskid } = (
        await create({
          name: 'upd.me',
          type: 2,
          data: 'a',
          loop_time: 60,
          start_time: nowS() + HOUR,
        })
      ).body;
      const later = nowS() + 5 * HOUR;
      const res = await api()
        .post('/v1/api/update-task')
        .send({ taskid, data: 'b', start_time: later })
        .expect(200);
      expect(res.body).toMatchObject({
        _id: taskid,
        data: 'b',
        start_time: later,
        next_run_at: later,
        loop_time: 60,
      });
      // An update that leaves the schedule alone keeps next_run_at.
      const again = await api().post('/v1/api/update-task').send({ taskid, data: 'c' }).expect(200);
      expect(again.body.next_run_at).toBe(later);
      expect(
        (await api().post('/v1/api/update-task').send({ taskid, type: 3 }).expect(400)).body.err,
      ).toBe(40003);
      expect(
        (
          await api()
            .post('/v1/api/update-task')
            .send({ taskid: '0123456789abcdef01234567', data: 'x' })
            .expect(404)
        ).body.err,
      ).toBe(40401);
    });

    it('409s an update to a key another task holds', async () => {
      await create({ name: 'upd.k', type: 1, data: 'a', key: 'taken-key' }).expect(200);
      const { taskid } = (await create({ name: 'upd.k', type: 1, data: 'b' })).body;
      const res = await api()
        .post('/v1/api/update-task')
        .send({ taskid, key: 'taken-key' })
        .expect(409);
      expect(res.body).toEqual({ err: 40901, msg: 'key "taken-key" belongs to another task' });
    });

    it('pauses and resumes, idempotently, and refuses to resume a deleted task', async () => {
      const { taskid } = (await create({ name: 'pause.me', type: 2, data: 'a', loop_time: 10 }))
        .body;
      expect(
        (await api().post('/v1/api/pause-task').send({ taskid }).expect(200)).body.status,
      ).toBe('paused');
      expect(
        (await api().post('/v1/api/pause-task').send({ taskid }).expect(200)).body.status,
      ).toBe('paused');
      const resumed = (await api().post('/v1/api/resume-task').send({ taskid }).expect(200)).body;
      expect(resumed.status).toBe('active');
      expect(resumed.next_run_at).toBeGreaterThanOrEqual(nowS() - 1);
      await api()
        .post('/v1/api/delete-task')
        .send({ ids: [taskid] })
        .expect(200);
      expect((await api().post('/v1/api/resume-task').send({ taskid }).expect(404)).body.err).toBe(
        40401,
      );
    });

    it('queues a run-now fire on an active task, 409 on a paused one', async () => {
      const { taskid } = (
        await create({
          name: 'run.now',
          type: 2,
          data: 'a',
          loop_time: 3600,
          start_time: nowS() + HOUR,
        })
      ).body;
      const before = nowS();
      const res = await api().post('/v1/api/run-task-now').send({ taskid }).expect(200);
      expect(res.body.manual_runs).toHaveLength(1);
      expect(res.body.manual_runs[0]).toBeGreaterThanOrEqual(before);
      expect(res.body.next_run_at).toBeGreaterThan(before + HOUR - 5);
      await api().post('/v1/api/pause-task').send({ taskid }).expect(200);
      const refused = await api().post('/v1/api/run-task-now').send({ taskid }).expect(409);
      expect(refused.body).toEqual({
        err: 40902,
        msg: `task ${taskid} is paused; only active tasks can be run now`,
      });
    });

    it('previews fire times without storing anything', async () => {
      const start = Date.UTC(2030, 0, 1) / 1000;
      const res = await api()
        .post('/v1/api/preview-task')
        .send({
          type: 3,
          crontab: '0 0 9 * * 1-5',
          timezone: 'America/New_York',
          start_time: start,
          count: 3,
        })
        .expect(200);
      // 2030-01-01 is a Tuesday; 09:00 in New York is 14:00 UTC in winter.
      expect(res.body.fires.map((f: { iso: string }) => f.iso)).toEqual([
        '2030-01-01T14:00:00.000Z',
        '2030-01-02T14:00:00.000Z',
        '2030-01-03T14:00:00.000Z',
      ]);
      expect(res.body.description).toBe(
        'At 09:00, Monday through Friday (America/New_York), from 2030-01-01T00:00:00Z',
      );
      expect(
        (await api().post('/v1/api/preview-task').send({ type: 3, crontab: 'nope' }).expect(400))
          .body.err,
      ).toBe(40003);
      expect(
        (
          await api()
            .post('/v1/api/preview-task')
            .send({ type: 2, loop_time: 10, count: 1001 })
            .expect(400)
        ).body.err,
      ).toBe(40001);
    });
  });
});
