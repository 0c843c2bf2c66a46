import { Global, Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module';
import { LeasesModule } from '../leases/leases.module';
import { RepositoriesModule } from '../repositories/repositories.module';
import { DatabaseErrorsWatch } from './database-errors.watch';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

/** `GET /metrics` and the {@link MetricsService} every module may report to (global). */
@Global()
@Module({
  imports: [DatabaseModule, RepositoriesModule, LeasesModule],
  controllers: [MetricsController],
  providers: [MetricsService, DatabaseErrorsWatch],
  exports: [MetricsService],
})
export class MetricsModule {}
