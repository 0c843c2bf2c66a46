import {
  type DynamicModule,
  type MiddlewareConsumer,
  Module,
  type NestModule,
} from '@nestjs/common';
import { AlertsModule } from './alerts/alerts.module';
import { type AppConfig, ConfigModule } from './config';
import { DatabaseModule } from './database/database.module';
import { DispatchModule } from './dispatch/dispatch.module';
import { HealthModule } from './health/health.module';
import { HttpTargetsModule } from './http-targets/http-targets.module';
import { RequireJsonMiddleware } from './http/require-json.middleware';
import { KafkaModule } from './kafka/kafka.module';
import { LoggingModule } from './logging/logging.module';
import { MetricsModule } from './metrics/metrics.module';
import { OverviewModule } from './overview/overview.module';
import { RetentionModule } from './retention/retention.module';
import { RunsModule } from './runs/runs.module';
import { SecurityModule } from './security/security.module';
import { TasksModule } from './tasks/tasks.module';

@Module({})
export class AppModule implements NestModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(config),
        SecurityModule,
        DatabaseModule,
        KafkaModule,
        HealthModule,
        TasksModule,
        DispatchModule,
        RunsModule,
        MetricsModule,
        AlertsModule,
        OverviewModule,
        RetentionModule,
        HttpTargetsModule,
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequireJsonMiddleware).forRoutes('v1/api/*path');
  }
}
