import { Module } from '@nestjs/common';
import { RepositoriesModule } from '../repositories/repositories.module';
import { CreateTasksController } from './create-tasks.controller';
import { CreateTasksService } from './create-tasks.service';
import { TaskActionsController } from './task-actions.controller';
import { TaskBulkController } from './task-bulk.controller';
import { TaskBulkService } from './task-bulk.service';
import { TaskDefinitions } from './task-definitions';
import { TaskSearchController } from './task-search.controller';
import { TaskSearchService } from './task-search.service';
import { TasksController } from './tasks.controller';
import { TasksService } from './tasks.service';

@Module({
  imports: [RepositoriesModule],
  controllers: [
    TasksController,
    TaskActionsController,
    TaskSearchController,
    TaskBulkController,
    CreateTasksController,
  ],
  providers: [
    TasksService,
    TaskDefinitions,
    TaskSearchService,
    TaskBulkService,
    CreateTasksService,
  ],
})
export class TasksModule {}
