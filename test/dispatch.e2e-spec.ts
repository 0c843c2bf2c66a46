import { type INestApplication } from '@nestjs/common';
import { FireHeader } from '@task-center/contracts';
import { type AddressInfo } from 'node:net';
import { type AppConfig } from '../apps/task-center/src/config';
import { ApiClient } from './support/api-client';
import { startApp, stopApp } from './support/app';
import {
  FireConsumer,
  fireViolations,
  firstOf,
  latenessSummary,
  type ReceivedMessage,
} from './support/fire-consumer';
import { acquireStackLock } from './support/stack-control';
import { isolatedConfig, uniqueName, waitFor } from './support/stack';

const nowS = () => Math.floor(Date.now() / 1000);
/** Lets time pass in a scenario; never used to wait for something to happen. */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** How late a fire may arrive before the test calls it lost (no tight timing asserted). */
const ARRIVAL_SLACK_MS = 5000;

describe('dispatch: every fire of every task reaches Kafka (in-process app, real stack)', () => {
  let app: INestApplication | undefined;
  let config: AppConfig;
  let api: ApiClient;
  let reader: FireConsumer | undefined;
  let releaseLock: (() => void) | undefined;
  const extraTopic = `${uniqueName('tc-extra')}.alt`;
  const tasksTopic = () => config.kafka.topics.tasks;

  beforeAll(async () => {
    // Not while another suite restarts Kafka or MongoDB under us (see stack-control.ts).
    releaseLock = await acquireStackLock('test/dispatch.e2e-spec.ts');
    config = isolatedConfig({ KAFKA_EXTRA_TOPICS: extraTopic });
    app = await startApp(config);
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    api = ApiClient.forPort(port);
    // After the app created its topics (2 partitions each), before any task exists.
    reader = await FireConsumer.start(config.kafka.brokers, [tasksTopic(), extraTopic]);
  }, 360_000);

  afterAll(async () => {
    try {
      await stopApp(app); // drops the test database
      await reader?.stop();
      await reader?.deleteTopics([
        config.kafka.topics.tasks,
        config.kafka.topics.results,
        config.kafka.topics.deadLetter,
        extraTopic,
      ]);
    } finally {
      releaseLock?.();
    }
  });

  const messagesOf = (taskId: string): ReceivedMessage[] => reader!.forTasks([taskId]);

  /** Waits until `count` messages of the task arrived, failing with what did arrive. */
  async function awaitMessages(
    taskId: string,
    count: number,
    deadlineAt: number,
  ): Promise<ReceivedMessage[]> {
    try {
      return await waitFor(
        `${count} message(s) of task ${taskId}`,
        () => messagesOf(taskId).length >= count && messagesOf(taskId),
        { timeoutMs: Math.max(500, deadlineAt - Date.now()), intervalMs: 20 },
      );
    } catch (err) {
      const got = messagesOf(taskId).map((m) => ({ topic: m.topic, ...m.headers }));
      const task = await api.getTask(taskId).catch((e: unknown) => String(e));
      throw new Error(
        `${(err as Error).message}; received ${got.length} (deadline ${new Date(deadlineAt).toISOString()}, now ${new Date().toISOString()}): ${JSON.stringify(got)}; the task now: ${JSON.stringify(task)}; consumer crashes: ${JSON.stringify(reader!.crashes)}`,
      );
    }
  }

  async function awaitCompleted(taskId: string) {
    return waitFor(
      `task ${taskId} to be completed`,
      async () => {
        const task = await api.getTask(taskId);
        return task.status === 'completed' && task;
      },
      { timeoutMs: 5000, intervalMs: 100 },
    );
  }

  const slotsOf = (msgs: ReceivedMessage[]) => msgs.map((m) => m.fire?.scheduledAt);

  it('publishes a one-shot exactly once at its start_time, with every header and the data byte for byte', async () => {
    const name = 'e2e.orders:expire@v1/eu-1';
    const data =
      '{"order":42,"note":"caf\u00e9 \\"quoted\\" \u2713 \ud83d\ude00 \u65e5\u672c","path":"C:\\\\tmp"}\n\ttail \'single\'';
    const start = nowS() + 3;
    const slot = start * 1000;
    const id = await api.createTask({
      name,
      type: 1,
      data,
      start_time: start,
      max_runtime: 30,
      ack: true,
    });

    const [msg] = await awaitMessages(id, 1, slot + ARRIVAL_SLACK_MS);
    expect(msg!.topic).toBe(tasksTopic());
    expect(msg!.key).toBe(id);
    expect(msg!.value).toEqual(Buffer.from(data, 'utf8'));
    expect(msg!.headers).toEqual({
      [FireHeader.tag]: name,
      [FireHeader.taskId]: id,
      [FireHeader.messageId]: `${id}:${slot}:1`,
      [FireHeader.scheduledAt]: String(slot),
      [FireHeader.publishedAt]: expect.stringMatching(/^\d{13}$/),
      [FireHeader.attempt]: '1',
      [FireHeader.taskType]: '1',
      [FireHeader.maxRuntime]: '30',
      [FireHeader.ack]: 'true',
    });
    expect(msg!.fire).toEqual({
      tag: name,
      taskId: id,
      messageId: `${id}:${slot}:1`,
      scheduledAt: slot,
      publishedAt: Number(msg!.headers[FireHeader.publishedAt]),
      attempt: 1,
      taskType: 1,
      maxRuntime: 30,
      ack: true,
      data,
    });
    // Never early, by its own header nor by the Kafka record timestamp.
    expect(msg!.fire!.publishedAt).toBeGreaterThanOrEqual(slot);
    expect(msg!.timestamp).toBeGreaterThanOrEqual(slot);
    console.log(
      `one-shot: published ${msg!.fire!.publishedAt - slot} ms after its slot, Kafka timestamp +${msg!.timestamp - slot} ms, received +${msg!.receivedAt - slot} ms`,
    );

    const task = await awaitCompleted(id);
    expect(task.run_count).toBe(1);
    expect(task.next_run_at).toBeNull();
    await sleep(1500); // time for a stray second publish to show up
    expect(messagesOf(id)).toHaveLength(1);
  });

  it('fires a loop at start, start+1s, start+2s (loop_count 3), then completes', async () => {
    const start = nowS() + 2;
    const slots = [0, 1000, 2000].map((d) => start * 1000 + d);
    const id = await api.createTask({
      name: 'e2e.loop',
      type: 2,
      data: 'loop-data',
      loop_time: 1,
      loop_count: 3,
      start_time: start,
    });

    const msgs = await awaitMessages(id, 3, slots[2]! + ARRIVAL_SLACK_MS);
    // One key, one partition: Kafka keeps them in publish order.
    expect(slotsOf(msgs)).toEqual(slots);
    expect(fireViolations(msgs)).toEqual([]);
    expect(msgs.map((m) => m.headers[FireHeader.messageId])).toEqual(
      slots.map((s) => `${id}:${s}:1`),
    );
    expect(new Set(msgs.map((m) => m.headers[FireHeader.messageId])).size).toBe(3);
    for (const m of msgs) {
      expect(m.headers).toEqual({
        [FireHeader.tag]: 'e2e.loop',
        [FireHeader.taskId]: id,
        [FireHeader.messageId]: expect.any(String),
        [FireHeader.scheduledAt]: expect.stringMatching(/^\d{13}$/),
        [FireHeader.publishedAt]: expect.stringMatching(/^\d{13}$/),
        [FireHeader.attempt]: '1',
        [FireHeader.taskType]: '2', // and no tc-max-runtime / tc-ack: the task sets neither
      });
      expect(m.value?.toString()).toBe('loop-data');
    }
    console.log(`loop: ${latenessSummary(msgs)}`);

    const task = await awaitCompleted(id);
    expect(task.run_count).toBe(3);
    await sleep(1500);
    expect(messagesOf(id)).toHaveLength(3);
  });

  it('an update while fires wait to be written (write-behind) loses none, repeats none and counts all', async () => {
    const start = nowS() + 2;
    const slots = [0, 1, 2, 3, 4, 5].map((d) => (start + d) * 1000);
    const id = await api.createTask({
      name: 'e2e.update-mid-loop',
      type: 2,
      data: 'before',
      loop_time: 1,
      loop_count: 6,
      start_time: start,
    });
    // Two fires in: their advance is held in memory (DISPATCH_WRITE_BEHIND_MS, 2 s by default),
    // so the database copy the update starts from is behind the dispatcher's.
    await awaitMessages(id, 2, slots[1]! + ARRIVAL_SLACK_MS);
    const updated = await api.updateTask(id, { data: 'after' });
    const updatedAt = Date.now();
    expect(updated.data).toBe('after');

    const msgs = await awaitMessages(id, 6, slots[5]! + ARRIVAL_SLACK_MS);
    expect(slotsOf(msgs)).toEqual(slots);
    expect(fireViolations(msgs)).toEqual([]);
    const late = msgs.filter((m) => Number(m.headers[FireHeader.publishedAt]) > updatedAt + 100);
    expect(late.length).toBeGreaterThan(0);
    expect(late.every((m) => m.value?.toString() === 'after')).toBe(true);
    const task = await awaitCompleted(id);
    expect(task.run_count).toBe(6);
    expect(task.data).toBe('after');
    await sleep(1500);
    expect(messagesOf(id)).toHaveLength(6);
  });

  it('fires a 6-field crontab "*/2 * * * * *" on 3 even seconds, in order, then completes', async () => {
    const start = nowS() + 2;
    const first = start % 2 === 0 ? start : start + 1;
    const slots = [0, 2, 4].map((d) => (first + d) * 1000);
    const id = await api.createTask({
      name: 'e2e.cron',
      type: 3,
      data: 'tick',
      crontab: '*/2 * * * * *',
      loop_count: 3,
      start_time: start,
      timezone: 'Asia/Kolkata', // +05:30: seconds do not move with the zone
    });

    const msgs = await awaitMessages(id, 3, slots[2]! + ARRIVAL_SLACK_MS);
    expect(slotsOf(msgs)).toEqual(slots);
    expect(msgs.every((m) => m.headers[FireHeader.taskType] === '3')).toBe(true);
    expect(fireViolations(msgs)).toEqual([]);
    console.log(`crontab: ${latenessSummary(msgs)}`);

    const task = await awaitCompleted(id);
    expect(task.run_count).toBe(3);
    await sleep(1500);
    expect(messagesOf(id)).toHaveLength(3);
  });

  it('publishes nothing for a deleted task after the delete response', async () => {
    const id = await api.createTask({
      name: 'e2e.delete-me',
      type: 2,
      data: 'x',
      loop_time: 1,
      start_time: nowS() + 1,
    });
    await awaitMessages(id, 2, Date.now() + 8000);
    expect(await api.deleteTasks([id])).toEqual([id]);
    const deletedAt = Date.now();

    await sleep(3000); // three more slots would have fired by now
    const after = messagesOf(id)
      .filter((m) => Number(m.headers[FireHeader.publishedAt]) >= deletedAt)
      .map((m) => m.headers);
    expect(after).toEqual([]);
    expect(fireViolations(messagesOf(id))).toEqual([]);
    await expect(api.getTask(id)).rejects.toMatchObject({ status: 404 });
  });

  it('run-now on a loop an hour away publishes one extra fire at once, scheduled at the request', async () => {
    const start = nowS() + 3600;
    const id = await api.createTask({
      name: 'e2e.run-now',
      type: 2,
      data: 'now please',
      loop_time: 3600,
      start_time: start,
    });
    const requestedAt = Date.now();
    const queued = await api.runNow(id);
    const respondedAt = Date.now();
    expect(queued.manual_runs).toHaveLength(1);

    const [msg] = await awaitMessages(id, 1, respondedAt + 3000);
    const fire = msg!.fire!;
    console.log(
      `run-now: scheduled ${fire.scheduledAt - requestedAt} ms after the request, published ${fire.publishedAt - respondedAt} ms after the response`,
    );
    // "promptly": ~1 s, with slack for a loaded machine
    expect(fire.publishedAt - respondedAt).toBeLessThanOrEqual(2000);
    expect(fire.scheduledAt).toBeGreaterThanOrEqual(requestedAt - 1000);
    expect(fire.scheduledAt).toBeLessThanOrEqual(respondedAt + 1000);
    expect(fireViolations([msg!])).toEqual([]);
    expect(fire).toMatchObject({ taskId: id, attempt: 1, taskType: 2, data: 'now please' });

    // The extra fire leaves the schedule alone.
    const task = await waitFor(
      'the run-now fire to leave manual_runs',
      async () => {
        const t = await api.getTask(id);
        return t.manual_runs.length === 0 && t;
      },
      { timeoutMs: 5000, intervalMs: 100 },
    );
    expect(task.status).toBe('active');
    expect(task.next_run_at).toBe(start);
    await sleep(1500);
    expect(messagesOf(id)).toHaveLength(1);
  });

  it('routes a task with `topic` to that extra topic, and only there', async () => {
    const start = nowS() + 2;
    const id = await api.createTask({
      name: 'e2e.routed',
      type: 1,
      data: 'elsewhere',
      start_time: start,
      topic: extraTopic,
    });
    const [msg] = await awaitMessages(id, 1, start * 1000 + ARRIVAL_SLACK_MS);
    expect(msg!.topic).toBe(extraTopic);
    expect(msg!.key).toBe(id);
    expect(msg!.value?.toString()).toBe('elsewhere');
    expect(msg!.headers).toMatchObject({
      [FireHeader.tag]: 'e2e.routed',
      [FireHeader.taskId]: id,
      [FireHeader.messageId]: `${id}:${start * 1000}:1`,
      [FireHeader.scheduledAt]: String(start * 1000),
      [FireHeader.attempt]: '1',
      [FireHeader.taskType]: '1',
    });
    expect(fireViolations([msg!])).toEqual([]);
    expect((await awaitCompleted(id)).run_count).toBe(1);
    await sleep(1500);
    expect(firstOf(messagesOf(id).map((m) => `${m.topic} ${m.offset}`))).toEqual([
      `${extraTopic} ${msg!.offset}`,
    ]);
  });
});
