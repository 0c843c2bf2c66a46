import { Logger } from '@nestjs/common';
import { type AppConfig } from '../config';
import { type Lease, LeasesRepository } from '../repositories/leases.repository';
import { type ShardOwner, ShardLeases, shardRanges } from './shard-leases';

const TTL = 3000;
const SHARDS = 4;

/** The collection's rules in memory: one epoch per claim, renew only the newest, owned epoch. */
class MemoryLeases extends LeasesRepository {
  readonly leases = new Map<number, Lease>();
  readonly beats = new Map<string, number>();
  renewals: number[] = [];

  list(): Promise<Lease[]> {
    return Promise.resolve([...this.leases.values()].map((l) => ({ ...l })));
  }
  claim(shard: number, after: number, owner: string, now: number, ttlMs: number) {
    const current = this.leases.get(shard);
    if ((current?.token ?? 0) !== after) return Promise.resolve(null);
    const lease = { shard, owner, token: after + 1, expiresAt: now + ttlMs };
    this.leases.set(shard, lease);
    return Promise.resolve({ ...lease });
  }
  renew(lease: Lease, now: number, ttlMs: number): Promise<boolean> {
    const current = this.leases.get(lease.shard);
    if (current?.token !== lease.token || current.owner !== lease.owner) {
      return Promise.resolve(false);
    }
    current.expiresAt = now + ttlMs;
    this.renewals.push(lease.shard);
    return Promise.resolve(true);
  }
  release(lease: Lease): Promise<void> {
    const current = this.leases.get(lease.shard);
    if (current?.token === lease.token) current.owner = null;
    return Promise.resolve();
  }
  heartbeat(replica: string, now: number): Promise<void> {
    this.beats.set(replica, now);
    return Promise.resolve();
  }
  liveReplicas(since: number): Promise<string[]> {
    return Promise.resolve([...this.beats].filter(([, at]) => at > since).map(([r]) => r));
  }
  forget(replica: string): Promise<void> {
    this.beats.delete(replica);
    return Promise.resolve();
  }
}

class Owner implements ShardOwner {
  acquiredShards: number[] = [];
  released: number[] = [];
  /** Shards whose hand-over never finishes (their writes are stuck). */
  stuck = new Set<number>();
  failingSince: number | undefined;
  kafkaAnswers = false;

  acquired(shard: number): Promise<void> {
    this.acquiredShards.push(shard);
    return Promise.resolve();
  }
  releasing(shard: number): Promise<void> {
    this.released.push(shard);
    return this.stuck.has(shard) ? new Promise(() => undefined) : Promise.resolve();
  }
  publishingFailedSince(): number | undefined {
    return this.failingSince;
  }
  publishingWorks(): Promise<boolean> {
    if (this.kafkaAnswers) this.failingSince = undefined;
    return Promise.resolve(this.kafkaAnswers);
  }
}

