import { Module } from '@nestjs/common';
import { RepositoriesModule } from '../repositories/repositories.module';
import { ShardLeases } from './shard-leases';

/** Which dispatch shards this replica owns: leases with fencing tokens, rebalanced over replicas. */
@Module({
  imports: [RepositoriesModule],
  providers: [ShardLeases],
  exports: [ShardLeases],
})
export class LeasesModule {}
