import { Global, Module } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { APP_CONFIG, type AppConfig } from '../config';
import { FirePublisher } from './fire-publisher';
import { KafkaAdminService } from './kafka-admin.service';
import { kafkaLogCreator } from './kafka-log';
import { KAFKA } from './kafka.tokens';

/** The Kafka client, the admin (topics, health) and the one producer (FirePublisher). */
@Global()
@Module({
  providers: [
    {
      provide: KAFKA,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        new Kafka({
          clientId: config.kafka.clientId,
          brokers: config.kafka.brokers,
          logCreator: kafkaLogCreator,
          connectionTimeout: 3000,
          // Few client-level retries: callers (startup, dispatch) own visible, bounded retry loops.
          retry: { initialRetryTime: 200, maxRetryTime: 2000, retries: 2 },
        }),
    },
    KafkaAdminService,
    FirePublisher,
  ],
  exports: [KAFKA, KafkaAdminService, FirePublisher],
})
export class KafkaModule {}
