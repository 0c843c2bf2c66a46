import { Global, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { DispatchModule } from '../dispatch/dispatch.module';
import { TaskDoc, TaskSchema } from '../tasks/task.schema';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';
import { MongoConnectionWatch } from './mongo-connection.watch';
import { MongoTaskStatsReader } from './mongo-task-stats.reader';
import { TaskStatsReader } from './task-stats.reader';

/** `GET /metrics` and the {@link MetricsService} every module may report to (global). */
@Global()
@Module({
  imports: [
    DispatchModule,
    MongooseModule.forFeature([{ name: TaskDoc.name, schema: TaskSchema }]),
  ],
  controllers: [MetricsController],
  providers: [
    MetricsService,
    MongoConnectionWatch,
    { provide: TaskStatsReader, useClass: MongoTaskStatsReader },
  ],
  exports: [MetricsService, TaskStatsReader],
})
export class MetricsModule {}
