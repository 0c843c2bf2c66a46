import { type INestApplication } from '@nestjs/common';
import {
  type FireContext,
  TaskCenterApiError,
  TaskCenterClient,
  TaskType,
  TaskWorker,
} from '@task-center/client';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type AppConfig } from '../apps/task-center/src/config';
import { startApp, stopApp } from './support/app';
import { acquireStackLock } from './support/stack-control';
import { isolatedConfig, uniqueName, waitFor } from './support/stack';
import { testKafka, WorkerTestKafka } from './support/worker-kafka';

const nowS = () => Math.floor(Date.now() / 1000);

describe('worker SDK: TaskCenterClient against a real task center', () => {
  let app: INestApplication | undefined;
  let config: AppConfig;
  let client: TaskCenterClient;
  let kafka: WorkerTestKafka;
  let releaseLock: (() => void) | undefined;

  beforeAll(async () => {
    releaseLock = await acquireStackLock('test/worker-sdk-http.e2e-spec.ts');
    config = isolatedConfig();
    app = await startApp(config);
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    client = new TaskCenterClient({ baseUrl: `http://127.0.0.1:${port}/` });
    kafka = new WorkerTestKafka();
    await kafka.connect();
  }, 120_000);

  afterAll(async () => {
    try {
      await stopApp(app);
      await kafka?.close();
    } finally {
      releaseLock?.();
    }
  });

  it('creates, reads, updates, pauses, resumes, runs now, previews and deletes a task', async () => {
    const name = uniqueName('sdk.http');
    const start = nowS() + 3600;
    const created = await client.createTask({
      name,
      type: TaskType.Loop,
      data: '{"report":"sales"}',
      loop_time: 60,
      start_time: start,
      key: `${name}-key`,
      retry: { max_attempts: 3, intervals: '60 600' },
    });
    expect(created).toEqual({ taskid: expect.any(String), name, created: true });
    const again = await client.createTask({
      name,
      type: TaskType.Loop,
      data: 'ignored',
      loop_time: 60,
      key: `${name}-key`,
    });
    expect(again).toEqual({ taskid: created.taskid, name, created: false });

    const task = await client.getTask(created.taskid);
    expect(task).toMatchObject({
      _id: created.taskid,
      name,
      type: TaskType.Loop,
      data: '{"report":"sales"}',
      loop_time: 60,
      status: 'active',
      next_run_at: start,
      retry: { max_attempts: 3, intervals: [60, 600] },
    });

    const updated = await client.updateTask(created.taskid, { loop_time: 120, data: 'v2' });
    expect(updated).toMatchObject({ loop_time: 120, data: 'v2' });
    expect((await client.pauseTask(created.taskid)).status).toBe('paused');
    expect((await client.resumeTask(created.taskid)).status).toBe('active');
    expect((await client.runTaskNow(created.taskid)).manual_runs).toHaveLength(1);

    const fires = await client.previewTask({
      type: TaskType.Crontab,
      crontab: '30 2 * * *',
      timezone: 'UTC',
      count: 3,
    });
    expect(fires).toHaveLength(3);
    expect(fires[0]!.iso).toMatch(/T02:30:00\.000Z$/);
    expect(fires[0]!.at).toBe(Date.parse(fires[0]!.iso) / 1000);

    expect(await client.deleteTask(created.taskid)).toBe(true);
    expect(await client.deleteTask(created.taskid)).toBe(false);
  });

  it('pages through tasks of a name with the X-Next-Cursor header, and deletes them by name', async () => {
    const name = uniqueName('sdk.page');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const created = await client.createTask({
        name,
        type: TaskType.OneShot,
        data: String(i),
        start_time: nowS() + 3600,
      });
      ids.push(created.taskid);
    }
    const first = await client.listTasksByName(name, { limit: 2 });
    expect(first.tasks).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await client.listTasksByName(name, { limit: 2, cursor: first.nextCursor });
    expect(second.nextCursor).toBeUndefined();
    const listed = [...first.tasks, ...second.tasks].map((t) => t._id);
    expect(listed.sort()).toEqual([...ids].sort());

    expect((await client.deleteTasksByName(name)).sort()).toEqual([...ids].sort());
    expect(await client.listTasksByName(name)).toEqual({ tasks: [] });
  });

  it('throws TaskCenterApiError with the status, the numeric code and the message', async () => {
    const missing = await client.getTask('0'.repeat(24)).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(TaskCenterApiError);
    expect(missing).toMatchObject({ status: 404, err: 40401 });

    const invalid = await client
      .createTask({ name: 'bad name', type: TaskType.OneShot, data: '' })
      .catch((e: unknown) => e);
    expect(invalid).toMatchObject({ status: 400, err: 40001 });
    expect((invalid as TaskCenterApiError).msg).toContain('name');

    const paused = await client.createTask({
      name: uniqueName('sdk.paused'),
      type: TaskType.OneShot,
      data: 'x',
      start_time: nowS() + 3600,
    });
    await client.pauseTask(paused.taskid);
    await expect(client.runTaskNow(paused.taskid)).rejects.toMatchObject({
      status: 409,
      err: 40902,
    });
  });

  it('gives up on a server that does not answer within timeoutMs, and on a closed port', async () => {
    const silent: Server = createServer(() => undefined); // never responds
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as AddressInfo;
      const slow = new TaskCenterClient({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 300 });
      await expect(slow.getTask('0'.repeat(24))).rejects.toMatchObject({
        status: 0,
        err: 0,
        msg: expect.stringContaining('no answer within 300 ms'),
      });
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
    const refused = new TaskCenterClient({ baseUrl: 'http://127.0.0.1:1' });
    await expect(refused.getTask('0'.repeat(24))).rejects.toBeInstanceOf(TaskCenterApiError);
  });

  it('a task created with the client reaches a TaskWorker handler with its data', async () => {
    const name = uniqueName('sdk.loop');
    const results = await kafka.readResults(config.kafka.topics.results);
    const seen: { data: string; ctx: FireContext }[] = [];
    const worker = new TaskWorker({
      kafka: testKafka('sdk-http-worker'),
      groupId: uniqueName('sdk-http-group'),
      topic: config.kafka.topics.tasks,
      resultsTopic: config.kafka.topics.results,
      fromBeginning: true,
      consumer: { sessionTimeout: 6000, heartbeatInterval: 500, maxWaitTimeInMs: 200 },
      logger: { log: () => undefined, warn: () => undefined, error: () => undefined },
    });
    worker.addTaskHandler(name, (_t, data, _m, ctx) => void seen.push({ data, ctx }));
    await worker.start();
    try {
      const { taskid } = await client.createTask({
        name,
        type: TaskType.OneShot,
        data: '{"hello":"worker"}',
        max_runtime: 30,
      });
      await waitFor('the fire to reach the handler', () => seen.length === 1, {
        timeoutMs: 30_000,
      });
      expect(seen[0]!.data).toBe('{"hello":"worker"}');
      expect(seen[0]!.ctx).toMatchObject({
        taskId: taskid,
        tag: name,
        attempt: 1,
        taskType: TaskType.OneShot,
        maxRuntime: 30,
      });
      const outcome = await waitFor('its outcome', () =>
        results.outcomes().find((o) => o.taskId === taskid),
      );
      expect(outcome.result).toBe('succeeded');
    } finally {
      await worker.stop();
    }
  });
});
