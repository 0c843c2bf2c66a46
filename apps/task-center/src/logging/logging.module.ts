import {
  type DynamicModule,
  type MiddlewareConsumer,
  Module,
  type NestModule,
} from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { type AppConfig } from '../config';
import { pinoParams } from './pino-params';
import { RequestIdMiddleware } from './request-id.middleware';

/**
 * Request ids on every response; with `LOG_FORMAT=json`, pino (via nestjs-pino) for every
 * log line and for requests. `pretty` keeps Nest's single-line console format.
 */
@Module({})
export class LoggingModule implements NestModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: LoggingModule,
      imports: config.logFormat === 'json' ? [LoggerModule.forRoot(pinoParams(config))] : [],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequestIdMiddleware).forRoutes('*path');
  }
}
