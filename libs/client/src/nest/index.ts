export { TaskClientModule } from './task-client.module';
export { type TaskClientModuleAsyncOptions, TASK_WORKER_OPTIONS } from './task-client.options';
export { TaskHandler, TASK_HANDLER_METADATA } from './task-handler.decorator';
