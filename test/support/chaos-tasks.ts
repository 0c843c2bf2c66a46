import { TaskType } from '@task-center/contracts';
import mongoose, { Types } from 'mongoose';
import { newTaskToDoc, stripUndefined } from '../../apps/task-center/src/repositories/task.mapper';
import { type TaskDefinition } from '../../apps/task-center/src/tasks/task';
import { shardOf } from '../../apps/task-center/src/tasks/task-shard';
import { type ExpectedFire } from './fire-consumer';

/** The chaos load: `loops` loops every second, crontabs every second and every other second. */
export interface ChaosLoad {
  loops: number;
  cronEverySecond: number;
  cronEveryTwoSeconds: number;
}

export interface ChaosTasks {
  ids: string[];
  expected: ExpectedFire[];
}

/**
 * Stores the load's tasks as the tasks repository stores a create (`newTaskToDoc`), in one
 * `insertMany`: 300 creates through the API take 10–50 s on a busy 2-core machine, which
 * would leave the first slot at the mercy of the machine. Every slot from `start` through
 * `end` (unix seconds, `start` even, at least the dispatcher's read-ahead away) is expected;
 * `misfire: 'fire_all'` makes that hold whatever happens to the dispatcher meanwhile.
 */
export async function insertChaosTasks(
  mongoUri: string,
  shards: number,
  load: ChaosLoad,
  start: number,
  end: number,
): Promise<ChaosTasks> {
  if (start % 2 !== 0) throw new Error(`start ${start} must be even (the */2 crontabs)`);
  const now = Date.now();
  const common = { ack: false, timezone: 'UTC', misfire: 'fire_all' as const };
  const definitions: { def: TaskDefinition; every: number }[] = [
    ...Array.from({ length: load.loops }, (_, i) => ({
      every: 1,
      def: {
        ...common,
        name: 'chaos.loop',
        type: TaskType.Loop,
        data: `loop ${i}`,
        loopTime: 1,
        loopCount: end - start + 1,
        startTime: start,
      },
    })),
    ...Array.from({ length: load.cronEverySecond + load.cronEveryTwoSeconds }, (_, i) => {
      const every = i < load.cronEverySecond ? 1 : 2;
      return {
        every,
        def: {
          ...common,
          name: 'chaos.cron',
          type: TaskType.Crontab,
          data: `cron ${i}`,
          crontab: every === 1 ? '* * * * * *' : '*/2 * * * * *',
          startTime: start,
          endTime: end,
        },
      };
    }),
  ];
  const ids: string[] = [];
  const expected: ExpectedFire[] = [];
  const docs = definitions.map(({ def, every }) => {
    const _id = new Types.ObjectId();
    const id = _id.toHexString();
    ids.push(id);
    for (let s = start; s <= end; s += every) expected.push({ taskId: id, scheduledAt: s * 1000 });
    const task = { ...def, status: 'active' as const, nextRunAt: start * 1000, createdAt: now };
    return stripUndefined({ _id, ...newTaskToDoc(id, shardOf(id, shards), task) });
  });
  const conn = await mongoose
    .createConnection(mongoUri, { serverSelectionTimeoutMS: 10_000 })
    .asPromise();
  try {
    await conn.collection('tasks').insertMany(docs, { ordered: false });
  } finally {
    await conn.close();
  }
  return { ids, expected };
}
