/**
 * Retention on a real center (its own process) with real SDK workers, retentions of seconds
 * and 1 s buckets: fires, run events, completed and deleted tasks, dead letters and workers
 * not heard from are purged; an active loop task and its recent history, a paused task, a
 * pending redelivery timer and a dead letter inside its retention are left alone.
 */
import mongoose, { type Connection } from 'mongoose';
import { type ApiClient } from './support/api-client';
import { CenterFleet, type RunningCenter } from './support/center-fleet';
import { type RunsWorkerProcess, spawnReadyWorker } from './support/runs-spawn';
import { acquireStackLock } from './support/stack-control';
import { isolatedEnv, waitFor } from './support/stack';

interface FireView {
  fire_id: string;
  state: string;
  scheduled_at_ms: number;
  attempts: { attempt: number; outcomes: { result: string }[] }[];
}

const TAGS = { ok: 'retention.ok', broken: 'retention.broken', retrying: 'retention.retrying' };
const HISTORY_S = 4;
const DEAD_LETTERS_S = 10;

describe('retention: each growing collection purged, nothing live touched (real center and SDK worker)', () => {
  let releaseLock: (() => void) | undefined;
  let fleet: CenterFleet;
  let center: RunningCenter;
  let api: ApiClient;
  let worker: RunsWorkerProcess | undefined;
  let db: Connection;

  beforeAll(async () => {
    releaseLock = await acquireStackLock('test/retention.e2e-spec.ts');
    const env = isolatedEnv({
      RETENTION_BUCKET_S: '1',
      RETENTION_HISTORY_S: String(HISTORY_S),
      RETENTION_FINISHED_TASKS_S: '4',
      RETENTION_DEAD_LETTERS_S: String(DEAD_LETTERS_S),
      RETENTION_WORKERS_S: '5',
    });
    fleet = new CenterFleet(env);
    center = await fleet.start('a');
    api = center.api;
    db = await mongoose.createConnection(env.MONGODB_URI!).asPromise();
    const topics = { tasks: env.KAFKA_TOPIC_TASKS!, results: env.KAFKA_TOPIC_RESULTS! };
    // A worker that heartbeats, then stops for good: its record must go after 5 s.
    const gone = await spawnReadyWorker(topics, { [TAGS.ok]: 1 }, 'retention-gone');
    const goneIds = await waitFor('the first worker in the registry', async () => {
      const ids = (await db.collection('workers').find().toArray()).map((w) => String(w._id));
      return ids.length > 0 && ids;
    });
    await gone.stop();
    goneWorkers = goneIds;
    worker = await spawnReadyWorker(
      topics,
      { [TAGS.ok]: 1, [TAGS.broken]: 0, [TAGS.retrying]: 0 },
      'retention-worker',
    );
  }, 120_000);

  let goneWorkers: string[] = [];

  afterAll(async () => {
    try {
      await worker?.stop();
      await db?.dropDatabase().catch(() => undefined);
      await db?.close();
      for (const c of fleet?.started ?? []) await fleet.stop(c, 'SIGKILL');
    } finally {
      releaseLock?.();
    }
  });

  const count = (collection: string, filter: Record<string, unknown>) =>
    db.collection(collection).countDocuments(filter);
  const taskDoc = (id: string) =>
    db.collection('tasks').findOne({ _id: new mongoose.Types.ObjectId(id) });
  const deadIds = async () =>
    (await db.collection('dead_letters').find().toArray()).map((d) => String(d._id));
  const runsOf = (taskid: string) =>
    api.call<FireView[]>('GET', '/v1/api/task-runs', { query: { taskid, limit: '100' } });

  it('purges fires, run events, finished tasks, dead letters and stale workers; keeps the rest', async () => {
    const started = Date.now();
    const loop = await api.createTask({ name: TAGS.ok, type: 2, loop_time: 1, data: '{}' });
    const paused = await api.createTask({ name: TAGS.ok, type: 2, loop_time: 3600, data: '{}' });
    await api.call('POST', '/v1/api/pause-task', { body: { taskid: paused } });
    const once = await api.createTask({ name: TAGS.ok, type: 1, data: '{}' });
    const deleted = await api.createTask({ name: TAGS.ok, type: 2, loop_time: 3600, data: '{}' });
    await api.deleteTasks([deleted]);
    // Every fire fails; the redelivery is 2 minutes away: its timer must outlive the history.
    const retrying = await api.createTask({
      name: TAGS.retrying,
      type: 2,
      loop_time: 3600,
      data: '{}',
      start_time: Math.floor(Date.now() / 1000) + 1,
      retry: { max_attempts: 3, backoff: 'fixed', delay: 120 },
    });
    const deadA = await api.createTask({
      name: TAGS.broken,
      type: 1,
      data: '{}',
      retry: { max_attempts: 1 },
    });

    // The one-shot ran and is recorded; the first dead letter is there.
    await waitFor(
      'the one-shot recorded',
      async () => (await count('run_events', { task_id: once })) > 0,
      {
        timeoutMs: 20_000,
      },
    );
    expect(await count('fires', { task_id: once })).toBe(1);
    const timerId = await waitFor(
      'a pending redelivery',
      async () => {
        const t = await db
          .collection('run_timers')
          .findOne({ task_id: retrying, kind: 'redeliver' });
        return t ? String(t._id) : undefined;
      },
      { timeoutMs: 20_000 },
    );
    const [letterA] = await waitFor(
      'the first dead letter',
      async () => {
        const ids = await deadIds();
        return ids.length === 1 && ids;
      },
      { timeoutMs: 20_000 },
    );
    const diedA = Date.now();

    // A second dead letter, 5 s younger: it must still be there when the first is purged.
    await new Promise((r) => setTimeout(r, 5000));
    const deadB = await api.createTask({
      name: TAGS.broken,
      type: 1,
      data: '{}',
      retry: { max_attempts: 1 },
    });
    const letterB = await waitFor(
      'the second dead letter',
      async () => {
        const ids = await deadIds();
        return ids.find((id) => id.startsWith(deadB));
      },
      { timeoutMs: 20_000 },
    );

    // Everything past its retention goes.
    await waitFor(
      'the one-shot history, the finished tasks and the stale worker purged',
      async () =>
        (await count('fires', { task_id: once })) === 0 &&
        (await count('run_events', { task_id: once })) === 0 &&
        (await taskDoc(once)) === null &&
        (await taskDoc(deleted)) === null &&
        (await taskDoc(deadA)) === null &&
        (await db
          .collection('workers')
          .countDocuments({ _id: { $in: goneWorkers as never[] } })) === 0,
      { timeoutMs: 25_000, intervalMs: 250 },
    );
    await waitFor(
      'the first dead letter purged',
      async () => !(await deadIds()).includes(letterA!),
      {
        timeoutMs: 25_000,
        intervalMs: 100,
      },
    );
    const purgedAfterMs = Date.now() - diedA;
    // Not before its retention (plus a whole bucket), and the younger one is still there.
    expect(purgedAfterMs).toBeGreaterThanOrEqual(DEAD_LETTERS_S * 1000);
    expect(await deadIds()).toContain(letterB);

    // Left alone: the live tasks, the live worker, the pending timer.
    expect((await api.getTask(loop)).status).toBe('active');
    expect((await api.getTask(paused)).status).toBe('paused');
    expect((await api.getTask(retrying)).status).toBe('active');
    expect(await db.collection('run_timers').findOne({ _id: timerId as never })).not.toBeNull();
    expect(await db.collection('workers').countDocuments()).toBeGreaterThanOrEqual(1);

    // The loop's history: only recent fires, each whole (its attempt and its outcome).
    const runs = await runsOf(loop);
    const now = Date.now();
    process.stdout.write(
      `retention e2e: loop history ${runs.length} fires, oldest ${now - Math.min(...runs.map((f) => f.scheduled_at_ms))} ms old; ` +
        `dead letter purged ${purgedAfterMs} ms after it died\n`,
    );
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(runs.length).toBeLessThan(Math.ceil((now - started) / 1000) - 3);
    for (const fire of runs) {
      // Retention, plus a whole bucket, plus the pass period and a pass's paced statements.
      expect(fire.scheduled_at_ms).toBeGreaterThan(now - (HISTORY_S + 8) * 1000);
      expect(fire.attempts[0]?.attempt).toBe(1);
      if (fire.state === 'succeeded')
        expect(fire.attempts[0]?.outcomes[0]?.result).toBe('succeeded');
      else expect(fire.state).toBe('dispatched'); // the newest, its outcome on the way
    }
    // Every run event left belongs to a fire left: none orphaned by a half purge.
    const fireIds = new Set(
      (await db.collection('fires').find({ task_id: loop }).toArray()).map((f) =>
        String(f._id).split(':').slice(0, 2).join(':'),
      ),
    );
    const events = await db.collection('run_events').find({ task_id: loop }).toArray();
    for (const e of events) expect(fireIds.has(`${e.task_id}:${e.scheduled_at}`)).toBe(true);

    const metrics = await (await fetch(`http://127.0.0.1:${center.port}/metrics`)).text();
    for (const c of ['fires', 'run_events', 'tasks', 'dead_letters', 'workers']) {
      expect(metrics).toMatch(
        new RegExp(`task_center_retention_deleted_total\\{collection="${c}"\\} [1-9]`),
      );
    }
    expect(metrics).toMatch(/task_center_retention_last_pass_seconds \d/);
  }, 90_000);
});
