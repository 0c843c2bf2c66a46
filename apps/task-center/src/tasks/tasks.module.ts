import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { MongoTaskRepository } from './mongo-task.repository';
import { MongoTaskChangeLog } from './mongo-task-change-log';
import { TaskActionsController } from './task-actions.controller';
import { TaskChangeLog } from './task-change-log';
import { TaskDefinitions } from './task-definitions';
import { TaskRepository } from './task.repository';
import { TaskDoc, TaskSchema } from './task.schema';
import { TasksController } from './tasks.controller';
import { TasksService } from './tasks.service';
import { TaskWriteLocks } from './task-write-locks';

@Module({
  imports: [MongooseModule.forFeature([{ name: TaskDoc.name, schema: TaskSchema }])],
  controllers: [TasksController, TaskActionsController],
  providers: [
    TasksService,
    TaskDefinitions,
    TaskWriteLocks,
    { provide: TaskRepository, useClass: MongoTaskRepository },
    { provide: TaskChangeLog, useClass: MongoTaskChangeLog },
  ],
  exports: [TaskRepository, TaskChangeLog, TaskWriteLocks, MongooseModule],
})
export class TasksModule {}
