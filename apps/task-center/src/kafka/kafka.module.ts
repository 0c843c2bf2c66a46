import { Global, Module } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { randomBytes } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../config';
import { MetaRepository } from '../repositories/meta.repository';
import { RepositoriesModule } from '../repositories/repositories.module';
import { ConsumerGroupGuard } from './consumer-group.guard';
import { DEPLOYMENT, type Deployment, taggedClientId } from './deployment';
import { FirePublisher } from './fire-publisher';
import { KafkaAdminService } from './kafka-admin.service';
import { kafkaLogCreator } from './kafka-log';
import { KAFKA } from './kafka.tokens';

/**
 * The Kafka client (its client id tagged with this database's deployment), the admin
 * (topics, health), the one producer (FirePublisher) and the guard against sharing a
 * consumer group with another deployment.
 */
@Global()
@Module({
  imports: [RepositoriesModule],
  providers: [
    {
      provide: DEPLOYMENT,
      inject: [MetaRepository],
      useFactory: async (meta: MetaRepository): Promise<Deployment> => ({
        id: await meta.deploymentId(randomBytes(6).toString('hex'), Date.now()),
        database: meta.databaseName(),
      }),
    },
    {
      provide: KAFKA,
      inject: [APP_CONFIG, DEPLOYMENT],
      useFactory: (config: AppConfig, deployment: Deployment) =>
        new Kafka({
          clientId: taggedClientId(config.kafka.clientId, deployment),
          brokers: config.kafka.brokers,
          logCreator: kafkaLogCreator,
          connectionTimeout: 3000,
          // Few client-level retries: callers (startup, dispatch) own visible, bounded retry loops.
          retry: { initialRetryTime: 200, maxRetryTime: 2000, retries: 2 },
        }),
    },
    KafkaAdminService,
    FirePublisher,
    ConsumerGroupGuard,
  ],
  exports: [KAFKA, DEPLOYMENT, KafkaAdminService, FirePublisher],
})
export class KafkaModule {}
