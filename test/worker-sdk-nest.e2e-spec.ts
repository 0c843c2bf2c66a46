import 'reflect-metadata';
import { Injectable, Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type FireContext, TaskWorker, type TaskWorkerOptions } from '@task-center/client';
import { TaskClientModule, TaskHandler } from '@task-center/client/nest';
import { acquireStackLock } from './support/stack-control';
import { testKafka, WorkerTestKafka } from './support/worker-kafka';

/** What the handlers did, through a provider they inject (so `this` must be theirs). */
@Injectable()
class Ledger {
  readonly entries: string[] = [];
}

@Injectable()
class BillingHandlers {
  constructor(private readonly ledger: Ledger) {}

  @TaskHandler('billing')
  charge(taskId: string, data: string): void {
    this.ledger.entries.push(`billing ${taskId} ${data}`);
  }
}

@Injectable()
class ReportHandlers {
  constructor(private readonly ledger: Ledger) {}

  @TaskHandler('reports||exports')
  async build(_taskId: string, _data: string, _msgId: string, ctx: FireContext): Promise<void> {
    await Promise.resolve();
    this.ledger.entries.push(`${ctx.tag} attempt ${ctx.attempt}`);
  }
}

@Injectable()
class DuplicateBilling {
  @TaskHandler('invoices||billing')
  again(): void {}
}

const WORKER_SETTINGS = 'WORKER_SETTINGS';

describe('worker SDK: Nest module and @TaskHandler (real Kafka)', () => {
  let kafka: WorkerTestKafka;
  let releaseLock: (() => void) | undefined;
  let app: INestApplicationContext | undefined;

  beforeAll(async () => {
    releaseLock = await acquireStackLock('test/worker-sdk-nest.e2e-spec.ts');
    kafka = new WorkerTestKafka();
    await kafka.connect();
  });

  afterAll(async () => {
    try {
      await app?.close();
      await kafka?.close();
    } finally {
      releaseLock?.();
    }
  });

  const workerOptions = (topics: {
    tasks: string;
    results: string;
    group: string;
  }): TaskWorkerOptions => ({
    kafka: testKafka('sdk-nest-worker'),
    groupId: topics.group,
    topic: topics.tasks,
    resultsTopic: topics.results,
    fromBeginning: true,
    consumer: { sessionTimeout: 6000, heartbeatInterval: 500, maxWaitTimeInMs: 200 },
  });

  it('discovers @TaskHandler methods of two providers, runs them with their DI, and stops on close', async () => {
    const topics = await kafka.freshTopics();
    const results = await kafka.readResults(topics.results);

    // Options from another module through forRootAsync's imports + inject.
    @Module({
      providers: [{ provide: WORKER_SETTINGS, useValue: workerOptions(topics) }],
      exports: [WORKER_SETTINGS],
    })
    class SettingsModule {}

    @Module({
      imports: [
        TaskClientModule.forRootAsync({
          imports: [SettingsModule],
          inject: [WORKER_SETTINGS],
          useFactory: (settings: TaskWorkerOptions) => settings,
        }),
      ],
      providers: [Ledger, BillingHandlers, ReportHandlers],
    })
    class WorkerApp {}

    app = await NestFactory.createApplicationContext(WorkerApp, {
      logger: false,
      abortOnError: false,
    });
    const worker = app.get(TaskWorker);
    expect(worker.tags).toEqual(['billing', 'exports', 'reports']);

    const [billing, reports, exports] = await kafka.produce(topics.tasks, [
      { tag: 'billing', data: 'invoice-7' },
      { tag: 'reports', attempt: 2 },
      { tag: 'exports' },
    ]);
    for (const f of [billing!, reports!, exports!]) {
      expect((await results.outcome(f.messageId)).result).toBe('succeeded');
    }
    expect(app.get(Ledger).entries).toEqual([
      `billing ${billing!.taskId} invoice-7`,
      'reports attempt 2',
      'exports attempt 1',
    ]);
    const workerId = worker.identity.id;

    await app.close();
    app = undefined;
    expect(await kafka.committed(topics.group, topics.tasks)).toBe(3);
    expect(results.heartbeats().length).toBeGreaterThan(0);
    expect(results.heartbeats().every((h) => h.worker.id === workerId)).toBe(true);
  });

  it('refuses to start when two methods claim one tag, naming both', async () => {
    const topics = await kafka.freshTopics();

    @Module({
      imports: [TaskClientModule.forRoot(workerOptions(topics))],
      providers: [Ledger, BillingHandlers, DuplicateBilling],
    })
    class ClashingApp {}

    await expect(
      NestFactory.createApplicationContext(ClashingApp, { logger: false, abortOnError: false }),
    ).rejects.toThrow(
      "@TaskHandler('billing') is declared twice: BillingHandlers.charge and DuplicateBilling.again",
    );
  });

  it('rejects a malformed tag pattern where the decorator is written', () => {
    expect(() => TaskHandler('a||')).toThrow("invalid tag pattern 'a||'");
  });
});
