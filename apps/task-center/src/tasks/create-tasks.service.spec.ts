import { loadConfig } from '../config';
import { type TaskChangesRepository } from '../repositories/task-changes.repository';
import {
  DuplicateKeyError,
  type TaskReplacement,
  type TasksRepository,
} from '../repositories/tasks.repository';
import { CreateTasksService } from './create-tasks.service';
import { type NewTask, type Task } from './task';
import { TaskDefinitions } from './task-definitions';
import { nextTaskId } from './task.fixtures';
import { TasksService } from './tasks.service';

const NOW = 1_767_225_600_000;
const S = NOW / 1000;

/**
 * The tasks repository port over a map, with the unique live key the database enforces;
 * `failKey` makes the insert of that key fail with a database error (not a duplicate).
 */
function setup({ failKey }: { failKey?: string } = {}) {
  const tasks = new Map<string, Task>();
  const calls = { insertMany: 0, insert: 0, findByKey: 0 };
  const byKey = (key: string) => [...tasks.values()].find((t) => t.key === key) ?? null;
  const store = (t: NewTask): Task | Error => {
    if (t.key !== undefined && t.key === failKey) return new Error('socket closed');
    if (t.key !== undefined && byKey(t.key)) return new DuplicateKeyError(`key "${t.key}"`);
    const task: Task = {
      ...t,
      id: nextTaskId(),
      manualRuns: [],
      runCount: 0,
      lastRunAt: null,
      updatedAt: t.createdAt,
      version: 1,
      shard: 0,
      dueAt: t.nextRunAt,
    };
    tasks.set(task.id, task);
    return task;
  };
  const repo = {
    insertMany: (batch: NewTask[]) => {
      calls.insertMany++;
      return Promise.resolve(batch.map(store));
    },
    insert: (t: NewTask) => {
      calls.insert++;
      const one = store(t);
      return one instanceof Error ? Promise.reject(one) : Promise.resolve(one);
    },
    findByKey: (key: string) => {
      calls.findByKey++;
      return Promise.resolve(byKey(key));
    },
    replace: (id: string, version: number, next: TaskReplacement) => {
      const t = tasks.get(id);
      if (!t || t.version !== version) return Promise.resolve(null);
      const replaced = { ...t, ...next, version: version + 1 };
      tasks.set(id, replaced);
      return Promise.resolve(replaced);
    },
  } as unknown as TasksRepository;
  const appended: string[][] = [];
  const changes = {
    append: (ids: string[]) => {
      appended.push(ids);
      return Promise.resolve();
    },
  } as unknown as TaskChangesRepository;
  const config = loadConfig({ MONGODB_URI: 'mongodb://db/tc', KAFKA_BROKERS: 'kafka:9092' });
  const single = new TasksService(repo, new TaskDefinitions(config), changes, config);
  return { service: new CreateTasksService(single, repo, changes), tasks, calls, appended };
}

const oneShot = (extra: object = {}) => ({ name: 'mail.send', type: 1, data: '{}', ...extra });
const later = { start_time: S + 3600 };

describe('CreateTasksService', () => {
  it('answers each item in order: created, or its own error; one insert, one change-log entry', async () => {
    const { service, tasks, calls, appended } = setup();
    const out = await service.createMany(
      [
        oneShot(),
        oneShot({ name: 'has space' }),
        oneShot({ type: 3, crontab: 'not a cron' }),
        oneShot({ colour: 'red' }),
        oneShot({ ...later, key: 'k1' }),
        oneShot({ data: 'x'.repeat(600 * 1024) }),
      ],
      NOW,
    );
    expect(out.map((o) => (o.ok ? 'ok' : o.error.code))).toEqual([
      'ok',
      40001,
      40003,
      40001,
      'ok',
      41302,
    ]);
    const messages = out.map((o) => (o.ok ? '' : o.error.message));
    expect(messages[1]).toMatch(/^name must be 1-200 characters/);
    expect(messages[3]).toBe('property colour should not exist');
    expect(messages[5]).toMatch(/^data is 614400 bytes; the limit is 524288/);
    expect(tasks.size).toBe(2);
    expect(calls).toEqual({ insertMany: 1, insert: 0, findByKey: 0 });
    // Only the one-shot due now is announced; the one an hour out is found by the read-ahead.
    const first = out[0]!.ok ? out[0]!.value.task.id : '';
    expect(appended).toEqual([[first]]);
  });

  it('returns the live task of a taken key (created: false), as the single create does', async () => {
    const { service, tasks, appended } = setup();
    const [before] = await service.createMany([oneShot({ ...later, key: 'order-7' })], NOW);
    const again = await service.createMany(
      [oneShot({ ...later, key: 'order-7', data: 'other' }), oneShot({ ...later, key: 'new' })],
      NOW,
    );
    expect(tasks.size).toBe(2);
    expect(before!.ok && again[0]!.ok).toBe(true);
    if (!before!.ok || !again[0]!.ok) return;
    expect(again[0]!.value).toEqual({ task: before!.value.task, created: false });
    expect(again[0]!.value.task.data).toBe('{}');
    expect(appended).toEqual([]);
  });

  it('with upsert updates the live task of a taken key and announces it', async () => {
    const { service, appended } = setup();
    const [first] = await service.createMany([oneShot({ ...later, key: 'u' })], NOW);
    const [second] = await service.createMany(
      [oneShot({ ...later, key: 'u', data: 'v2', upsert: true })],
      NOW,
    );
    expect(first!.ok && second!.ok).toBe(true);
    if (!first!.ok || !second!.ok) return;
    expect(second!.value.created).toBe(false);
    expect(second!.value.task).toMatchObject({ id: first!.value.task.id, data: 'v2' });
    expect(appended).toEqual([[first!.value.task.id]]);
  });

  it('items repeating a key get the one task, answered in order as if sent one by one', async () => {
    const { service, tasks } = setup();
    const out = await service.createMany(
      [
        oneShot({ ...later, key: 'dup' }),
        oneShot({ ...later, key: 'dup', data: 'ignored' }),
        oneShot({ ...later, key: 'dup', data: 'upserted', upsert: true }),
        oneShot({ ...later, key: 'dup' }),
      ],
      NOW,
    );
    expect(tasks.size).toBe(1);
    const [id] = [...tasks.keys()];
    expect(out.map((o) => o.ok && [o.value.task.id, o.value.created, o.value.task.data])).toEqual([
      [id, true, '{}'],
      [id, false, '{}'],
      [id, false, 'upserted'],
      [id, false, 'upserted'],
    ]);
  });

  it('a database error fails the request, after the tasks it did create were announced', async () => {
    const { service, tasks, appended } = setup({ failKey: 'broken' });
    await expect(service.createMany([oneShot(), oneShot({ key: 'broken' })], NOW)).rejects.toThrow(
      'socket closed',
    );
    expect(tasks.size).toBe(1);
    expect(appended).toEqual([[...tasks.keys()]]);
  });
});
