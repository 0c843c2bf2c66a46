import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { DispatchModule } from '../dispatch/dispatch.module';
import { FireDoc, FireSchema } from '../dispatch/fire.schema';
import { TasksModule } from '../tasks/tasks.module';
import { AckDeadlineWatcher } from './ack-deadline.watcher';
import { AttemptFailures } from './attempt-failures';
import { MongoRunHistoryReader } from './mongo-run-history.reader';
import { MongoRunStore } from './mongo-run.store';
import { MongoWorkerStore } from './mongo-worker.store';
import { OutcomeConsumer } from './outcome.consumer';
import { RunTimerActions } from './run-timer.actions';
import { RunTimerLoop } from './run-timer.loop';
import { RunHistoryReader, RunStore, WorkerStore } from './run.store';
import {
  DeadLetterDoc,
  DeadLetterSchema,
  RunEventDoc,
  RunEventSchema,
  RunTimerDoc,
  RunTimerSchema,
  WorkerDoc,
  WorkerSchema,
} from './run.schemas';
import { RunsController } from './runs.controller';
import { RunsService } from './runs.service';
import { WorkerRegistry } from './worker-registry';

/** Worker outcomes, run history, redeliveries with backoff, dead letters, ack deadlines, workers. */
@Module({
  imports: [
    TasksModule,
    DispatchModule,
    MongooseModule.forFeature([
      { name: FireDoc.name, schema: FireSchema },
      { name: RunEventDoc.name, schema: RunEventSchema },
      { name: RunTimerDoc.name, schema: RunTimerSchema },
      { name: DeadLetterDoc.name, schema: DeadLetterSchema },
      { name: WorkerDoc.name, schema: WorkerSchema },
    ]),
  ],
  controllers: [RunsController],
  providers: [
    RunsService,
    RunTimerLoop,
    RunTimerActions,
    AttemptFailures,
    OutcomeConsumer,
    AckDeadlineWatcher,
    WorkerRegistry,
    { provide: RunStore, useClass: MongoRunStore },
    { provide: RunHistoryReader, useClass: MongoRunHistoryReader },
    { provide: WorkerStore, useClass: MongoWorkerStore },
  ],
  exports: [WorkerRegistry],
})
export class RunsModule {}
