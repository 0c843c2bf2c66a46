import { Module } from '@nestjs/common';
import { LeasesModule } from '../leases/leases.module';
import { RepositoriesModule } from '../repositories/repositories.module';
import { AttemptFailures } from './attempt-failures';
import { DeadLetterRedriveController } from './dead-letter-redrive.controller';
import { DeadLetterRedriveService } from './dead-letter-redrive.service';
import { KnownTasks } from './known-tasks';
import { OutcomeConsumer } from './outcome.consumer';
import { RunTimerActions } from './run-timer.actions';
import { RunTimerLoop } from './run-timer.loop';
import { RunSearchController } from './run-search.controller';
import { RunSearchService } from './run-search.service';
import { RunsController } from './runs.controller';
import { RunsService } from './runs.service';
import { WorkerRegistry } from './worker-registry';

/** Worker outcomes, run history, redeliveries with backoff, dead letters, ack deadlines, workers. */
@Module({
  imports: [RepositoriesModule, LeasesModule],
  controllers: [RunsController, RunSearchController, DeadLetterRedriveController],
  providers: [
    RunsService,
    DeadLetterRedriveService,
    RunSearchService,
    RunTimerLoop,
    RunTimerActions,
    AttemptFailures,
    OutcomeConsumer,
    KnownTasks,
    WorkerRegistry,
  ],
  exports: [WorkerRegistry, RunTimerLoop],
})
export class RunsModule {}
