/** Fakes and helpers of the PublishLoop specs (publish-loop*.spec.ts); fake timers. */
import { type Logger } from '@nestjs/common';
import { FireHeader, TaskType } from '@task-center/contracts';
import { ConditionLog } from '../background/condition-log';
import { type DueSource, ShardReadAhead } from '../due-time/shard-read-ahead';
import { type FireMessage } from '../kafka/fire-message';
import { type PreparedFires } from '../kafka/fire-publisher';
import { type FireRecord } from '../runs/run-records';
import { type Task } from '../tasks/task';
import { type Advance } from '../tasks/task-advance';
import { LoadedTasks } from './loaded-tasks';
import { PublishLoop } from './publish-loop';
import { WriteBehind } from './write-behind';
import { loopTaskAt } from '../tasks/task.fixtures';

export const S = 1000;

/** A one-shot due at `dueAt`: fired once, it completes and leaves memory. */
export function oneShot(dueAt: number, overrides: Partial<Task> = {}): Task {
  return loopTaskAt(dueAt, { type: TaskType.OneShot, loopTime: undefined, ...overrides });
}

/** A loop every `loopTime` seconds whose next slot is `dueAt`. */
export const loopTask = (dueAt: number, overrides: Partial<Task> = {}) =>
  oneShot(dueAt, { type: TaskType.Loop, loopTime: 1, createdAt: dueAt - 60 * S, ...overrides });

export const idOf = (m: FireMessage) => m.headers[FireHeader.messageId]!;
export const scheduledOf = (m: FireMessage) => Number(m.headers[FireHeader.scheduledAt]);

/** Stands in for the encoded batch: the messages, minus those dropped at the slot. */
export class FakePrepared {
  readonly partitions: PreparedFires['partitions'] = [];
  constructor(public plain: FireMessage[]) {}
  drop(dropped: ReadonlySet<FireMessage>): void {
    this.plain = this.plain.filter((m) => !dropped.has(m));
  }
}

export interface Attempt {
  at: number;
  publishedAt: number;
  messages: FireMessage[];
  ok: boolean;
  ackedAt?: number;
}

/** Kafka: records every send; `delayMs` makes it slow, `failNext` makes the next sends fail. */
export class FakePublisher {
  readonly attempts: Attempt[] = [];
  delayMs = 0;
  failNext = 0;
  inFlight = 0;
  maxInFlight = 0;

  get acked(): Attempt[] {
    return this.attempts.filter((a) => a.ok);
  }

  get ackedIds(): string[] {
    return this.acked.flatMap((a) => a.messages.map(idOf));
  }

  prepare(messages: FireMessage[]): PreparedFires {
    return new FakePrepared([...messages]);
  }

  async publishPrepared(batch: PreparedFires, publishedAt: number): Promise<void> {
    const attempt: Attempt = { at: Date.now(), publishedAt, messages: batch.plain, ok: false };
    this.attempts.push(attempt);
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
    try {
      if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      if (this.failNext > 0) {
        this.failNext--;
        throw new Error('broker not available');
      }
      attempt.ok = true;
      attempt.ackedAt = Date.now();
    } finally {
      this.inFlight--;
    }
  }
}

export const noSource: DueSource<Task> = {
  inSlot: () => Promise.reject(new Error('not read in this spec')),
  dueBy: () => Promise.reject(new Error('not read in this spec')),
};

export const T0 = 1_800_000_000_000;
export const loops: { stop(): Promise<void> }[] = [];

export function setup(options: { maxBatch?: number; writeBehindMs?: number } = {}) {
  const reach = new ShardReadAhead<Task>(noSource, 10 * S);
  reach.track(0);
  reach.track(1);
  const store = {
    records: [] as { at: number; records: FireRecord[] }[],
    advances: [] as Advance[],
  };
  const logger = { warn: jest.fn(), log: jest.fn() };
  const conditions = new ConditionLog(logger as unknown as Logger, 0);
  let running = true;
  const held = new Set<number>([0, 1]);
  const rereads: number[] = [];
  const onError = jest.fn();
  const pollChanges = jest.fn(async () => undefined);
  const publisher = new FakePublisher();
  const writes: WriteBehind = new WriteBehind(
    {
      advance: async (a) => void store.advances.push(...a),
      recordFires: async (r) => void store.records.push({ at: Date.now(), records: r }),
      armDeadlines: async () => undefined,
      quiet: (): Promise<void> => loop.quiet(),
      settle: (planned, advance, next) => memory.settle(planned, advance, next),
      forget: (t) => memory.unload(t.id),
      conditions,
    },
    options.writeBehindMs ?? 0,
  );
  const memory: LoadedTasks = new LoadedTasks(reach, writes, () => loop.arm());
  const loop: PublishLoop = new PublishLoop(
    {
      memory,
      writes,
      publisher,
      pollChanges,
      holds: (shard) => held.has(shard),
      reread: (shard) => rereads.push(shard),
      deadlinesOf: () => [],
      isRunning: () => running,
      conditions,
      onError,
    },
    {
      misfire: { thresholdMs: 5 * S, maxCatchUp: 10 },
      topics: { tasks: 'tasks', http: 'http' },
      maxBatch: options.maxBatch ?? 1000,
    },
  );
  const stop = async () => {
    running = false;
    loop.stop();
    await loop.settled();
    await writes.flushed();
  };
  loops.push({ stop });
  return {
    memory,
    writes,
    loop,
    publisher,
    store,
    logger,
    held,
    rereads,
    onError,
    pollChanges,
    stop,
  };
}

/** Runs the (fake) clock in small steps until `done()` holds, failing after `timeoutMs`. */
export async function until(done: () => boolean, timeoutMs = 10 * S): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await jest.advanceTimersByTimeAsync(1);
  }
}
/** Runs the (fake) clock `ms` on. */
export const sleep = (ms: number) => jest.advanceTimersByTimeAsync(Math.max(0, ms));

/** Settles a promise that needs the fake clock to run. */
export async function settled(promise: Promise<unknown>): Promise<void> {
  let done = false;
  void promise.finally(() => (done = true));
  await until(() => done);
}
