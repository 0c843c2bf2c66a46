import { Module } from '@nestjs/common';
import { LeasesModule } from '../leases/leases.module';
import { RepositoriesModule } from '../repositories/repositories.module';
import { RunsModule } from '../runs/runs.module';
import { FleetSnapshotJob } from './fleet-snapshot.job';
import { MinuteStatsWriter } from './minute-stats.writer';
import { OverviewController } from './overview.controller';
import { OverviewService } from './overview.service';

/** `GET /v1/api/overview` and the per-minute counts and fleet snapshot it reads. */
@Module({
  imports: [RepositoriesModule, LeasesModule, RunsModule],
  controllers: [OverviewController],
  providers: [OverviewService, MinuteStatsWriter, FleetSnapshotJob],
})
export class OverviewModule {}
