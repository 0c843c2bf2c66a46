import { type ModuleMetadata } from '@nestjs/common';
import { type TaskWorkerOptions } from '@task-center/client';

export const TASK_WORKER_OPTIONS = Symbol('TASK_WORKER_OPTIONS');

export interface TaskClientModuleAsyncOptions {
  imports?: ModuleMetadata['imports'];
  /** Providers passed to `useFactory`, in order (e.g. your ConfigService). */
  inject?: unknown[];
  useFactory: (...args: never[]) => TaskWorkerOptions | Promise<TaskWorkerOptions>;
}
