import { type DynamicModule, Module } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { type AppConfig, ConfigModule } from '../config';
import { kafkaLogCreator } from '../kafka/kafka-log';
import { HTTP_TARGETS_SETTINGS, httpTargetsSettings } from './http-targets.settings';
import { HTTP_TARGETS_KAFKA, HttpTargetsWorker } from './http-targets.worker';

/**
 * The HTTP delivery worker as its own process (`node dist/apps/task-center/main.js
 * http-targets`): Kafka only, no database, no API. Run as many as the HTTP load needs; they
 * share the consumer group HTTP_TARGET_GROUP.
 */
@Module({})
export class HttpTargetsStandaloneModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: HttpTargetsStandaloneModule,
      imports: [ConfigModule.forRoot(config)],
      providers: [
        { provide: HTTP_TARGETS_SETTINGS, useValue: httpTargetsSettings(config, true) },
        {
          provide: HTTP_TARGETS_KAFKA,
          useFactory: () =>
            new Kafka({
              clientId: `${config.kafka.clientId}-http-targets`,
              brokers: config.kafka.brokers,
              logCreator: kafkaLogCreator,
              connectionTimeout: 3000,
            }),
        },
        HttpTargetsWorker,
      ],
    };
  }
}
