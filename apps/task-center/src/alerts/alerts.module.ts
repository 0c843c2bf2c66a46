import { Module } from '@nestjs/common';
import { LeasesModule } from '../leases/leases.module';
import { RepositoriesModule } from '../repositories/repositories.module';
import { RunsModule } from '../runs/runs.module';
import { AlertWebhook } from './alert-webhook';
import { AlertsService } from './alerts.service';

/** Thresholds, dead letters, ack timeouts, orphaned tags, dispatch lag: log, metric, webhook. */
@Module({
  imports: [RepositoriesModule, LeasesModule, RunsModule],
  providers: [AlertsService, AlertWebhook],
})
export class AlertsModule {}
