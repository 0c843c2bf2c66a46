import { Module } from '@nestjs/common';
import { DispatchModule } from '../dispatch/dispatch.module';
import { RunsModule } from '../runs/runs.module';
import { AlertWebhook } from './alert-webhook';
import { AlertsService } from './alerts.service';

/** Thresholds, dead letters, ack timeouts, orphaned tags, dispatch lag: log, metric, webhook. */
@Module({
  imports: [DispatchModule, RunsModule],
  providers: [AlertsService, AlertWebhook],
})
export class AlertsModule {}
