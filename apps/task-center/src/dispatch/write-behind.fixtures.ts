/** Fakes and factories of the WriteBehind specs (write-behind*.spec.ts). */
import { type Logger } from '@nestjs/common';
import { TaskType } from '@task-center/contracts';
import { ConditionLog } from '../background/condition-log';
import { type FireRecord, type RunTimer } from '../runs/run-records';
import { type Task } from '../tasks/task';
import { type Advance } from '../tasks/task-advance';
import { planFires, type Planned, type PlanSettings } from './fire-plan';
import { WriteBehind } from './write-behind';
import { loopTaskAt } from '../tasks/task.fixtures';

export const S = 1000;
export const T0 = 1_800_000_000_000;
/** Tasks due before this stay in memory (the read-ahead covers them). */
export const HORIZON = T0 + 10 * S;

export const settings: PlanSettings = {
  misfire: { thresholdMs: 5 * S, maxCatchUp: 10 },
  topics: { tasks: 'tasks', http: 'http' },
};

/** A loop task every `loopTime` seconds, due at T0. */
export const task = (overrides: Partial<Task> = {}): Task => loopTaskAt(T0, overrides);

/** A one-shot due at T0: its publish completes it (it leaves memory, nothing to read back). */
export const oneShot = (overrides: Partial<Task> = {}) =>
  task({ type: TaskType.OneShot, loopTime: undefined, ...overrides });

export function deadline(taskId: string): RunTimer {
  return {
    id: `d:${taskId}`,
    kind: 'deadline',
    taskId,
    name: 'billing',
    scheduledAt: T0,
    attempt: 1,
    dueAt: T0 + 60 * S,
    shard: 0,
    createdAt: T0,
  };
}

interface Deferred {
  resolve(): void;
  reject(err: unknown): void;
}

/**
 * The database: records every call in order. While `holding`, each advance call waits until
 * released by hand (`release`, oldest first); `failNext` rejects the next advance calls.
 */
export class FakeStore {
  readonly calls: string[] = [];
  readonly advances: Advance[][] = [];
  readonly records: FireRecord[][] = [];
  readonly deadlines: RunTimer[][] = [];
  holding = false;
  failNext = 0;
  /** Task ids whose next advance another advance of the same version supersedes. */
  readonly supersede = new Set<string>();
  private readonly waiting: Deferred[] = [];

  get waitingCount(): number {
    return this.waiting.length;
  }

  async advance(advances: Advance[]): Promise<Advance[]> {
    this.calls.push(`advance ${advances.length}`);
    this.advances.push(advances);
    if (this.holding) {
      await new Promise<void>((resolve, reject) => this.waiting.push({ resolve, reject }));
    }
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('connection reset');
    }
    return advances.filter((a) => this.supersede.delete(a.before.id));
  }

  async recordFires(records: FireRecord[]): Promise<void> {
    this.calls.push(`records ${records.length}`);
    this.records.push(records);
  }

  async armDeadlines(deadlines: RunTimer[]): Promise<void> {
    this.calls.push(`deadlines ${deadlines.length}`);
    this.deadlines.push(deadlines);
  }

  release(err?: unknown): void {
    const next = this.waiting.shift();
    if (!next) throw new Error('no advance call is waiting');
    if (err === undefined) next.resolve();
    else next.reject(err);
  }

  releaseAll(): void {
    this.holding = false;
    while (this.waiting.length > 0) this.release();
  }
}

/** Lets queued promise chains run (the store answers without timers). */
export const settle = () => new Promise((resolve) => setImmediate(resolve));

export function setup(writeBehindMs: number) {
  const store = new FakeStore();
  /** What memory holds: the latest state of each task that stays. */
  const memory = new Map<string, Task>();
  const forgotten: Task[] = [];
  const logger = { warn: jest.fn(), log: jest.fn() };
  const onError = jest.fn();
  const quiet = jest.fn(async () => undefined);
  const writes = new WriteBehind(
    {
      advance: (a) => store.advance(a),
      recordFires: (r) => store.recordFires(r),
      armDeadlines: (d) => store.armDeadlines(d),
      quiet,
      // Memory never changes under a publish here (see LoadedTasks' and PublishLoop's specs).
      settle: (_planned, _advance, next) => {
        const stays = next.dueAt !== null && next.dueAt <= HORIZON;
        if (stays) memory.set(next.id, next);
        else memory.delete(next.id);
        return { kept: stays, changed: false, dueAt: next.dueAt };
      },
      forget: (t) => {
        forgotten.push(t);
        memory.delete(t.id);
      },
      conditions: new ConditionLog(logger as unknown as Logger, 0),
      onError,
    },
    writeBehindMs,
  );
  /** Publishes the task's due fires at `now` (as the publish loop does once Kafka acked them). */
  const publish = (tasks: Task[], now: number, deadlines: RunTimer[] = []): Planned[] => {
    time.now = now;
    const planned = tasks.map((t) => planFires(t, now, settings));
    writes.afterPublish(planned, deadlines);
    return planned;
  };
  return { store, memory, forgotten, logger, onError, quiet, writes, publish };
}

/** The clock the specs set (Date.now is mocked to it). */
export const time = { now: T0 };
