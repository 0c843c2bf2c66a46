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
  /** Since when this replica has been unable to publish (Kafka unreachable), if it is. */
  publishingFailedSince(): number | undefined;
  /** Whether Kafka answers now; true also forgets the failures that benched this replica. */
  publishingWorks(): Promise<boolean>;
}

interface Held {
  lease: Lease;
  /** Local time until which we may publish for the shard (a margin before expiry). */
  validUntil: number;
}

/**
 * A shard handed over keeps its lease renewed until our writes of its tasks have landed, so
 * that the next owner never reads a copy from before them; past this many TTLs it is left to
 * expire (a write that never finishes must not keep the shard from every other replica).
 */
const HAND_OVER_MAX_TTLS = 3;

/** "0-3, 5, 7-8": shard numbers as sorted ranges. */
export function shardRanges(shards: number[]): string {
  const sorted = [...shards].sort((a, b) => a - b);
  const ranges: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    ranges.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return ranges.join(', ');
}

/** The startup line: "took 16 shards (0-15)", or "took 8 of 16 shards (0-7)" beside others. */
function firstTakenLine(taken: Lease[], shards: number): string {
  const of = taken.length === shards ? '' : ` of ${shards}`;
  const noun = taken.length === 1 && of === '' ? 'shard' : 'shards';
  return `took ${taken.length}${of} ${noun} (${shardRanges(taken.map((l) => l.shard))})`;
}

/** A later round: "took shards 3 (token 2), 7 (token 2)". */
function takenLine(taken: Lease[]): string {
  const list = taken.map((l) => `${l.shard} (token ${l.token})`).join(', ');
  return `took ${taken.length === 1 ? 'shard' : 'shards'} ${list}`;
}

/**
 * Keeps this replica's fair share of shard leases: renews what it holds every third of the
 * TTL, takes over expired leases of dead replicas, and hands shards back when more
 * replicas join. A replica publishes for a shard only while its lease is valid locally,
 * which ends a third of the TTL before any other replica may take it over: cut off from the
 * database, it stops by its own clock. Cut off from Kafka (publishing has failed for a TTL),
 * it leaves the replica list and hands its shards over until Kafka answers again.
 *
 * A round never waits for a shard's hand-over (the dispatcher's writes of it may be slow or
 * stuck): those run beside the rounds, so the other leases keep being renewed.
 */
