import mongoose, { Types } from 'mongoose';
import { TaskType } from '@task-center/contracts';
import { newTaskToDoc } from '../apps/task-center/src/repositories/task.mapper';
import { shardOf } from '../apps/task-center/src/tasks/task-shard';
import { CenterFleet, dropDatabase } from './support/center-fleet';
import {
  type ExpectedFire,
  FireConsumer,
  fireViolations,
  firstOf,
  inconsistentDuplicates,
  missingFires,
} from './support/fire-consumer';
import { isolatedEnv, stackEnv, waitFor } from './support/stack';

/** One-shots due in the same second. */
const TASKS = Number(process.env.SHUTDOWN_BURST_TASKS ?? 10_000);
/**
 * One shard: the next owner's catch-up is then one read. With several, on FerretDB's SQLite
 * backend each shard's catch-up waits for the advances of the shards before it (an update
 * scans the collection): re-publishing 10,000 would take many minutes, whatever the shutdown did.
 */
const SHARDS = Number(process.env.SHUTDOWN_BURST_SHARDS ?? 1);
const SHUTDOWN_TIMEOUT_S = 15;
/** From the end of the inserts to the burst's second: past the read-ahead (2 s) with room. */
const LEAD_MS = 6000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Inserts `n` active one-shots due at `dueSec`, exactly as the API stores them. */
async function insertOneShots(uri: string, n: number, dueSec: number): Promise<string[]> {
  const conn = await mongoose.createConnection(uri).asPromise();
  try {
    const ids: string[] = [];
    const now = Date.now();
    for (let from = 0; from < n; from += 1000) {
      const docs = Array.from({ length: Math.min(1000, n - from) }, (_, k) => {
        const _id = new Types.ObjectId();
        const id = _id.toHexString();
        ids.push(id);
        const doc = newTaskToDoc(id, shardOf(id, SHARDS), {
          name: 'shutdown.burst',
          type: TaskType.OneShot,
          data: JSON.stringify({ i: from + k }),
          ack: false,
          timezone: 'UTC',
          misfire: 'fire_once',
          startTime: dueSec,
          status: 'active',
          nextRunAt: dueSec * 1000,
          createdAt: now,
        });
        const defined = Object.entries(doc).filter(([, v]) => v !== undefined);
        return { _id, ...Object.fromEntries(defined) };
      });
      await conn.db!.collection('tasks').insertMany(docs, { ordered: false });
    }
    return ids;
  } finally {
    await conn.close();
  }
}

/**
 * SIGTERM while a burst is being published (issue 18): the write-back of thousands of fire
 * records and advances (minutes on FerretDB) used to run past SHUTDOWN_TIMEOUT_S into a
 * forced exit 1. The center must exit 0 in time, and nothing may be lost: what it published
 * but could not write is re-published by the next owner under the same message ids.
 */
describe('SIGTERM during a burst (real stack, spawned centers)', () => {
  const env = isolatedEnv({
    // `log`: the center's "dispatch stopped" line says what it wrote and what it handed over.
    LOG_LEVEL: 'log',
    DISPATCH_SHARDS: String(SHARDS),
    SHUTDOWN_TIMEOUT_S: String(SHUTDOWN_TIMEOUT_S),
  });
  const fleet = new CenterFleet(env);
  let reader: FireConsumer | undefined;

  afterAll(async () => {
    const problems = fleet.problemLogs();
    if (problems) console.log(problems);
    await fleet.cleanup();
    await reader?.stop();
    await reader?.deleteTopics([
      env.KAFKA_TOPIC_TASKS!,
      env.KAFKA_TOPIC_RESULTS!,
      env.KAFKA_TOPIC_DEAD_LETTER!,
    ]);
    await dropDatabase(env.MONGODB_URI!);
  }, 60_000);

  it(`exits 0 within SHUTDOWN_TIMEOUT_S, and every one of ${TASKS} one-shots due together is published`, async () => {
    const a = await fleet.start('A');
    reader = await FireConsumer.start(stackEnv().kafkaBrokers, [env.KAFKA_TOPIC_TASKS!]);

    const insertStart = Date.now();
    // The inserts take a few seconds on FerretDB: the second is fixed after a first estimate.
    const dueSec = Math.ceil((Date.now() + LEAD_MS + TASKS * 2) / 1000);
    const ids = await insertOneShots(env.MONGODB_URI!, TASKS, dueSec);
    const leadMs = dueSec * 1000 - Date.now();
    console.log(
      `inserted ${TASKS} one-shots in ${Date.now() - insertStart} ms; due in ${leadMs} ms`,
    );
    expect(leadMs).toBeGreaterThan(2500); // still ahead of the read-ahead: loaded, not caught up
    const expected: ExpectedFire[] = ids.map((taskId) => ({
      taskId,
      scheduledAt: dueSec * 1000,
    }));

    // SIGTERM while the burst is being published: once its first fires reach the reader.
    await sleep(dueSec * 1000 - Date.now());
    await waitFor('the first fires of the burst', () => reader!.forTasks(ids).length > 0, {
      timeoutMs: 90_000,
      intervalMs: 20,
    });
    const stopAt = Date.now();
    const exit = await fleet.stop(a, 'SIGTERM', (SHUTDOWN_TIMEOUT_S + 20) * 1000);
    // Published before SIGTERM (the burst was under way), by the reader's messages.
    const before = reader.forTasks(ids).filter((m) => m.fire && m.fire.publishedAt < stopAt);
    const { stdout, stderr } = a.proc.output();
    console.log(
      `SIGTERM ${stopAt - dueSec * 1000} ms after the slot, ${before.length} fires received by then: ` +
        `exit ${exit.code ?? exit.signal} after ${exit.ms} ms\n` +
        stdout
          .split('\n')
          .filter((l) => /dispatch stopped|shutting down/.test(l))
          .join('\n'),
    );
    expect(stderr).not.toMatch(/did not finish/);
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.ms).toBeLessThanOrEqual(SHUTDOWN_TIMEOUT_S * 1000);
    expect(before.length).toBeGreaterThan(0);

    // The next owner reads the shards as the database has them and publishes what is left.
    await fleet.start('B');
    await waitFor(
      'every (task, slot) of the burst published',
      () => missingFires(reader!.forTasks(ids), expected).length === 0,
      { timeoutMs: 240_000, intervalMs: 500 },
    ).catch((err: unknown) => {
      const missing = missingFires(reader!.forTasks(ids), expected);
      throw new Error(
        `${String(err)}: ${missing.length} missing, e.g. ${firstOf(missing, 5).join(', ')}`,
      );
    });
    const messages = reader.forTasks(ids);
    console.log(
      `${messages.length} messages for ${TASKS} fires (${messages.length - TASKS} published twice)`,
    );
    expect({
      missing: missingFires(messages, expected),
      // A re-publish is the same fire: it carries the same tc-message-id.
      inconsistent: inconsistentDuplicates(messages),
      violations: fireViolations(messages),
    }).toEqual({ missing: [], inconsistent: [], violations: [] });
  }, 420_000);
});
