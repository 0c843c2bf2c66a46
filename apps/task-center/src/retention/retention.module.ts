import { Module } from '@nestjs/common';
import { LeasesModule } from '../leases/leases.module';
import { RepositoriesModule } from '../repositories/repositories.module';
import { PurgeStreams } from './purge-streams';
import { RetentionJob } from './retention.job';

/** Deletes fires, run events, finished tasks, dead letters and workers past their retention. */
@Module({
  imports: [RepositoriesModule, LeasesModule],
  providers: [PurgeStreams, RetentionJob],
  exports: [RetentionJob],
})
export class RetentionModule {}
