import { type Type } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import { Test, type TestingModule } from '@nestjs/testing';
import { type Connection } from 'mongoose';
import { type AppConfig, ConfigModule } from '../../apps/task-center/src/config';
import { DatabaseModule } from '../../apps/task-center/src/database/database.module';
import { RepositoriesModule } from '../../apps/task-center/src/repositories/repositories.module';
import { isolatedConfig, mongoUriFor, uniqueName } from './stack';

/** The repositories on a private database of the real stack, without Kafka or the rest of the app. */
export class RepositoriesHarness {
  private constructor(
    readonly config: AppConfig,
    private readonly moduleRef: TestingModule,
  ) {}

  static async start(
    name: string,
    overrides: Record<string, string> = {},
  ): Promise<RepositoriesHarness> {
    const config = isolatedConfig({
      MONGODB_URI: mongoUriFor(uniqueName(name).replace(/-/g, '_')),
      ...overrides,
    });
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(config), DatabaseModule, RepositoriesModule],
    }).compile();
    moduleRef.useLogger(['error', 'warn']);
    await moduleRef.init();
    return new RepositoriesHarness(config, moduleRef);
  }

  get<T>(token: Type<T> | (abstract new (...args: never[]) => T)): T {
    return this.moduleRef.get(token);
  }

  /** The raw connection: for setting up states the repositories never write (a crashed owner's lock). */
  get connection(): Connection {
    return this.moduleRef.get<Connection>(getConnectionToken());
  }

  /** Drops the private database, then closes the module. */
  async stop(): Promise<void> {
    await this.connection.dropDatabase().catch(() => undefined);
    await this.moduleRef.close();
  }
}
