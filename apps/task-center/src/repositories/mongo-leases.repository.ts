import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { type Collection, type Connection } from 'mongoose';
import { isDuplicateKey } from '../database/duplicate-key';
import { type Lease, LeasesRepository } from './leases.repository';

interface LeaseDoc {
  /** `<shard>:<epoch>` */
  _id: string;
  shard: number;
  epoch: number;
  owner: string | null;
  expires_at: number;
}

interface ReplicaDoc {
  _id: string;
  seen_at: number;
}

const epochId = (shard: number, epoch: number) => `${shard}:${epoch}`;

/**
 * Collections `dispatch_leases` (one document per shard epoch; older epochs are removed)
 * and `dispatch_replicas` (one heartbeat document per replica). Both stay tiny; only the
 * owner of an epoch ever updates its document.
 */
@Injectable()
export class MongoLeasesRepository extends LeasesRepository {
  private readonly leases: Collection<LeaseDoc>;
  private readonly replicas: Collection<ReplicaDoc>;

  constructor(@InjectConnection() connection: Connection) {
    super();
    this.leases = connection.collection<LeaseDoc>('dispatch_leases');
    this.replicas = connection.collection<ReplicaDoc>('dispatch_replicas');
  }

  async list(): Promise<Lease[]> {
    const newest = new Map<number, LeaseDoc>();
    for (const doc of await this.leases.find({}).toArray()) {
      const seen = newest.get(doc.shard);
      if (!seen || seen.epoch < doc.epoch) newest.set(doc.shard, doc);
    }
    return [...newest.values()].map(toLease);
  }

  async claim(
    shard: number,
    after: number,
    owner: string,
    now: number,
    ttlMs: number,
  ): Promise<Lease | null> {
    const epoch = after + 1;
    const doc: LeaseDoc = {
      _id: epochId(shard, epoch),
      shard,
      epoch,
      owner,
      expires_at: now + ttlMs,
    };
    try {
      await this.leases.insertOne(doc);
    } catch (err) {
      if (isDuplicateKey(err)) return null;
      throw err;
    }
    if (after > 0) await this.leases.deleteOne({ _id: epochId(shard, after) });
    return toLease(doc);
  }

  async renew(lease: Lease, now: number, ttlMs: number): Promise<boolean> {
    const result = await this.leases.updateOne(
      { _id: epochId(lease.shard, lease.token), owner: lease.owner },
      { $set: { expires_at: now + ttlMs } },
    );
    if (result.matchedCount !== 1) return false;
    // Someone may have claimed the next epoch after ours looked expired to them.
    return (await this.leases.findOne({ _id: epochId(lease.shard, lease.token + 1) })) === null;
  }

  async release(lease: Lease): Promise<void> {
    await this.leases.updateOne(
      { _id: epochId(lease.shard, lease.token), owner: lease.owner },
      { $set: { owner: null, expires_at: 0 } },
    );
  }

  async heartbeat(replica: string, now: number): Promise<void> {
    await this.replicas.updateOne({ _id: replica }, { $set: { seen_at: now } }, { upsert: true });
  }

  async liveReplicas(since: number): Promise<string[]> {
    const docs = await this.replicas.find({}).toArray();
    return docs
      .filter((d) => d.seen_at >= since)
      .map((d) => d._id)
      .sort();
  }

  async forget(replica: string): Promise<void> {
    await this.replicas.deleteOne({ _id: replica });
  }
}

function toLease(doc: LeaseDoc): Lease {
  return { shard: doc.shard, owner: doc.owner, token: doc.epoch, expiresAt: doc.expires_at };
}
