import { type INestApplication } from '@nestjs/common';
import { type FireContext, TaskWorker } from '@task-center/client';
import { Kafka, logLevel } from 'kafkajs';
import request from 'supertest';
import { type AppConfig } from '../apps/task-center/src/config';
import { startApp, stopApp } from './support/app';
import { isolatedConfig, stackEnv, uniqueName, waitFor } from './support/stack';

interface Call {
  taskId: string;
  data: string;
  msgId: string;
  ctx: FireContext;
}

interface Fire {
  state: string;
  attempts: {
    attempt: number;
    published_at_ms?: number;
    outcomes: { result: string; at_ms: number }[];
  }[];
}

const DAY = 86_400;
const nowS = () => Math.floor(Date.now() / 1000);

/**
 * docs/compatibility.md, row by row where a client of the original Go task center would notice:
 * its create request as its Go client sends it, its answers, a handler registered as
 * `'a || b'`, what `'*'` receives beside a tag's own handler, the default redelivery schedule,
 * and query-task-by-name's page without `limit`. The real AppModule on the real stack, with a
 * real SDK worker.
 */
describe('compatibility with the original Go task center (real Kafka, MongoDB-wire server, SDK worker)', () => {
  let config: AppConfig;
  let app: INestApplication | undefined;
  let worker: TaskWorker | undefined;
  const calls: Record<'ab' | 'own' | 'any' | 'flaky', Call[]> = {
    ab: [],
    own: [],
    any: [],
    flaky: [],
  };
  const api = () => request(app!.getHttpServer());
  const create = async (body: object): Promise<string> =>
    (await api().post('/v1/api/task').send(body).expect(200)).body.taskid as string;
  const fireOf = async (taskid: string): Promise<Fire | undefined> =>
    ((await api().get('/v1/api/task-runs').query({ taskid }).expect(200)).body as Fire[])[0];
  const handledBy = (list: Call[]) => list.map((c) => c.taskId);

  beforeAll(async () => {
    config = isolatedConfig();
    app = await startApp(config);
    worker = new TaskWorker({
      brokers: stackEnv().kafkaBrokers,
      groupId: uniqueName('compat-worker'),
      topic: config.kafka.topics.tasks,
      resultsTopic: config.kafka.topics.results,
      fromBeginning: true,
      consumer: { sessionTimeout: 6000, heartbeatInterval: 500, maxWaitTimeInMs: 100 },
      logger: { log: () => undefined, warn: () => undefined, error: () => undefined },
    });
    const record =
      (into: Call[]) => (taskId: string, data: string, msgId: string, ctx: FireContext) =>
        void into.push({ taskId, data, msgId, ctx });
    let failedOnce = false;
    worker
      .addTaskHandler('compat.a || compat.b', record(calls.ab))
      .addTaskHandler('compat.own', record(calls.own))
      .addTaskHandler('*', record(calls.any))
      .addTaskHandler('compat.flaky', (taskId, data, msgId, ctx) => {
        calls.flaky.push({ taskId, data, msgId, ctx });
        if (!failedOnce) {
          failedOnce = true;
          throw new Error('the first delivery fails');
        }
      });
    await worker.start();
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
    await stopApp(app);
    const admin = new Kafka({
      brokers: stackEnv().kafkaBrokers,
      logLevel: logLevel.NOTHING,
    }).admin();
    try {
      await admin.connect();
      const { tasks, results, deadLetter } = config.kafka.topics;
      await admin.deleteTopics({ topics: [tasks, results, deadLetter], timeout: 5000 });
    } catch {
      // leftovers expire with the broker's retention
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  });

  it("takes the create request of the original's Go client (every field, zero values included) and answers in its shape", async () => {
    // schema.AddTaskArgs marshalled by encoding/json: no omitempty, so unset fields come as 0/"".
    const body = {
      name: 'compat.a',
      type: 1,
      data: '{"order":7}',
      crontab: '',
      loop_time: 0,
      loop_count: 0,
      start_time: 0,
      end_time: 0,
      max_runtime: 0,
      ack: false,
    };
    const created = await api().post('/v1/api/task').send(body).expect(200);
    expect(created.body).toEqual({
      taskid: expect.stringMatching(/^[0-9a-f]{24}$/),
      name: 'compat.a',
      created: true,
    });
    const task = (
      await api().get('/v1/api/query-task-by-id').query({ taskid: created.body.taskid }).expect(200)
    ).body;
    expect(task).toMatchObject({
      _id: created.body.taskid,
      name: 'compat.a',
      type: 1,
      data: body.data,
    });
    expect(Number.isInteger(task.created_at)).toBe(true);
    expect(task.created_at).toBeGreaterThan(nowS() - 60);
    for (const unset of [
      'crontab',
      'loop_time',
      'loop_count',
      'start_time',
      'end_time',
      'max_runtime',
    ]) {
      expect(task).not.toHaveProperty(unset);
    }

    const deleted = await api()
      .post('/v1/api/delete-task')
      .send({ ids: [created.body.taskid] });
    expect(deleted.body).toEqual({ SucIds: [created.body.taskid] });
  });

  it('answers a bad request {err, msg} with 400 as the first three digits of err', async () => {
    const res = await api()
      .post('/v1/api/task')
      .send({ name: 'has space', type: 1, data: 'x' })
      .expect(400);
    expect(res.body).toEqual({
      err: 40001,
      msg: expect.stringContaining('name must be 1-200 characters'),
    });
    expect(Math.floor(res.body.err / 100)).toBe(400);
  });

  it('refuses, each with its own 4xx and reason, what the original let through', async () => {
    const task = { name: 'compat.refused', type: 1, data: 'x' };
    const refused = async (res: request.Test, status: number) => (await res.expect(status)).body;

    expect(
      await refused(
        api()
          .post('/v1/api/task')
          .send({ ...task, loop_tme: 5 }),
        400,
      ),
    ).toEqual({
      err: 40001,
      msg: 'property loop_tme should not exist',
    });
    expect(
      await refused(
        api().post('/v1/api/task').set('content-type', 'text/plain').send(JSON.stringify(task)),
        415,
      ),
    ).toEqual({ err: 41501, msg: 'content-type must be application/json (got text/plain)' });
    expect(
      await refused(
        api()
          .post('/v1/api/task')
          .send({ ...task, ack: true }),
        400,
      ),
    ).toEqual({
      err: 40001,
      msg: 'ack needs max_runtime: the time to wait for an outcome',
    });
    const cron = { name: 'compat.refused', type: 3, data: 'x' };
    for (const [crontab, fields] of [
      ['@daily', 1],
      ['@every 1h30m', 2],
      ['TZ=Asia/Tokyo 0 30 4 * * *', 7],
    ] as const) {
      const body = await refused(
        api()
          .post('/v1/api/task')
          .send({ ...cron, crontab }),
        400,
      );
      expect(body).toMatchObject({ err: 40003, msg: expect.stringContaining(`got ${fields}`) });
    }
    expect(
      await refused(
        api()
          .post('/v1/api/delete-task')
          .send({ ids: ['nothex'] }),
        400,
      ),
    ).toMatchObject({
      err: 40001,
    });
    expect(
      await refused(
        api()
          .get('/v1/api/query-task-by-id')
          .query({ taskid: 'f'.repeat(24) }),
        404,
      ),
    ).toMatchObject({ err: 40401 });
    // The original's server code registered its routes under /api/v1 (its documentation: /v1/api).
    expect(await refused(api().post('/api/v1/task').send(task), 404)).toMatchObject({ err: 40402 });
  });

  it("runs a handler registered as 'a || b' for fires of both tags, called (taskid, data, msgid)", async () => {
    const a = await create({ name: 'compat.a', type: 1, data: 'for a' });
    const b = await create({ name: 'compat.b', type: 1, data: 'for b' });
    await waitFor('both fires at the a || b handler', () =>
      [a, b].every((id) => handledBy(calls.ab).includes(id)),
    );
    const [first, second] = [a, b].map((id) => calls.ab.find((c) => c.taskId === id)!);
    expect([first!.data, first!.ctx.tag, second!.data, second!.ctx.tag]).toEqual([
      'for a',
      'compat.a',
      'for b',
      'compat.b',
    ]);
    for (const call of [first!, second!]) {
      expect(call.msgId).toBe(call.ctx.messageId);
      expect(call.ctx.attempt).toBe(1);
    }
  });

  it("sends '*' only the fires whose tag has no handler of its own: 'a' to 'a' alone, 'b' to '*'", async () => {
    const own = await create({ name: 'compat.own', type: 1, data: 'mine' });
    const other = await create({ name: 'compat.other', type: 1, data: 'nobody' });
    // Each fire's outcome is recorded after every handler it ran has returned.
    for (const id of [own, other]) {
      await waitFor(
        `the fire of ${id} to succeed`,
        async () => (await fireOf(id))?.state === 'succeeded',
      );
    }
    expect(handledBy(calls.own)).toEqual([own]);
    expect(handledBy(calls.any)).toEqual([other]);
    expect(handledBy(calls.ab)).not.toContain(own);
    expect(calls.any[0]!.ctx.tag).toBe('compat.other');
  });

  it('redelivers a failed fire of a task without `retry` 10 s later, the first of the sixteen default retries', async () => {
    const flaky = await create({ name: 'compat.flaky', type: 1, data: 'twice' });
    const fire = await waitFor(
      'the second delivery to succeed',
      async () => {
        const found = await fireOf(flaky);
        return found?.state === 'succeeded' && found;
      },
      { timeoutMs: 45_000, intervalMs: 500 },
    );
    expect(fire.attempts.map((a) => [a.attempt, a.outcomes.map((o) => o.result)])).toEqual([
      [1, ['failed']],
      [2, ['succeeded']],
    ]);
    // A lower bound only: the center never redelivers before the delay; later is load.
    const failedAt = fire.attempts[0]!.outcomes[0]!.at_ms;
    expect(fire.attempts[1]!.published_at_ms! - failedAt).toBeGreaterThanOrEqual(10_000);
    expect(calls.flaky.map((c) => c.ctx.attempt)).toEqual([1, 2]);
  });

  describe('query-task-by-name without limit: a page of 100 that says when there is more', () => {
    /** `n` one-shots named `name`, a day ahead (they never fire here), in one request. */
    async function seed(name: string, n: number): Promise<void> {
      const tasks = Array.from({ length: n }, (_, i) => ({
        name,
        type: 1,
        data: String(i),
        start_time: nowS() + DAY,
      }));
      const res = await api().post('/v1/api/create-tasks').send({ tasks }).expect(200);
      expect(res.body).toMatchObject({ created: n, failed: 0 });
    }
    const page = (name: string, query: Record<string, string> = {}) =>
      api()
        .get('/v1/api/query-task-by-name')
        .query({ name, ...query })
        .expect(200);

    beforeAll(async () => {
      await seed('compat.page.101', 101);
      await seed('compat.page.100', 100);
      await seed('compat.page.3', 3);
    }, 60_000);

    it('more than a page: 100 tasks, more: true with the cursor in the body and the header', async () => {
      const first = await page('compat.page.101', { envelope: 'true' });
      expect(first.body.tasks).toHaveLength(100);
      expect(first.body.more).toBe(true);
      expect(first.body.next_cursor).toMatch(/^[0-9a-f]{24}$/);
      expect(first.headers['x-next-cursor']).toBe(first.body.next_cursor);

      const rest = await page('compat.page.101', {
        envelope: 'true',
        cursor: first.body.next_cursor,
      });
      expect(rest.body).toEqual({ tasks: [expect.any(Object)], more: false, next_cursor: null });
      expect(rest.headers['x-next-cursor']).toBeUndefined();
      const ids = [...first.body.tasks, ...rest.body.tasks].map((t: { _id: string }) => t._id);
      expect(new Set(ids).size).toBe(101);
    });

    it('exactly a page, or less: more: false, no cursor', async () => {
      for (const [name, n] of [
        ['compat.page.100', 100],
        ['compat.page.3', 3],
      ] as const) {
        const res = await page(name, { envelope: 'true' });
        expect(res.body.tasks).toHaveLength(n);
        expect(res.body).toMatchObject({ more: false, next_cursor: null });
        expect(res.headers['x-next-cursor']).toBeUndefined();
      }
    });

    it("keeps the original's bare array by default: the same page, more said by the header", async () => {
      const bare = await page('compat.page.101');
      const enveloped = await page('compat.page.101', { envelope: 'true' });
      expect(Array.isArray(bare.body)).toBe(true);
      expect(bare.body).toEqual(enveloped.body.tasks);
      expect(bare.headers['x-next-cursor']).toBe(enveloped.body.next_cursor);
      expect((await page('compat.page.100')).headers['x-next-cursor']).toBeUndefined();
      expect((await page('compat.page.3', { envelope: 'false' })).body).toHaveLength(3);
    });

    it('refuses an envelope that is not true or false, naming it', async () => {
      const res = await api()
        .get('/v1/api/query-task-by-name')
        .query({ name: 'compat.page.3', envelope: 'yes' })
        .expect(400);
      expect(res.body).toEqual({ err: 40001, msg: 'envelope must be true or false' });
    });
  });
});
