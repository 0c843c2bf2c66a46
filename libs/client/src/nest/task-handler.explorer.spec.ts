import 'reflect-metadata';
import { Injectable, type Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TaskWorker } from '@task-center/client';
import { TaskClientModule } from './task-client.module';
import { TaskHandler } from './task-handler.decorator';
import { TaskHandlerExplorer } from './task-handler.explorer';

@Injectable()
class ReportHandlers {
  @TaskHandler('reports.daily || reports.weekly')
  build(): void {}

  @TaskHandler('*')
  rest(): void {}
}

@Injectable()
class ExportHandlers {
  @TaskHandler('exports ||reports.weekly')
  export(): void {}
}

/** Registers the handlers of `providers` as the module does at startup; Kafka is never reached. */
async function explore(...providers: Type[]): Promise<TaskWorker> {
  const moduleRef = await Test.createTestingModule({
    imports: [TaskClientModule.forRoot({ brokers: ['127.0.0.1:1'], groupId: 'explorer-spec' })],
    providers,
  }).compile();
  moduleRef.get(TaskHandlerExplorer).onModuleInit();
  return moduleRef.get(TaskWorker);
}

describe('TaskHandlerExplorer', () => {
  it("registers '@TaskHandler('a || b')' under both tags, and '*' last", async () => {
    const worker = await explore(ReportHandlers);
    expect(worker.tags).toEqual(['reports.daily', 'reports.weekly', '*']);
  });

  it('refuses a tag claimed twice across patterns with spaces, naming both methods', async () => {
    await expect(explore(ReportHandlers, ExportHandlers)).rejects.toThrow(
      "@TaskHandler('reports.weekly') is declared twice: ReportHandlers.build and " +
        'ExportHandlers.export; one tag, one handler',
    );
  });

  it('rejects an empty part where the decorator is written', () => {
    expect(() => TaskHandler('reports.daily || ')).toThrow(
      "invalid tag pattern 'reports.daily || ': part 2 of 2 is empty",
    );
  });
});
