/**
 * Retention buckets against the real MongoDB-wire server (FerretDB v1 on the dev stack): every
 * collection's delete of one bucket removes that bucket and nothing else, a fire goes with all
 * its attempts and run events, live tasks carry no bucket, and how long a bucket's delete takes.
 */
import { TaskType } from '@task-center/contracts';
import { Types } from 'mongoose';
import { DeadLettersRepository } from '../../apps/task-center/src/repositories/dead-letters.repository';
import { FiresRepository } from '../../apps/task-center/src/repositories/fires.repository';
import { RunEventsRepository } from '../../apps/task-center/src/repositories/run-events.repository';
import { TasksRepository } from '../../apps/task-center/src/repositories/tasks.repository';
import { WorkersRepository } from '../../apps/task-center/src/repositories/workers.repository';
import {
  bucketOf,
  cutoffBucket,
  LATE_MARGIN_BUCKETS,
} from '../../apps/task-center/src/retention/retention-buckets';
import { type FireRecord, fireIdOf, runEvent } from '../../apps/task-center/src/runs/run-records';
import { type NewTask } from '../../apps/task-center/src/tasks/task';
import { RepositoriesHarness } from '../support/repositories';

const MIN = 60_000;
const DAY = 86_400_000;

function fire(taskId: string, scheduledAt: number, attempt = 1): FireRecord {
  return {
    messageId: `${taskId}:${scheduledAt}:${attempt}`,
    taskId,
    name: 'retention',
    scheduledAt,
    publishedAt: scheduledAt + attempt * 1000,
    attempt,
    manual: false,
  };
}

function loopTask(nextRunAt: number): NewTask {
  return {
    name: 'retention',
    type: TaskType.Loop,
    data: '{}',
    loopTime: 1,
    ack: false,
    timezone: 'UTC',
    misfire: 'fire_once',
    status: 'active',
    nextRunAt,
    createdAt: Date.now(),
  };
}

