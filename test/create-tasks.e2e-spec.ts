import { type INestApplication } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import {
  type CreateTaskItemResult,
  type CreateTaskRequest,
  TaskCenterClient,
} from '@task-center/client';
import { type Connection } from 'mongoose';
import { type AddressInfo } from 'node:net';
import request from 'supertest';
import { type AppConfig } from '../apps/task-center/src/config';
import { startApp, stopApp } from './support/app';
import {
  FireConsumer,
  fireViolations,
  firstOf,
  inconsistentDuplicates,
  missingFires,
} from './support/fire-consumer';
import { isolatedConfig, waitFor } from './support/stack';

const HOUR = 3600;
const nowS = () => Math.floor(Date.now() / 1000);
type Ok = Extract<CreateTaskItemResult, { ok: true }>;

/**
 * POST /v1/api/create-tasks on the real stack: a result per item in order, the single
 * create's answers and errors, the bounds, idempotency per key under concurrent requests, and
 * tasks that fire.
 */
describe('bulk create: POST /v1/api/create-tasks (real stack)', () => {
  let app: INestApplication;
  let config: AppConfig;
  let sdk: TaskCenterClient;
  let reader: FireConsumer | undefined;
  const api = () => request(app.getHttpServer());
  const createMany = (tasks: unknown[]) => api().post('/v1/api/create-tasks').send({ tasks });
  const tasksCollection = () => app.get<Connection>(getConnectionToken()).collection('tasks');

  beforeAll(async () => {
    config = isolatedConfig({ TASK_DATA_MAX_BYTES: '1000' });
    app = await startApp(config);
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    sdk = new TaskCenterClient({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 30_000 });
    // After the app created its topics, before any task exists.
    reader = await FireConsumer.start(config.kafka.brokers, [config.kafka.topics.tasks]);
  }, 120_000);

  afterAll(async () => {
    await stopApp(app);
    await reader?.stop();
    await reader?.deleteTopics([
      config.kafka.topics.tasks,
      config.kafka.topics.results,
      config.kafka.topics.deadLetter,
    ]);
  });

  it('answers each item in order: created, existing by key, or the error the single create gives it', async () => {
    const later = nowS() + HOUR;
    const oneShot = (extra: object) => ({ name: 'bulk.mixed', type: 1, data: 'd', ...extra });
    const before = await api()
      .post('/v1/api/task')
      .send(oneShot({ start_time: later, key: 'mixed-old' }))
      .expect(200);
    const items = [
      oneShot({ start_time: later, key: 'mixed-a', data: 'first' }),
      oneShot({ name: 'has space' }),
      { name: 'bulk.mixed', type: 3, data: '', crontab: 'not a cron' },
      oneShot({ colour: 'red' }),
      oneShot({ data: 'x'.repeat(1001) }),
      { name: 'bulk.mixed', type: 2, data: '', loop_time: 60, end_time: nowS() - HOUR },
      oneShot({ start_time: later, key: 'mixed-a', data: 'second' }),
      { name: 'bulk.mixed', type: 2, data: 'loop', loop_time: 60, start_time: later },
      oneShot({ start_time: later, key: 'mixed-old', data: 'other' }),
      oneShot({ ack: true }),
    ];
    const res = await createMany(items).expect(200);
    const results = res.body.results as CreateTaskItemResult[];
    expect(results).toHaveLength(items.length);
    expect(results.map((r) => (r.ok ? (r.created ? 'created' : 'existing') : r.err))).toEqual([
      'created',
      40001,
      40003,
      40001,
      41302,
      40003,
      'existing',
      'created',
      'existing',
      40001,
    ]);
    expect(res.body).toMatchObject({ created: 2, existing: 2, failed: 6 });

    // Each refused item gets exactly what POST /v1/api/task answers for the same body.
    for (const [i, r] of results.entries()) {
      if (r.ok) continue;
      const single = await api().post('/v1/api/task').send(items[i]);
      expect([i, single.body]).toEqual([i, { err: r.err, msg: r.msg }]);
    }
    // A repeated key is the first item's task, whose definition stays the first's.
    const [first, , , , , , repeat, loop, old] = results as Ok[];
    expect(repeat!.taskid).toBe(first!.taskid);
    expect(old!.taskid).toBe(before.body.taskid);
    const stored = await api()
      .get('/v1/api/query-task-by-id')
      .query({ taskid: first!.taskid })
      .expect(200);
    expect(stored.body).toMatchObject({ key: 'mixed-a', data: 'first', next_run_at: later });
    const storedLoop = await api().get('/v1/api/query-task-by-id').query({ taskid: loop!.taskid });
    expect(storedLoop.body).toMatchObject({ type: 2, loop_time: 60, next_run_at: later });
    expect(await tasksCollection().countDocuments({ name: 'bulk.mixed' })).toBe(3);

    // With upsert, a live key's task is updated (as the single create does).
    const upserted = await createMany([
      oneShot({ start_time: later, key: 'mixed-a', data: 'third', upsert: true }),
    ]).expect(200);
    expect(upserted.body.results).toEqual([
      { ok: true, taskid: first!.taskid, name: 'bulk.mixed', created: false },
    ]);
    const after = await api().get('/v1/api/query-task-by-id').query({ taskid: first!.taskid });
    expect(after.body.data).toBe('third');
  });

  it('refuses 0 and 1,001 items, a missing list and a non-object item with 400, creating nothing', async () => {
    const task = { name: 'bulk.bounds', type: 1, data: '', start_time: nowS() + HOUR };
    const cases: [unknown, string][] = [
      [{ tasks: [] }, 'tasks must hold at least 1 task'],
      [
        { tasks: Array.from({ length: 1001 }, () => task) },
        'tasks must hold at most 1000 tasks; send more in several requests',
      ],
      [{}, 'tasks must be an array of task definitions'],
      [{ tasks: [task, 'nope'] }, 'tasks[1] must be an object (a task definition)'],
      [{ tasks: [task], extra: 1 }, 'property extra should not exist'],
    ];
    for (const [body, msg] of cases) {
      const res = await api()
        .post('/v1/api/create-tasks')
        .send(body as object);
      expect([res.status, res.body]).toEqual([400, { err: 40001, msg }]);
    }
    expect(await tasksCollection().countDocuments({ name: 'bulk.bounds' })).toBe(0);
  });

  it('answers a list whose every item is invalid with 200 and each item its error (found by schemathesis: a 500)', async () => {
    const res = await api()
      .post('/v1/api/create-tasks')
      .send({ tasks: [{}, { name: 'bulk.none', type: 9 }] });
    expect(res.status).toBe(200);
    const results = res.body.results as CreateTaskItemResult[];
    expect(results.map((r) => (r.ok ? 'ok' : r.err))).toEqual([40001, 40001]);
    expect(res.body).toMatchObject({ created: 0, existing: 0, failed: 2 });
    expect(await tasksCollection().countDocuments({ name: 'bulk.none' })).toBe(0);
  });

  it('8 concurrent requests with overlapping keys: one task per key, every result points at it', async () => {
    const KEYS = 120;
    const start = nowS() + HOUR;
    // Request r: 60 keys from r*15 (wrapping: each key is in 4 requests), then its first 5
    // again (repeats within a request).
    const bodies = Array.from({ length: 8 }, (_, r) => {
      const keys = Array.from({ length: 60 }, (_, j) => `conc-${(r * 15 + j) % KEYS}`);
      return [...keys, ...keys.slice(0, 5)].map((key) => ({
        name: 'bulk.concurrent',
        type: 1,
        data: `request ${r}`,
        start_time: start,
        key,
      }));
    });
    const answers = await Promise.all(bodies.map((tasks) => createMany(tasks).expect(200)));

    const idOf = new Map<string, Set<string>>();
    const createdBy = new Map<string, string[]>();
    answers.forEach((res, r) => {
      const results = res.body.results as CreateTaskItemResult[];
      expect(results).toHaveLength(bodies[r]!.length);
      results.forEach((result, i) => {
        const key = bodies[r]![i]!.key;
        expect([key, result.ok]).toEqual([key, true]);
        const ok = result as Ok;
        idOf.set(key, (idOf.get(key) ?? new Set()).add(ok.taskid));
        if (ok.created) createdBy.set(key, [...(createdBy.get(key) ?? []), `request ${r}`]);
      });
    });
    expect(idOf.size).toBe(KEYS);
    const split = [...idOf].filter(([, ids]) => ids.size !== 1).map(([key]) => key);
    expect(firstOf(split)).toEqual([]);
    const notOnce = [...idOf.keys()].filter((key) => createdBy.get(key)?.length !== 1);
    expect(firstOf(notOnce)).toEqual([]);

    // The database holds exactly one live task per key, made by the request that says it created it.
    const docs = await tasksCollection()
      .find({ name: 'bulk.concurrent', status: { $ne: 'deleted' } })
      .project<{ _id: { toHexString(): string }; key: string; data: string }>({ key: 1, data: 1 })
      .toArray();
    expect(docs).toHaveLength(KEYS);
    const wrong = docs.filter(
      (d) => !idOf.get(d.key)?.has(d._id.toHexString()) || createdBy.get(d.key)?.[0] !== d.data,
    );
    expect(firstOf(wrong.map((d) => d.key))).toEqual([]);

    // The same request again creates nothing and answers the same tasks.
    const again = await createMany(bodies[3]!).expect(200);
    expect(again.body).toMatchObject({ created: 0, existing: bodies[3]!.length, failed: 0 });
    const sameIds = (again.body.results as Ok[]).every((r, i) =>
      idOf.get(bodies[3]![i]!.key)!.has(r.taskid),
    );
    expect(sameIds).toBe(true);
  });

  it('the tasks it creates fire: 100 one-shots due 3 s later, sent by the SDK in 3 requests', async () => {
    const start = nowS() + 3;
    const tasks: CreateTaskRequest[] = Array.from({ length: 100 }, (_, i) => ({
      name: 'bulk.fire',
      type: 1,
      data: String(i),
      start_time: start,
    }));
    const progress: number[] = [];
    // Few enough to fire in time on FerretDB's SQLite backend under CI load; the SDK's chunking
    // is the one of 1,000 a request, made smaller.
    const result = await sdk.createTasks(tasks, {
      chunkSize: 40,
      onProgress: (done) => progress.push(done),
    });
    expect(result).toMatchObject({ created: 100, existing: 0, failed: 0 });
    // A call per request (40, 40, 20 tasks), the last one with all 100 answered.
    expect(progress).toHaveLength(3);
    expect(Math.max(...progress)).toBe(100);
    const ids = result.results.map((r) => (r as Ok).taskid);
    expect(new Set(ids).size).toBe(100);

    const expected = ids.map((taskId) => ({ taskId, scheduledAt: start * 1000 }));
    await waitFor(
      'a fire of every task',
      () => missingFires(reader!.forTasks(ids), expected).length === 0,
      { timeoutMs: 30_000, intervalMs: 200 },
    ).catch((err: Error) => {
      const missing = missingFires(reader!.forTasks(ids), expected);
      throw new Error(`${err.message}; ${missing.length} missing: ${firstOf(missing).join(', ')}`);
    });
    const messages = reader!.forTasks(ids);
    expect(firstOf(fireViolations(messages))).toEqual([]);
    // At least once: a repeat carries the same message id.
    expect(firstOf(inconsistentDuplicates(messages))).toEqual([]);
  });
});
