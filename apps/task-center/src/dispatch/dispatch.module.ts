import { Module } from '@nestjs/common';
import { LeasesModule } from '../leases/leases.module';
import { RepositoriesModule } from '../repositories/repositories.module';
import { RunsModule } from '../runs/runs.module';
import { Dispatcher } from './dispatcher.service';

/** The fire loop: read-ahead, change following, publish, write-behind (arms ack deadlines). */
@Module({
  imports: [RepositoriesModule, LeasesModule, RunsModule],
  providers: [Dispatcher],
})
export class DispatchModule {}
