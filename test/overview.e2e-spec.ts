import { type INestApplication } from '@nestjs/common';
import { TaskWorker } from '@task-center/client';
import { type AddressInfo } from 'node:net';
import { type AppConfig } from '../apps/task-center/src/config';
import { ApiCallError, ApiClient, createMany } from './support/api-client';
import { startApp, stopApp } from './support/app';
import { isolatedConfig, stackEnv, uniqueName, waitFor } from './support/stack';

interface Point {
  at_ms: number;
  fires: number;
  succeeded: number;
  failed: number;
  timeout: number;
  dead: number;
}
interface Overview {
  generated_at_ms: number;
  tasks: null | {
    total: number;
    by_status: Record<string, number>;
    by_type: Record<string, number>;
  };
  series: { minute_ms: number; points: Point[] };
  lateness: { count: number; p50_ms: number | null; p99_ms: number | null; max_ms: number | null };
  dead_letters_waiting: number | null;
  workers: { live: number; by_tag: { tag: string; live_workers: number }[] };
  tags_without_worker: null | { tags: string[]; truncated: boolean };
  replicas_reporting: number;
}

const sum = (o: Overview, key: keyof Omit<Point, 'at_ms'>) =>
  o.series.points.reduce((total, p) => total + p[key], 0);

/**
 * GET /v1/api/overview against the real stack: one-shots fire through the real dispatcher, a
 * real SDK worker succeeds for one tag and throws for another (one attempt: dead letters), and
 * the overview shows the counts written by the replica, also after a restart.
 */
