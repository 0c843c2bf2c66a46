export interface Lease {
  shard: number;
  owner: string | null;
  /** Fencing token: the lease's epoch, one more at every change of owner. */
  token: number;
  expiresAt: number;
}

/**
 * The `dispatch_leases` and `dispatch_replicas` collections: shard leases and replica
 * heartbeats, coordinated through MongoDB only. Taking a lease is an insert of its next
 * epoch: a unique `_id` lets exactly one replica win, on MongoDB and on FerretDB alike
 * (FerretDB v1 does not make read-modify-write updates atomic).
 */
export abstract class LeasesRepository {
  /** The newest epoch of every shard that has one. */
  abstract list(): Promise<Lease[]>;
  /** Claims epoch `after + 1` of the shard; null when another replica claimed it first. */
  abstract claim(
    shard: number,
    after: number,
    owner: string,
    now: number,
    ttlMs: number,
  ): Promise<Lease | null>;
  /** Extends our epoch; false when it is not ours any more or a newer epoch exists. */
  abstract renew(lease: Lease, now: number, ttlMs: number): Promise<boolean>;
  abstract release(lease: Lease): Promise<void>;
  abstract heartbeat(replica: string, now: number): Promise<void>;
  /** Replicas whose heartbeat is newer than `since`, sorted. */
  abstract liveReplicas(since: number): Promise<string[]>;
  abstract forget(replica: string): Promise<void>;
}
