/** Shard leases and replica heartbeats against the real server: claims, fencing, release. */
import { LeasesRepository } from '../../apps/task-center/src/repositories/leases.repository';
import { RepositoriesHarness } from '../support/repositories';

const NOW = 1_900_000_000_000;
const TTL = 6000;

describe('LeasesRepository (real database)', () => {
  let harness: RepositoriesHarness;
  let leases: LeasesRepository;

  beforeAll(async () => {
    harness = await RepositoriesHarness.start('repo-leases');
    leases = harness.get(LeasesRepository);
  });

  afterAll(() => harness?.stop());

  it('of two replicas claiming the same epoch, exactly one wins', async () => {
    for (let round = 0; round < 5; round++) {
      const shard = 100 + round;
      const claims = await Promise.all(
        ['r-a', 'r-b', 'r-c'].map((owner) => leases.claim(shard, 0, owner, NOW, TTL)),
      );
      const won = claims.filter((c) => c !== null);
      expect(won).toHaveLength(1);
      expect(won[0]).toMatchObject({ shard, token: 1, expiresAt: NOW + TTL });
      expect((await leases.list()).find((l) => l.shard === shard)).toEqual(won[0]);
    }
  });

  it('renews a lease while it is the newest epoch, and refuses once a newer one exists', async () => {
    const mine = (await leases.claim(1, 0, 'r-a', NOW, TTL))!;
    expect(await leases.renew(mine, NOW + 1000, TTL)).toBe(true);
    expect((await leases.list()).find((l) => l.shard === 1)?.expiresAt).toBe(NOW + 1000 + TTL);

    // Another replica saw it expire and took the next epoch: the old token is fenced off.
    const theirs = (await leases.claim(1, mine.token, 'r-b', NOW + TTL + 1, TTL))!;
    expect(theirs).toMatchObject({ owner: 'r-b', token: mine.token + 1 });
    expect(await leases.renew(mine, NOW + TTL + 2, TTL)).toBe(false);
    expect(await leases.renew(theirs, NOW + TTL + 2, TTL)).toBe(true);
    // And the stale epoch cannot be claimed again.
    expect(await leases.claim(1, mine.token, 'r-c', NOW + TTL + 3, TTL)).toBeNull();
    expect((await leases.list()).find((l) => l.shard === 1)).toMatchObject({
      owner: 'r-b',
      token: 2,
    });
  });

  it('a released lease has no owner, cannot be renewed, and the next epoch is free', async () => {
    const mine = (await leases.claim(2, 0, 'r-a', NOW, TTL))!;
    await leases.release(mine);

    expect((await leases.list()).find((l) => l.shard === 2)).toEqual({
      shard: 2,
      owner: null,
      token: 1,
      expiresAt: 0,
    });
    expect(await leases.renew(mine, NOW + 1, TTL)).toBe(false);
    expect(await leases.claim(2, 1, 'r-b', NOW + 2, TTL)).toMatchObject({ owner: 'r-b', token: 2 });
  });

  it('lists live replicas from their heartbeats, sorted, and forgets one that leaves', async () => {
    await leases.heartbeat('replica-2', NOW + 2000);
    await leases.heartbeat('replica-1', NOW + 1000);
    await leases.heartbeat('replica-3', NOW + 3000);
    expect(await leases.liveReplicas(NOW)).toEqual(['replica-1', 'replica-2', 'replica-3']);
    expect(await leases.liveReplicas(NOW + 1500)).toEqual(['replica-2', 'replica-3']);

    await leases.heartbeat('replica-1', NOW + 4000);
    await leases.forget('replica-3');
    expect(await leases.liveReplicas(NOW + 1500)).toEqual(['replica-1', 'replica-2']);
  });
});
