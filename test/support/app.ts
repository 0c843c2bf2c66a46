import { type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { getConnectionToken } from '@nestjs/mongoose';
import { type Connection } from 'mongoose';
import { AppModule } from '../../apps/task-center/src/app.module';
import { type AppConfig } from '../../apps/task-center/src/config';
import { setupApp } from '../../apps/task-center/src/setup-app';

/** Boots the real AppModule in-process against the real stack. */
export async function startApp(config: AppConfig): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [AppModule.forRoot(config)],
  }).compile();
  const app = setupApp(
    moduleRef.createNestApplication({ logger: ['error', 'warn'], bodyParser: false }),
    config,
  );
  await app.init();
  return app;
}

/** Drops the test's private database, then closes the app. */
export async function stopApp(app: INestApplication | undefined): Promise<void> {
  if (!app) return;
  const conn = app.get<Connection>(getConnectionToken());
  await conn.dropDatabase().catch(() => undefined);
  await app.close();
}
