import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { APP_CONFIG, type AppConfig } from '../config';
import { shardOf } from '../tasks/task-shard';
import { ConditionLog } from '../background/condition-log';
import { SingleFlight } from '../background/single-flight';
import { type Lease, LeasesRepository } from '../repositories/leases.repository';

/** What the dispatcher does when this replica gains or gives up a shard. */
export interface ShardOwner {
  acquired(shard: number): Promise<void>;
  /** Stop dispatching the shard; resolves when none of its fires is in flight. */
  releasing(shard: number): Promise<void>;
}

interface Held {
  lease: Lease;
  /** Local time until which we may publish for the shard (a margin before expiry). */
  validUntil: number;
}

/**
 * Keeps this replica's fair share of shard leases: renews what it holds every third of the
 * TTL, takes over expired leases of dead replicas, and hands shards back when more
 * replicas join. A replica publishes for a shard only while its lease is valid locally,
 * which ends a third of the TTL before any other replica may take it over.
 */
@Injectable()
export class ShardLeases {
  readonly replicaId: string;
  private readonly logger = new Logger(ShardLeases.name);
  private readonly held = new Map<number, Held>();
  private readonly rounds = new SingleFlight(() => this.rebalance(), {
    conditions: new ConditionLog(this.logger),
    condition: 'dispatch leases',
  });
  private timer: NodeJS.Timeout | undefined;
  private owner: ShardOwner | undefined;

  constructor(
    private readonly store: LeasesRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.replicaId =
      config.dispatch.replicaId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  }

  private get ttl(): number {
    return this.config.dispatch.leaseTtlMs;
  }

  start(owner: ShardOwner): void {
    this.owner = owner;
    this.timer = setInterval(() => void this.tick(), Math.max(200, Math.floor(this.ttl / 3)));
    void this.tick();
  }

  /** Whether this replica may publish for the shard right now. */
  holds(shard: number, now = Date.now()): boolean {
    const held = this.held.get(shard);
    return held !== undefined && now < held.validUntil;
  }

  owned(): number[] {
    return [...this.held.keys()];
  }

  /** Stops taking leases, hands every shard back and leaves the replica list. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.rounds.settled();
    for (const shard of [...this.held.keys()]) await this.giveBack(shard);
    await this.store.forget(this.replicaId).catch(() => undefined);
  }

  /**
   * Stops renewing without handing the shards back: they expire as after a crash (within
   * TTL + TTL/3). For a shutdown whose database writes may still be under way: a shard
   * released now could be read by its next owner before they land.
   */
  async abandon(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.held.clear();
    await this.store.forget(this.replicaId).catch(() => undefined);
  }

  tick(): Promise<void> {
    return this.rounds.run();
  }

  private async rebalance(): Promise<void> {
    if (!this.timer || !this.owner) return;
    const now = Date.now();
    const validUntil = now + this.ttl - Math.floor(this.ttl / 3);
    await this.store.heartbeat(this.replicaId, now);
    for (const [shard, held] of this.held) {
      if (await this.store.renew(held.lease, now, this.ttl)) {
        held.validUntil = validUntil;
      } else {
        this.held.delete(shard);
        await this.owner.releasing(shard);
        this.logger.warn(`lost the lease of shard ${shard}`);
      }
    }
    const { shards } = this.config.dispatch;
    const replicas = await this.store.liveReplicas(now - this.ttl);
    const target = Math.ceil(shards / Math.max(1, replicas.length));
    while (this.held.size > target) await this.giveBack(Math.max(...this.held.keys()));
    if (this.held.size >= target) return;

    const leases = new Map((await this.store.list()).map((l) => [l.shard, l]));
    // Start at a replica-specific shard so that replicas starting together rarely collide.
    const first = shardOf(this.replicaId, shards);
    for (let i = 0; i < shards && this.held.size < target && this.timer; i++) {
      const shard = (first + i) % shards;
      const lease = leases.get(shard);
      if (this.held.has(shard) || (lease?.owner && lease.expiresAt >= now)) continue;
      const got = await this.store.claim(shard, lease?.token ?? 0, this.replicaId, now, this.ttl);
      if (!got) continue;
      this.held.set(shard, { lease: got, validUntil });
      this.logger.log(`took shard ${shard} (token ${got.token})`);
      await this.owner.acquired(shard);
    }
  }

  private async giveBack(shard: number): Promise<void> {
    const held = this.held.get(shard);
    if (!held) return;
    await this.owner?.releasing(shard);
    this.held.delete(shard);
    await this.store.release(held.lease);
  }
}
