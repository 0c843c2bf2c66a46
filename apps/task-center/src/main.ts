import 'reflect-metadata';
import { type INestApplicationContext, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { HttpTargetsStandaloneModule } from './http-targets/standalone.module';
import { type AppConfig, ConfigError, loadConfig, maskedConfig } from './config';
import { findDashboardDir } from './dashboard/dashboard-files';
import { appLogger } from './logging/app-logger';
import { baseUrl, startupLine } from './logging/startup-line';
import { setupApp } from './setup-app';

const logger = new Logger('TaskCenter');

function fail(message: string): never {
  process.stderr.write(`task-center: ${message}\n`);
  process.exit(1);
}

/** SIGTERM/SIGINT: run every shutdown hook, then exit 0; exit 1 if that overruns its bound. */
function exitOnSignals(app: INestApplicationContext, timeoutMs: number): void {
  const shutdown = async (signal: NodeJS.Signals) => {
    logger.log(`${signal} received: shutting down (at most ${timeoutMs / 1000}s)`);
    setTimeout(
      () => fail(`shutdown did not finish within ${timeoutMs / 1000}s`),
      timeoutMs,
    ).unref();
    await app.close();
    process.exit(0);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, (s) => void shutdown(s));
  }
}

/** `main.js` runs the task center; `main.js http-targets` only the HTTP delivery worker. */
const COMMANDS = ['http-targets'] as const;

async function bootstrap(command: string | undefined): Promise<void> {
  if (command !== undefined && !(COMMANDS as readonly string[]).includes(command)) {
    fail(`unknown command "${command}": run without one, or with ${COMMANDS.join(', ')}`);
  }
  const standalone = command === 'http-targets';
  let config: AppConfig;
  try {
    config = loadConfig(process.env, { database: !standalone });
  } catch (err) {
    if (err instanceof ConfigError) fail(`invalid configuration: ${err.message}`);
    throw err;
  }
  const processLogger = appLogger(config);
  Logger.overrideLogger(processLogger);
  // The first line says where everything is; the masked settings follow.
  if (!standalone) logger.log(startupLine(config, findDashboardDir(config.dashboard.dir)));
  logger.log(`config ${JSON.stringify(maskedConfig(config))}`);
  if (standalone) {
    const worker = await NestFactory.createApplicationContext(
      HttpTargetsStandaloneModule.forRoot(config),
      { abortOnError: false, logger: processLogger },
    );
    exitOnSignals(worker, config.shutdownTimeoutMs);
    await worker.init();
    logger.log(`HTTP delivery worker: ${config.kafka.topics.http} as ${config.httpTargets.group}`);
    return;
  }
  const app = await NestFactory.create(AppModule.forRoot(config), {
    abortOnError: false,
    bodyParser: false,
    logger: processLogger,
  });
  setupApp(app, config);
  exitOnSignals(app, config.shutdownTimeoutMs);
  await app.listen(config.http.port, config.http.host);
  logger.log(
    `ready at ${baseUrl(config.http)} (listening on ${config.http.host}:${config.http.port})`,
  );
}

bootstrap(process.argv[2]).catch((err: unknown) =>
  fail(`startup failed: ${err instanceof Error ? err.message : String(err)}`),
);
