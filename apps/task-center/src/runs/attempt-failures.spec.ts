import { TaskType } from '@task-center/contracts';
import { type FiresRepository } from '../repositories/fires.repository';
import { type RunEventsRepository } from '../repositories/run-events.repository';
import { type TasksRepository } from '../repositories/tasks.repository';
import { type AppConfig } from '../config';
import { type Task } from '../tasks/task';
import { AttemptFailures, type FailedAttempt } from './attempt-failures';
import { type FireRecord } from './run-records';

const T = '0123456789abcdef01234567';
const task: Task = {
  id: T,
  name: 'job',
  type: TaskType.OneShot,
  data: '',
  ack: false,
  timezone: 'UTC',
  misfire: 'fire_once',
  retry: { maxAttempts: 3, backoff: 'fixed', delay: 5, maxDelay: 5 },
  status: 'completed',
  nextRunAt: null,
  manualRuns: [],
  runCount: 1,
  lastRunAt: 1,
  createdAt: 1,
  updatedAt: 1,
  version: 1,
  shard: 4,
  dueAt: null,
};
const failed = (attempt: number, taskId = T): FailedAttempt => ({
  taskId,
  name: 'job',
  scheduledAt: 1000,
  attempt,
  error: `e${attempt}`,
  reason: 'failed',
});

function setup({ published = [] as string[], dead = [] as string[] } = {}) {
  const tasks = {
    findByIds: (ids: string[]) =>
      Promise.resolve(new Map(ids.includes(T) ? [[T, task] as const] : [])),
  };
  const events = {
    existing: (ids: string[]) => Promise.resolve(new Set(ids.filter((i) => dead.includes(i)))),
  };
  const fires = {
    findById: (id: string) =>
      Promise.resolve(published.includes(id) ? ({ messageId: id } as FireRecord) : null),
  };
  const config = { runs: { retryAfterMaxMs: 60_000 } } as AppConfig;
  return new AttemptFailures(
    config,
    tasks as unknown as TasksRepository,
    events as unknown as RunEventsRepository,
    fires as unknown as FiresRepository,
  );
}

describe('AttemptFailures', () => {
  it('schedules attempt n+1 after the backoff, on the task shard, once per attempt', async () => {
    const timers = await setup().timersFor([failed(1), failed(1)], 10_000);
    expect(timers).toEqual([
      {
        id: `r:${T}:1000:2`,
        kind: 'redeliver',
        taskId: T,
        name: 'job',
        scheduledAt: 1000,
        attempt: 2,
        dueAt: 15_000,
        shard: 4,
        reason: 'failed',
        lastError: 'e1',
        createdAt: 10_000,
      },
    ]);
  });

  it("waits for a worker's retry-after when it is longer than the backoff, capped", async () => {
    const at = (retryAfterMs: number) =>
      setup()
        .timersFor([{ ...failed(1), retryAfterMs }], 10_000)
        .then(([timer]) => timer?.dueAt);
    expect(await at(2_000)).toBe(15_000); // the 5 s backoff is longer
    expect(await at(30_000)).toBe(40_000);
    expect(await at(3_600_000)).toBe(70_000); // capped at RUNS_RETRY_AFTER_MAX_S
  });

  it('dead-letters the last attempt now', async () => {
    const [timer] = await setup().timersFor([failed(3)], 10_000);
    expect(timer).toMatchObject({ id: `x:${T}:1000:3`, kind: 'dead', attempt: 3, dueAt: 10_000 });
  });

  it('does nothing for deleted tasks, attempts already redelivered, fires already dead', async () => {
    const s = setup({ published: [`${T}:1000:2`], dead: [`${T}:1000:3:dead`] });
    expect(await s.timersFor([failed(1), failed(3), failed(1, 'f'.repeat(24))], 1)).toEqual([]);
  });
});