describe('ShardLeases', () => {
  let store: MemoryLeases;
  let owner: Owner;
  let leases: ShardLeases;
  const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);

  const config = {
    dispatch: { leaseTtlMs: TTL, shards: SHARDS, replicaId: 'me' },
  } as unknown as AppConfig;

  /** One round, after `ms` of (fake) time. */
  const round = async (ms = TTL / 3) => {
    jest.setSystemTime(Date.now() + ms);
    await leases.tick();
    await Promise.resolve(); // hand-overs settle on the next microtasks
    await Promise.resolve();
  };

  beforeEach(async () => {
    jest.useFakeTimers({ now: 1_000_000, doNotFake: ['nextTick', 'setImmediate'] });
    log.mockClear();
    warn.mockClear();
    store = new MemoryLeases();
    owner = new Owner();
    leases = new ShardLeases(store, config);
    leases.start(owner);
    await leases.tick();
  });

  afterEach(async () => {
    await leases.abandon();
    jest.useRealTimers();
  });

  it('alone, takes every shard, logged as one line', () => {
    expect(leases.owned().sort()).toEqual([0, 1, 2, 3]);
    expect(owner.acquiredShards.sort()).toEqual([0, 1, 2, 3]);
    const took = log.mock.calls.map(([line]) => String(line)).filter((l) => l.startsWith('took'));
    expect(took).toEqual(['took 4 shards (0-3)']);
  });

  it('beside another replica, logs its share at startup, then each shard it takes over with its token', async () => {
    const shared = new MemoryLeases();
    const mine = new Owner();
    shared.beats.set('other', Date.now());
    for (const shard of [0, 1]) {
      shared.leases.set(shard, { shard, owner: 'other', token: 1, expiresAt: Date.now() + TTL });
    }
    const second = new ShardLeases(shared, config);
    const took = () =>
      log.mock.calls.map(([line]) => String(line)).filter((l) => l.startsWith('took'));
    log.mockClear();
    second.start(mine);
    try {
      await second.tick();
      expect(took()).toEqual(['took 2 of 4 shards (2-3)']);
      // The other replica stops beating; once its leases expire, they are taken over.
      jest.setSystemTime(Date.now() + 2 * TTL);
      await second.tick();
      expect(second.owned().sort()).toEqual([0, 1, 2, 3]);
      expect(took()).toEqual(['took 2 of 4 shards (2-3)', 'took shards 0 (token 2), 1 (token 2)']);
    } finally {
      await second.abandon();
    }
  });

  it('a hand-over whose writes never land does not stop the renewal of the other shards', async () => {
    owner.stuck.add(3);
    // A second replica joins: the fair share is 2, so two shards are handed over.
    store.beats.set('other', Date.now() + TTL);
    await round();
    expect(leases.owned().sort()).toEqual([0, 1]);
    expect(leases.holds(2)).toBe(false);
    expect(leases.holds(3)).toBe(false);
    expect(store.leases.get(2)?.owner).toBeNull(); // written: released at once
    expect(store.leases.get(3)?.owner).toBe('me'); // kept until its writes land

    store.renewals = [];
    for (let i = 0; i < 6; i++) {
      store.beats.set('other', Date.now() + TTL);
      await round();
    }
    // Renewed every round, the stuck shard's lease too until it had taken 3 TTLs.
    expect(store.renewals.filter((s) => s === 0)).toHaveLength(6);
    expect(store.renewals.filter((s) => s === 1)).toHaveLength(6);
    expect(store.renewals.filter((s) => s === 3).length).toBeGreaterThan(0);
    expect(leases.holds(0)).toBe(true);

    for (let i = 0; i < 4; i++) {
      store.beats.set('other', Date.now() + TTL);
      await round();
    }
    store.renewals = [];
    await round();
    expect(store.renewals).not.toContain(3);
    expect(warn.mock.calls.map(([l]) => String(l))).toContain(
      'shard 3: writes still under way, lease left to expire',
    );
  });

  it('a lost lease stops publishing at once and is not claimed again while it is being released', async () => {
    owner.stuck.add(1);
    // Another replica took shard 1 over (our renewal came too late).
    store.leases.set(1, { shard: 1, owner: 'other', token: 2, expiresAt: Date.now() - 1 });
    await round();
    expect(leases.holds(1)).toBe(false);
    expect(owner.released).toContain(1);
    // Its lease expired and it is free, but our release of it is still under way.
    owner.acquiredShards = [];
    await round();
    expect(owner.acquiredShards).not.toContain(1);
    expect(leases.owned()).not.toContain(1);
  });

  it('stops publishing by its own clock when it cannot renew', async () => {
    jest.spyOn(store, 'heartbeat').mockRejectedValue(new Error('database unreachable'));
    await round(TTL / 3);
    expect(leases.holds(0)).toBe(true); // still inside TTL − TTL/3 of the last renewal
    await round(TTL / 3 + 1);
    expect(leases.holds(0)).toBe(false);
    expect(leases.holds(3)).toBe(false);
  });

  it('cut off from Kafka for a TTL: leaves the replica list, lets its leases expire, comes back when Kafka answers', async () => {
    owner.failingSince = Date.now();
    await round(TTL / 3);
    expect(leases.owned()).toHaveLength(4); // not yet a TTL
    await round(TTL);
    expect(leases.owned()).toEqual([]);
    expect(store.beats.has('me')).toBe(false);
    expect(warn.mock.calls.map(([l]) => String(l))).toContain(
      'cannot publish to Kafka for 4s: handing 4 shards to the other replicas until it answers',
    );
    store.renewals = [];
    await round();
    await round();
    expect(store.renewals).toEqual([]); // left to expire: another replica may take them
    expect(leases.owned()).toEqual([]);

    owner.kafkaAnswers = true;
    await round(TTL);
    expect(store.beats.has('me')).toBe(true);
    expect(leases.owned().sort()).toEqual([0, 1, 2, 3]);
  });
});

describe('shardRanges', () => {
  it('writes sorted shard numbers as ranges', () => {
    expect(shardRanges([8, 0, 2, 1, 5, 7])).toBe('0-2, 5, 7-8');
    expect(shardRanges([3])).toBe('3');
    expect(shardRanges([])).toBe('');
  });
});