describe('retention buckets (real database)', () => {
  let harness: RepositoriesHarness;
  let fires: FiresRepository;
  let events: RunEventsRepository;
  let tasks: TasksRepository;
  let dead: DeadLettersRepository;
  let workers: WorkersRepository;

  beforeAll(async () => {
    harness = await RepositoriesHarness.start('repo-retention', { RETENTION_BUCKET_S: '60' });
    fires = harness.get(FiresRepository);
    events = harness.get(RunEventsRepository);
    tasks = harness.get(TasksRepository);
    dead = harness.get(DeadLettersRepository);
    workers = harness.get(WorkersRepository);
  });

  afterAll(() => harness?.stop());

  it("deletes a fire with all its attempts and run events, and no other bucket's", async () => {
    const task = '65f0000000000000000a0001';
    const base = bucketOf(Date.now() - DAY, MIN);
    // Three fires in two buckets; the first was retried (attempt 2 an hour later) then succeeded.
    const [a, b, c] = [base + 10_000, base + 50_000, base + MIN + 5_000];
    await fires.record([fire(task, a), fire(task, b), fire(task, c)]);
    await fires.record([fire(task, a, 2)]);
    await events.insert([
      runEvent(
        'failed',
        { taskId: task, name: 'retention', scheduledAt: a, attempt: 1 },
        a + 9,
        {},
      ),
      runEvent(
        'succeeded',
        { taskId: task, name: 'retention', scheduledAt: a, attempt: 2 },
        a + 3_600_000,
        {},
      ),
      runEvent(
        'succeeded',
        { taskId: task, name: 'retention', scheduledAt: b, attempt: 1 },
        b + 9,
        {},
      ),
      runEvent(
        'succeeded',
        { taskId: task, name: 'retention', scheduledAt: c, attempt: 1 },
        c + 9,
        {},
      ),
    ]);
    expect(await fires.oldestBucket()).toBe(base);
    expect(await events.oldestBucket()).toBe(base);

    expect(await fires.deleteBucket(base)).toBe(3);
    expect(await events.deleteBucket(base)).toBe(3);

    // What is kept is whole: fire c with its event; nothing of a or b is left half.
    const keptFires = await fires.between(task, 0, Number.MAX_SAFE_INTEGER);
    const keptEvents = await events.between(task, 0, Number.MAX_SAFE_INTEGER);
    expect(keptFires.map((f) => f.messageId)).toEqual([`${task}:${c}:1`]);
    expect(keptEvents.map((e) => fireIdOf(e.taskId, e.scheduledAt))).toEqual([fireIdOf(task, c)]);
    expect(await fires.oldestBucket()).toBe(base + MIN);
    // Deleting a bucket again (a repeated pass) is a no-op.
    expect(await fires.deleteBucket(base)).toBe(0);
  });

  it('places a record written too late for its bucket ahead of the purge', async () => {
    const task = '65f0000000000000000a0002';
    const scheduled = Date.now() - 20 * DAY; // a dead letter redriven after 20 days
    const before = Date.now();
    await fires.record([fire(task, scheduled, 17)]);
    const doc = await harness.connection
      .collection('fires')
      .findOne({ _id: `${task}:${scheduled}:17` as never });
    const history = harness.config.retention.historyMs;
    const lowest = cutoffBucket(before, history, MIN) + LATE_MARGIN_BUCKETS * MIN;
    expect(doc?.rb).toBeGreaterThanOrEqual(lowest);
    expect(doc?.rb).toBeLessThanOrEqual(
      cutoffBucket(Date.now(), history, MIN) + LATE_MARGIN_BUCKETS * MIN,
    );
  });

  it('gives finished tasks a bucket, live ones none, and deletes only finished ones', async () => {
    const now = Date.now();
    const live = await tasks.insert(loopTask(now + DAY));
    const paused = await tasks.insert(loopTask(now + DAY));
    const done = await tasks.insert(loopTask(now + DAY));
    const gone = await tasks.insert(loopTask(now + DAY));
    const revived = await tasks.insert(loopTask(now + DAY));
    await tasks.transition(paused.id, 'active', 'paused', paused.nextRunAt, now);
    await tasks.transition(done.id, 'active', 'completed', null, now);
    await tasks.transition(revived.id, 'active', 'completed', null, now);
    await tasks.markDeleted([gone.id], now);
    // An update reschedules the completed task into the future: live again, out of reach.
    const current = (await tasks.findById(revived.id))!;
    await tasks.replace(
      revived.id,
      current.version,
      { ...current, status: 'active', nextRunAt: now + DAY },
      now,
    );

    const rbOf = async (id: string) => {
      const doc = await harness.connection
        .collection('tasks')
        .findOne({ _id: new Types.ObjectId(id) });
      return doc?.rb as number | undefined;
    };
    const b = bucketOf(now, MIN);
    expect(await rbOf(live.id)).toBeUndefined();
    expect(await rbOf(paused.id)).toBeUndefined();
    expect(await rbOf(revived.id)).toBeUndefined();
    expect(await rbOf(done.id)).toBe(b);
    expect(await rbOf(gone.id)).toBe(b);
    expect(await tasks.oldestFinishedBucket()).toBe(b);

    expect(await tasks.deleteFinishedBucket(b)).toBe(2);
    expect(await rbOf(done.id)).toBeUndefined();
    expect(await tasks.findById(done.id)).toBeNull();
    for (const t of [live, paused, revived]) expect(await tasks.findById(t.id)).not.toBeNull();
    expect(await tasks.oldestFinishedBucket()).toBeNull();
  });

  it('deletes dead letters by the bucket of dead_at, and workers by last_seen', async () => {
    const now = Date.now();
    const letter = (id: string, deadAt: number) => ({
      messageId: id,
      taskId: '65f0000000000000000a0003',
      name: 'retention',
      scheduledAt: deadAt - 1000,
      attempt: 3,
      lastError: 'boom',
      deadAt,
      topic: 't',
      headers: {},
    });
    const old = bucketOf(now - 31 * DAY, MIN);
    await dead.insert(letter('old', old + 5));
    await dead.insert(letter('new', now));
    expect(await dead.oldestBucket()).toBe(old);
    expect(await dead.deleteBucket(old)).toBe(1);
    expect((await dead.findById('old')) === null && (await dead.findById('new')) !== null).toBe(
      true,
    );

    const worker = (id: string, lastSeen: number) => ({
      id,
      group: 'g',
      host: 'h',
      pid: 1,
      sdk: 'node',
      tags: [],
      lastSeen,
      intervalMs: 5000,
      stopping: false,
    });
    await workers.save(worker('gone', now - 8 * DAY));
    await workers.save(worker('here', now));
    expect(await workers.deleteSeenBefore(now - 7 * DAY)).toBe(1);
    expect((await workers.seenSince(0)).map((w) => w.id)).toEqual(['here']);
  });

  it('measures the delete of one bucket among others', async () => {
    const perBucket = Number(process.env.RETENTION_PROBE_DOCS ?? 2000);
    const base = bucketOf(Date.now() - 2 * DAY, MIN);
    const buckets = [0, 1, 2, 3].map((i) => base + i * MIN);
    for (const [i, b] of buckets.entries()) {
      const task = `65f0000000000000000b000${i}`;
      const batch = Array.from({ length: perBucket }, (_, k) => fire(task, b + (k % MIN)));
      // One record per scheduled ms within the bucket: distinct ids.
      for (let k = 0; k < batch.length; k += 500) await fires.record(batch.slice(k, k + 500));
    }
    const empty = base - 10 * MIN;
    const t0 = performance.now();
    expect(await fires.deleteBucket(empty)).toBe(0);
    const emptyMs = performance.now() - t0;
    const t1 = performance.now();
    const n = await fires.deleteBucket(buckets[1]!);
    const fullMs = performance.now() - t1;
    expect(n).toBe(Math.min(perBucket, MIN));
    // The other buckets are intact.
    for (const b of [buckets[0]!, buckets[2]!, buckets[3]!]) {
      expect(await harness.connection.collection('fires').countDocuments({ rb: b })).toBe(n);
    }
    process.stdout.write(
      `retention probe: fires ${4 * perBucket}, delete of an empty bucket ${emptyMs.toFixed(1)} ms, ` +
        `of a bucket of ${n} ${fullMs.toFixed(1)} ms\n`,
    );
  });
});
