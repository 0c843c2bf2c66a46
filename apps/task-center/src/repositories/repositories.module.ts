import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { DatabaseModule } from '../database/database.module';
import { DeadLetterDoc, DeadLetterSchema } from './dead-letter.schema';
import { DeadLettersRepository } from './dead-letters.repository';
import { FireDoc, FireSchema } from './fire.schema';
import { FiresRepository } from './fires.repository';
import { LeasesRepository } from './leases.repository';
import { MongoDeadLettersRepository } from './mongo-dead-letters.repository';
import { MongoFiresRepository } from './mongo-fires.repository';
import { MongoLeasesRepository } from './mongo-leases.repository';
import { MongoMetaRepository } from './mongo-meta.repository';
import { MetaRepository } from './meta.repository';
import { MongoRunEventsRepository } from './mongo-run-events.repository';
import { MongoRunTimersRepository } from './mongo-run-timers.repository';
import { MongoTaskChangesRepository } from './mongo-task-changes.repository';
import { MongoTasksRepository } from './mongo-tasks.repository';
import { MongoOverviewStatsRepository } from './mongo-overview-stats.repository';
import { MongoWorkersRepository } from './mongo-workers.repository';
import { OverviewStatDoc, OverviewStatSchema } from './overview-stat.schema';
import { OverviewStatsRepository } from './overview-stats.repository';
import { RunEventDoc, RunEventSchema } from './run-event.schema';
import { RunEventsRepository } from './run-events.repository';
import { RunTimerDoc, RunTimerSchema } from './run-timer.schema';
import { RunTimersRepository } from './run-timers.repository';
import { MongoRetentionStateRepository } from './mongo-retention-state.repository';
import { RetentionStateDoc, RetentionStateSchema } from './retention-state.schema';
import { RetentionStateRepository } from './retention-state.repository';
import { TaskChangesRepository } from './task-changes.repository';
import { TaskDoc, TaskSchema } from './task.schema';
import { TasksRepository } from './tasks.repository';
import { WorkerDoc, WorkerSchema } from './worker.schema';
import { WorkersRepository } from './workers.repository';

const repositories = [
  { provide: TasksRepository, useClass: MongoTasksRepository },
  { provide: TaskChangesRepository, useClass: MongoTaskChangesRepository },
  { provide: FiresRepository, useClass: MongoFiresRepository },
  { provide: RunEventsRepository, useClass: MongoRunEventsRepository },
  { provide: RunTimersRepository, useClass: MongoRunTimersRepository },
  { provide: DeadLettersRepository, useClass: MongoDeadLettersRepository },
  { provide: WorkersRepository, useClass: MongoWorkersRepository },
  { provide: LeasesRepository, useClass: MongoLeasesRepository },
  { provide: OverviewStatsRepository, useClass: MongoOverviewStatsRepository },
  { provide: RetentionStateRepository, useClass: MongoRetentionStateRepository },
  { provide: MetaRepository, useClass: MongoMetaRepository },
];

/**
 * One repository per collection, the only classes that touch a model or a collection. Each
 * abstract class is the DI token; domain modules import this module and ask for it.
 */
@Module({
  imports: [
    DatabaseModule,
    MongooseModule.forFeature([
      { name: TaskDoc.name, schema: TaskSchema },
      { name: FireDoc.name, schema: FireSchema },
      { name: RunEventDoc.name, schema: RunEventSchema },
      { name: RunTimerDoc.name, schema: RunTimerSchema },
      { name: DeadLetterDoc.name, schema: DeadLetterSchema },
      { name: WorkerDoc.name, schema: WorkerSchema },
      { name: OverviewStatDoc.name, schema: OverviewStatSchema },
      { name: RetentionStateDoc.name, schema: RetentionStateSchema },
    ]),
  ],
  providers: repositories,
  exports: repositories.map((r) => r.provide),
})
export class RepositoriesModule {}
