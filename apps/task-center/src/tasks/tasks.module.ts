import { Module } from '@nestjs/common';
import { RepositoriesModule } from '../repositories/repositories.module';
import { TaskActionsController } from './task-actions.controller';
import { TaskDefinitions } from './task-definitions';
import { TasksController } from './tasks.controller';
import { TasksService } from './tasks.service';

@Module({
  imports: [RepositoriesModule],
  controllers: [TasksController, TaskActionsController],
  providers: [TasksService, TaskDefinitions],
})
export class TasksModule {}
