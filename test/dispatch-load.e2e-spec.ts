import { type INestApplication } from '@nestjs/common';
import request from 'supertest';
import { startApp, stopApp } from './support/app';
import { isolatedConfig } from './support/stack';

const TASKS = 100;
const SLOTS = 6;

/**
 * Many tasks due in the same seconds keep the read-ahead busy, so tasks fire while their next
 * bucket is being read. A task lost in that race stopped firing silently (it stayed `active`
 * with a past `next_run_at`): every task must complete with every slot counted.
 */
describe('dispatch under load (real stack)', () => {
  let app: INestApplication | undefined;

  afterAll(() => stopApp(app));

  it(`${TASKS} loops due together every second all fire ${SLOTS} times and complete`, async () => {
    app = await startApp(isolatedConfig({ RUNS_ENABLED: 'false' }));
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
  }, 60_000);
});
