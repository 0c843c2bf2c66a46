import {
  Inject,
  Logger,
  type MiddlewareConsumer,
  Module,
  type NestModule,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { APP_CONFIG, type AppConfig } from '../config';
import { ApiKeyMiddleware } from './api-key.middleware';
import { ApiKeyScopeGuard } from './api-key-scope.guard';
import { ApiKeys } from './api-keys';
import { WhoamiController } from './whoami.controller';

/**
 * API keys on the API and the metrics (401 without a known one), their scopes checked per
 * route (403); `/health*` and `/docs` stay open.
 */
@Module({
  controllers: [WhoamiController],
  providers: [{ provide: APP_GUARD, useClass: ApiKeyScopeGuard }],
})
export class SecurityModule implements NestModule, OnApplicationBootstrap {
  private readonly logger = new Logger('Security');

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(ApiKeyMiddleware).forRoutes('v1/api/*path', 'metrics');
  }

  onApplicationBootstrap(): void {
    const { apiKeys, corsOrigins } = this.config.security;
    if (apiKeys.length === 0) {
      this.logger.warn(
        'API_KEYS is not set: the API and /metrics accept requests from anyone who can reach this port. Set API_KEYS before exposing it.',
      );
    } else {
      const counts = Object.entries(new ApiKeys(apiKeys).countByScope())
        .map(([scope, n]) => `${n} ${scope}`)
        .join(', ');
      this.logger.log(`API keys required on /v1/api and /metrics (${counts})`);
    }
    if (corsOrigins.length > 0) this.logger.log(`CORS allowed for ${corsOrigins.join(', ')}`);
  }
}
