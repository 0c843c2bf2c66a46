import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { type FireHandler, TaskWorker } from '@task-center/client';
import { parseTagPattern } from '../worker/tag-router';
import { TASK_HANDLER_METADATA } from './task-handler.decorator';

/**
 * Finds every `@TaskHandler` method at startup and registers it with the module's worker,
 * refusing to boot when two methods claim one tag; starts the worker once the application
 * is up and stops it first thing on shutdown, while the handlers' dependencies still work.
 */
@Injectable()
export class TaskHandlerExplorer implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('TaskWorker');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    @Inject(TaskWorker) private readonly worker: TaskWorker,
  ) {}

  onModuleInit(): void {
    const owners = new Map<string, string>();
    for (const wrapper of this.discovery.getProviders()) {
      const prototype = (wrapper.metatype as { prototype?: object } | undefined)?.prototype;
      if (!wrapper.metatype || !prototype) continue;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const method = (prototype as Record<string, unknown>)[name];
        if (typeof method !== 'function') continue;
        const pattern = this.reflector.get<string | undefined>(TASK_HANDLER_METADATA, method);
        if (pattern === undefined) continue;

        const where = `${wrapper.metatype.name}.${name}`;
        if (!wrapper.isDependencyTreeStatic() || !wrapper.instance) {
          throw new Error(
            `@TaskHandler('${pattern}') on ${where}: the provider must be a singleton`,
          );
        }
        for (const tag of parseTagPattern(pattern)) {
          const first = owners.get(tag);
          if (first) {
            throw new Error(
              `@TaskHandler('${tag}') is declared twice: ${first} and ${where}; one tag, one handler`,
            );
          }
          owners.set(tag, where);
        }
        const instance = wrapper.instance as object;
        const handler: FireHandler = (...args) =>
          (method as (...a: Parameters<FireHandler>) => unknown).apply(instance, args);
        this.worker.addTaskHandler(pattern, handler);
      }
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.worker.tags.length === 0) {
      this.logger.warn('no @TaskHandler methods found: the worker is not started');
      return;
    }
    await this.worker.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.worker.stop();
  }
}
