import { ConsoleLogger, type LoggerService, type LogLevel } from '@nestjs/common';
import { Logger as PinoNestLogger, PinoLogger } from 'nestjs-pino';
import { type AppConfig } from '../config';
import { pinoParams } from './pino-params';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** Nest's own start-up lines: one per module, one per route, "starting", "started". */
const FRAMEWORK_CONTEXTS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
]);

/** The context Nest's `Logger` appends as the last parameter. */
function contextOf(params: unknown[]): unknown {
  return params[params.length - 1];
}

/**
 * Writes Nest's start-up chatter (about 100 lines) at debug instead of info, so that the
 * lines a user reads at the default level are the task center's own. Everything else passes.
 */
export class QuietFrameworkLogger implements LoggerService {
  constructor(private readonly inner: LoggerService) {}

  log(message: unknown, ...params: unknown[]): void {
    const context = contextOf(params);
    if (typeof context === 'string' && FRAMEWORK_CONTEXTS.has(context)) {
      this.inner.debug?.(message, ...params);
      return;
    }
    this.inner.log(message, ...params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.inner.error(message, ...params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.inner.warn(message, ...params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.inner.debug?.(message, ...params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.inner.verbose?.(message, ...params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    (this.inner.fatal ?? this.inner.error).call(this.inner, message, ...params);
  }
}

/**
 * The process's logger from the first line on: pino JSON lines (`LOG_FORMAT=json`; the same
 * settings log requests) or Nest's console format, at `LOG_LEVEL`.
 */
export function appLogger(config: AppConfig): LoggerService {
  if (config.logFormat === 'json') {
    const params = pinoParams(config);
    return new QuietFrameworkLogger(new PinoNestLogger(new PinoLogger(params), params));
  }
  const logLevels = LEVELS.slice(0, LEVELS.indexOf(config.logLevel) + 1);
  return new QuietFrameworkLogger(new ConsoleLogger({ logLevels }));
}