@Injectable()
export class ShardLeases {
  readonly replicaId: string;
  private readonly logger = new Logger(ShardLeases.name);
  /** Shards we may publish for. */
  private readonly held = new Map<number, Held>();
  /** Shards being handed over: renewed, not published for, released once written. */
  private readonly handingOver = new Map<number, Held & { since: number }>();
  /** Hand-overs and releases of lost leases under way, by shard. */
  private readonly releasing = new Map<number, Promise<void>>();
  private readonly rounds = new SingleFlight(() => this.rebalance(), {
    conditions: new ConditionLog(this.logger),
    condition: 'dispatch leases',
  });
  private timer: NodeJS.Timeout | undefined;
  private owner: ShardOwner | undefined;
  /** Set while this replica cannot publish: it holds no shard and is not in the replica list. */
  private benchedAt: number | undefined;
  /** Whether the first shards taken were logged (as the short startup line). */
  private announced = false;

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
    for (const shard of [...this.held.keys()]) this.handOver(shard, Date.now());
    await Promise.all(this.releasing.values());
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
    this.handingOver.clear();
    await this.store.forget(this.replicaId).catch(() => undefined);
  }

  tick(): Promise<void> {
    return this.rounds.run();
  }

  private async rebalance(): Promise<void> {
    if (!this.timer || !this.owner) return;
    const now = Date.now();
    if (await this.benched(this.owner, now)) {
      for (const shard of [...this.held.keys()]) this.handOver(shard, now);
      // Left to expire rather than renewed until written: what we could not publish was not
      // advanced, so the next owner reads it as due (within a TTL of our last renewal).
      this.handingOver.clear();
      return;
    }
    await this.store.heartbeat(this.replicaId, now);
    await this.renewHeld(now);
    await this.renewHandOvers(now);

    const { shards } = this.config.dispatch;
    const replicas = await this.store.liveReplicas(now - this.ttl);
    const target = Math.ceil(shards / Math.max(1, replicas.length));
    while (this.held.size > target) this.handOver(Math.max(...this.held.keys()), now);
    if (this.held.size >= target) return;

    const leases = new Map((await this.store.list()).map((l) => [l.shard, l]));
    // Start at a replica-specific shard so that replicas starting together rarely collide.
    const first = shardOf(this.replicaId, shards);
    const validUntil = now + this.ttl - Math.floor(this.ttl / 3);
    const taken: Lease[] = [];
    for (let i = 0; i < shards && this.held.size < target && this.timer; i++) {
      const shard = (first + i) % shards;
      const lease = leases.get(shard);
      if (this.held.has(shard) || this.releasing.has(shard)) continue;
      if (lease?.owner && lease.expiresAt >= now) continue;
      const got = await this.store.claim(shard, lease?.token ?? 0, this.replicaId, now, this.ttl);
      if (!got) continue;
      this.held.set(shard, { lease: got, validUntil });
      taken.push(got);
    }
    if (taken.length === 0) return;
    // One line per round, written before the dispatcher starts on them: no fire of a shard goes
    // out before the line that took it. The first says how much of the work this replica has;
    // later ones (take-overs) name each shard with its fencing token.
    this.logger.log(this.announced ? takenLine(taken) : firstTakenLine(taken, shards));
    this.announced = true;
    for (const lease of taken) await this.owner.acquired(lease.shard);
  }

  /**
   * Publishing has failed for a lease TTL: hand every shard over and leave the replica list
   * (so that the others divide all shards among themselves) until Kafka answers again.
   */
  private async benched(owner: ShardOwner, now: number): Promise<boolean> {
    if (this.benchedAt === undefined) {
      const failing = owner.publishingFailedSince();
      if (failing === undefined || now - failing < this.ttl) return false;
      this.benchedAt = now;
      this.logger.warn(
        `cannot publish to Kafka for ${Math.round((now - failing) / 1000)}s: handing ${this.held.size} shards to the other replicas until it answers`,
      );
      await this.store.forget(this.replicaId);
      return true;
    }
    if (!(await owner.publishingWorks())) return true;
    this.logger.log(
      `Kafka answers again after ${Math.round((now - this.benchedAt) / 1000)}s: taking shards again`,
    );
    this.benchedAt = undefined;
    return false;
  }

  private async renewHeld(now: number): Promise<void> {
    const validUntil = now + this.ttl - Math.floor(this.ttl / 3);
    for (const [shard, held] of this.held) {
      if (await this.store.renew(held.lease, now, this.ttl)) {
        held.validUntil = validUntil;
        continue;
      }
      this.held.delete(shard);
      this.logger.warn(`lost the lease of shard ${shard}`);
      this.whileReleasing(shard, this.owner!.releasing(shard));
    }
  }

  /** Keeps the leases of shards being handed over, until their writes land or it takes too long. */
  private async renewHandOvers(now: number): Promise<void> {
    for (const [shard, over] of this.handingOver) {
      const tooLong = now - over.since > HAND_OVER_MAX_TTLS * this.ttl;
      if (tooLong || !(await this.store.renew(over.lease, now, this.ttl))) {
        this.handingOver.delete(shard);
        if (tooLong)
          this.logger.warn(`shard ${shard}: writes still under way, lease left to expire`);
      }
    }
  }

  /** Stops publishing for the shard now; releases its lease once its writes have landed. */
  private handOver(shard: number, now: number): void {
    const held = this.held.get(shard);
    if (!held) return;
    this.held.delete(shard);
    const over = { ...held, since: now };
    this.handingOver.set(shard, over);
    const released = this.owner!.releasing(shard).then(async () => {
      if (this.handingOver.get(shard) !== over) return; // expired meanwhile
      this.handingOver.delete(shard);
      await this.store.release(over.lease);
    });
    this.whileReleasing(shard, released);
  }

  private whileReleasing(shard: number, work: Promise<void>): void {
    const done = work
      .catch((err: unknown) => this.logger.warn(`shard ${shard}: hand-over failed: ${String(err)}`))
      .finally(() => {
        if (this.releasing.get(shard) === done) this.releasing.delete(shard);
      });
    this.releasing.set(shard, done);
  }
}
