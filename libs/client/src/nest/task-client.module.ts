import { type DynamicModule, Logger, Module, type Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TaskWorker, type TaskWorkerOptions } from '@task-center/client';
import { type TaskClientModuleAsyncOptions, TASK_WORKER_OPTIONS } from './task-client.options';
import { TaskHandlerExplorer } from './task-handler.explorer';

const workerProvider: Provider = {
  provide: TaskWorker,
  inject: [TASK_WORKER_OPTIONS],
  // Nest's Logger by default, so worker lines look like the rest of the application's.
  useFactory: (options: TaskWorkerOptions) =>
    new TaskWorker({ logger: new Logger('TaskWorker'), ...options }),
};

/**
 * The worker SDK for Nest applications: one TaskWorker for the app (injectable anywhere), fed
 * by `@TaskHandler('tag')` methods of any provider.
 */
@Module({})
export class TaskClientModule {
  static forRoot(options: TaskWorkerOptions): DynamicModule {
    return TaskClientModule.build([], { provide: TASK_WORKER_OPTIONS, useValue: options });
  }

  static forRootAsync(options: TaskClientModuleAsyncOptions): DynamicModule {
    return TaskClientModule.build(options.imports ?? [], {
      provide: TASK_WORKER_OPTIONS,
      inject: (options.inject ?? []) as never[],
      useFactory: options.useFactory,
    });
  }

  private static build(
    imports: DynamicModule['imports'],
    optionsProvider: Provider,
  ): DynamicModule {
    return {
      module: TaskClientModule,
      global: true,
      imports: [DiscoveryModule, ...(imports ?? [])],
      providers: [optionsProvider, workerProvider, TaskHandlerExplorer],
      exports: [TaskWorker],
    };
  }
}
