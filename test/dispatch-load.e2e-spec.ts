import { type INestApplication } from '@nestjs/common';
import request from 'supertest';
import { startApp, stopApp } from './support/app';
import {
  duplicateFires,
  type ExpectedFire,
  FireConsumer,
  fireViolations,
  missingFires,
  unexpectedFires,
} from './support/fire-consumer';
import { isolatedConfig } from './support/stack';

const TASKS = 100;
const SLOTS = 6;
/** Each second's 100 fires go out as 15 batches in turn (DISPATCH_MAX_BATCH). */
const BATCH = 7;

/**
 * Many tasks due in the same seconds keep the read-ahead busy, so tasks fire while their next
 * bucket is being read. A task lost in that race stopped firing silently (it stayed `active`
 * with a past `next_run_at`): every task must complete with every slot counted. Batches are
 * planned ahead of their slot and published at it: every slot reaches Kafka once, none early,
 * each task's fires in order.
 */
describe('dispatch under load (real stack)', () => {
  let app: INestApplication | undefined;
  let reader: FireConsumer | undefined;
  let topics: string[] = [];

  afterAll(async () => {
    await stopApp(app);
    await reader?.stop();
    await reader?.deleteTopics(topics);
  });

  it(`${TASKS} loops due together every second all fire ${SLOTS} times, published in batches of ${BATCH}, and complete`, async () => {
    const config = isolatedConfig({ RUNS_ENABLED: 'false', DISPATCH_MAX_BATCH: `${BATCH}` });
    const { tasks, results, deadLetter } = config.kafka.topics;
    topics = [tasks, results, deadLetter];
    app = await startApp(config);
    reader = await FireConsumer.start(config.kafka.brokers, [config.kafka.topics.tasks]);
    const server = app.getHttpServer();
    // Room for the creates on a slow machine: end_time must still be ahead when the last lands.
    const start = Math.floor(Date.now() / 1000) + 10;
    const ids: string[] = [];
    for (let i = 0; i < TASKS; i++) {
      const res = await request(server)
        .post('/v1/api/task')
        .send({
          name: 'load.loop',
          type: 2,
          loop_time: 1,
          start_time: start,
          end_time: start + SLOTS - 1,
          data: `${i}`,
        })
        .expect(200);
      ids.push(res.body.taskid as string);
    }
    // The last slot, then time for the slow (SQLite) write-backs to land.
    await new Promise((r) => setTimeout(r, (start + SLOTS + 8) * 1000 - Date.now()));
    const states = new Map<string, number>();
    for (const id of ids) {
      const t = (await request(server).get('/v1/api/query-task-by-id').query({ taskid: id })).body;
      const key = `${t.status} run_count ${t.run_count}`;
      states.set(key, (states.get(key) ?? 0) + 1);
    }
    expect(Object.fromEntries(states)).toEqual({ [`completed run_count ${SLOTS}`]: TASKS });

    const expected: ExpectedFire[] = ids.flatMap((taskId) =>
      Array.from({ length: SLOTS }, (_, k) => ({ taskId, scheduledAt: (start + k) * 1000 })),
    );
    const messages = reader.forTasks(ids);
    expect({
      missing: missingFires(messages, expected),
      duplicates: duplicateFires(messages),
      unexpected: unexpectedFires(messages, expected),
      violations: fireViolations(messages),
    }).toEqual({ missing: [], duplicates: [], unexpected: [], violations: [] });
    // Per task (one key, one partition), the slots arrive in order.
    const outOfOrder = ids.filter((id) => {
      const slots = reader!
        .forTasks([id])
        .sort((a, b) => Number(BigInt(a.offset) - BigInt(b.offset)))
        .map((m) => m.fire!.scheduledAt);
      return slots.some((at, i) => i > 0 && at <= slots[i - 1]!);
    });
    expect(outOfOrder).toEqual([]);
  }, 90_000);
});
