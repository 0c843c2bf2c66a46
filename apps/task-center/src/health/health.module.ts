import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LeasesModule } from '../leases/leases.module';
import { ConsumersHealthIndicator } from './consumers.health';
import { DispatchRoleIndicator } from './dispatch-role.health';
import { HealthController } from './health.controller';
import { KafkaHealthIndicator } from './kafka.health';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), LeasesModule],
  controllers: [HealthController],
  providers: [KafkaHealthIndicator, ConsumersHealthIndicator, DispatchRoleIndicator],
})
export class HealthModule {}
