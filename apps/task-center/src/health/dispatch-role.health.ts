import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { APP_CONFIG, type AppConfig } from '../config';
import { ShardLeases } from '../leases/shard-leases';

/** This replica's part in dispatch: informative, never "down" (a replica may own no shard). */
@Injectable()
export class DispatchRoleIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly leases: ShardLeases,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  check(key: string) {
    const owned = this.leases.owned().sort((a, b) => a - b);
    return this.health.check(key).up({
      replica: this.leases.replicaId,
      enabled: this.config.dispatch.enabled,
      shards: this.config.dispatch.shards,
      owned_shards: owned.length,
      owned,
    });
  }
}
