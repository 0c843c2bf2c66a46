import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config';
import { KAFKA } from '../kafka/kafka.tokens';
import { HTTP_TARGETS_SETTINGS, httpTargetsSettings } from './http-targets.settings';
import { HTTP_TARGETS_KAFKA, HttpTargetsWorker } from './http-targets.worker';

/** The HTTP delivery worker inside the task center (HTTP_TARGETS_ENABLED). */
@Module({
  providers: [
    {
      provide: HTTP_TARGETS_SETTINGS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => httpTargetsSettings(config, config.httpTargets.enabled),
    },
    { provide: HTTP_TARGETS_KAFKA, useExisting: KAFKA },
    HttpTargetsWorker,
  ],
  exports: [HttpTargetsWorker],
})
export class HttpTargetsModule {}