describe('GET /v1/api/overview (real Kafka, real MongoDB-wire server, real SDK worker)', () => {
  let config: AppConfig;
  let app: INestApplication | undefined;
  let api: ApiClient;
  let worker: TaskWorker | undefined;

  const overview = (query: Record<string, string | number> = {}) =>
    api.call<Overview>('GET', '/v1/api/overview', { query });

  async function boot() {
    app = await startApp(config);
    await app.listen(0, '127.0.0.1');
    api = ApiClient.forPort((app.getHttpServer().address() as AddressInfo).port);
  }

  beforeAll(async () => {
    config = isolatedConfig({
      OVERVIEW_WRITE_S: '1',
      RUNS_RESULTS_GROUP: uniqueName('overview'),
    });
    await boot();
    worker = new TaskWorker({
      brokers: stackEnv().kafkaBrokers,
      groupId: uniqueName('overview-worker'),
      topic: config.kafka.topics.tasks,
      resultsTopic: config.kafka.topics.results,
      fromBeginning: true,
      heartbeatIntervalMs: 1000,
      consumer: { sessionTimeout: 6000, heartbeatInterval: 500, maxWaitTimeInMs: 100 },
      logger: { log: () => undefined, warn: () => undefined, error: () => undefined },
    });
    worker.addTaskHandler('ov.ok', () => undefined);
    worker.addTaskHandler('ov.fail', () => {
      throw new Error('ov.fail always fails');
    });
    await worker.start();
  }, 60_000);

  afterAll(async () => {
    await worker?.stop();
    await stopApp(app);
  });

  it('answers before anything ran: a zero-filled series of the last hour, ending now', async () => {
    const o = await overview();
    expect(o.series.minute_ms).toBe(60_000);
    expect(o.series.points).toHaveLength(60);
    const last = o.series.points.at(-1)!;
    expect(last.at_ms).toBe(Math.floor(o.generated_at_ms / 60_000) * 60_000);
    expect(o.series.points[0]!.at_ms).toBe(last.at_ms - 59 * 60_000);
    expect(sum(o, 'fires')).toBe(0);
    expect(o.lateness).toMatchObject({ count: 0, p50_ms: null, max_ms: null });
    expect((await overview({ minutes: 5 })).series.points).toHaveLength(5);
  });

  it('counts fires, outcomes, lateness, dead letters, tasks, workers and orphan tags', async () => {
    const day = Math.floor(Date.now() / 1000) + 86_400;
    await createMany(api, [
      ...Array.from({ length: 3 }, () => ({ name: 'ov.ok', type: 1, data: '{}' })),
      ...Array.from({ length: 2 }, () => ({
        name: 'ov.fail',
        type: 1,
        data: '{}',
        retry: { max_attempts: 1 },
      })),
      { name: 'ov.orphan', type: 3, crontab: '0 0 3 * * *', data: '{}' },
      { name: 'ov.later', type: 1, start_time: day, data: '{}' },
    ]);
    const [paused] = await createMany(api, [
      { name: 'ov.ok', type: 2, loop_time: 3600, start_time: day, data: '{}' },
    ]);
    await api.call('POST', '/v1/api/pause-task', { body: { taskid: paused } });

    let last: Overview | undefined;
    const o = await waitFor(
      'the overview to show every fire, outcome and dead letter',
      async () => {
        last = await overview();
        return (
          // Publishes acknowledged by Kafka: at least once per fire (a fire published again
          // under its message id, as a busy CI machine saw once, counts again).
          sum(last, 'fires') >= 5 &&
          sum(last, 'succeeded') === 3 &&
          sum(last, 'failed') === 2 &&
          sum(last, 'dead') === 2 &&
          last.dead_letters_waiting === 2 &&
          last.tasks?.by_status.completed === 5 &&
          last.tasks.by_status.paused === 1 &&
          last.workers.live === 1 &&
          last
        );
      },
      { timeoutMs: 45_000, intervalMs: 300 },
    ).catch((err: Error) => {
      throw new Error(`${err.message}; last: ${JSON.stringify({ ...last, series: undefined })}`);
    });
    expect(o.tasks).toMatchObject({
      total: 8,
      by_status: { active: 2, paused: 1, completed: 5, deleted: 0 },
      by_type: { one_shot: 6, loop: 1, crontab: 1 },
    });
    expect(o.lateness.count).toBe(sum(o, 'fires'));
    expect(o.lateness.p50_ms).not.toBeNull();
    expect(o.lateness.max_ms!).toBeGreaterThanOrEqual(o.lateness.p99_ms!);
    expect(sum(o, 'timeout')).toBe(0);
    expect(o.workers.by_tag).toEqual([
      { tag: 'ov.fail', live_workers: 1 },
      { tag: 'ov.ok', live_workers: 1 },
    ]);
    // Active and nobody handles them: the crontab and the one-shot of tomorrow.
    expect(o.tags_without_worker).toEqual({ tags: ['ov.later', 'ov.orphan'], truncated: false });
    expect(o.replicas_reporting).toBe(1);
  }, 60_000);

  it('keeps the counts across a restart: they were written by the replica, not held in memory', async () => {
    const before = await overview();
    await app?.close(); // keeps the database, unlike stopApp
    app = undefined;
    await boot();
    const after = await overview();
    expect(sum(after, 'fires')).toBe(sum(before, 'fires'));
    expect(sum(after, 'succeeded')).toBe(3);
    expect(sum(after, 'dead')).toBe(2);
    expect(after.lateness.count).toBe(before.lateness.count);
  }, 60_000);

  it('refuses out-of-range windows with a precise 400', async () => {
    for (const [query, msg] of [
      [{ minutes: 0 }, 'minutes must be an integer from 1 to 60'],
      [{ minutes: 61 }, 'minutes must be an integer from 1 to 60'],
      [{ lateness_minutes: 'soon' }, 'lateness_minutes must be an integer from 1 to 60'],
    ] as const) {
      const err = await overview(query).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiCallError);
      expect((err as ApiCallError).status).toBe(400);
      expect((err as ApiCallError).body).toMatchObject({ err: 40001 });
      expect(JSON.stringify((err as ApiCallError).body)).toContain(msg);
    }
  });
});
