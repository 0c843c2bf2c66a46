import { BucketPurge, PassTally, type PurgePorts } from './bucket-purge';
import { WINDOW_FROM_MS, WINDOW_TO_MS } from './purge-pacing';
import { type BucketStream } from './purge-streams';
import { bucketOf, cutoffBucket } from './retention-buckets';

const B = 1000;
const RETAIN = 10_000;
const START = Date.UTC(2026, 11, 1, 12, 0, 0) + 250;

/** A collection as a multiset of buckets, and a clock that moves as statements run. */
class World implements PurgePorts {
  t = START;
  cursors = new Map<string, number>();
  starts: number[] = [];
  stopAfter = Infinity;

  now = () => this.t;
  cursor = (s: string) => Promise.resolve(this.cursors.get(s) ?? null);
  saveCursor = (s: string, c: number) => {
    this.cursors.set(s, c);
    return Promise.resolve();
  };
  wait = (ms: number) => {
    this.t += ms;
    return Promise.resolve(true);
  };
  mayContinue = () => this.starts.length < this.stopAfter;

  collection(name: string, buckets: number[], tookMs = 5) {
    const docs = [...buckets];
    return {
      docs,
      del: {
        collection: name,
        delete: (rb: number) => {
          this.starts.push(this.t);
          this.t += tookMs;
          let n = 0;
          for (let i = docs.length - 1; i >= 0; i--) {
            if (docs[i] === rb) {
              docs.splice(i, 1);
              n++;
            }
          }
          return Promise.resolve(n);
        },
      },
    };
  }
}

function stream(world: World, deletes: BucketStream['deletes'], oldest: number | null) {
  return { name: 'history', retentionMs: RETAIN, oldest: () => Promise.resolve(oldest), deletes };
}

describe('BucketPurge', () => {
  const old = (k: number) => bucketOf(START - RETAIN, B) - k * B;

  it('deletes every bucket past the retention, oldest first, and keeps the rest', async () => {
    const world = new World();
    const kept = [bucketOf(START - RETAIN, B), bucketOf(START, B)];
    const fires = world.collection('fires', [old(5), old(5), old(3), old(1), ...kept]);
    const events = world.collection('run_events', [old(5), old(1), old(1), ...kept]);
    const tally = new PassTally();
    await new BucketPurge(world, { bucketMs: B, maxBuckets: 100, budgetMs: 60_000 }).pass(
      [stream(world, [fires.del, events.del], old(5))],
      tally,
    );
    expect(fires.docs).toEqual(kept);
    expect(events.docs).toEqual(kept);
    expect(tally.deleted).toEqual(
      new Map([
        ['fires', 4],
        ['run_events', 3],
      ]),
    );
    // The cursor stands at the cutoff: the next pass starts after it.
    expect(world.cursors.get('history')).toBe(cutoffBucket(START, RETAIN, B));
    expect(world.cursors.get('history')).toBe(old(1));
  });

  it('starts every statement inside the window after a whole second, after a pause', async () => {
    const world = new World();
    const slow = world.collection('fires', [old(8), old(7), old(6), old(5)], 300);
    await new BucketPurge(world, { bucketMs: B, maxBuckets: 100, budgetMs: 60_000 }).pass(
      [stream(world, [slow.del], old(8))],
      new PassTally(),
    );
    expect(world.starts.length).toBe(8);
    for (const [i, t] of world.starts.entries()) {
      expect(t % 1000).toBeGreaterThanOrEqual(WINDOW_FROM_MS);
      expect(t % 1000).toBeLessThan(WINDOW_TO_MS);
      if (i > 0) expect(t - world.starts[i - 1]!).toBeGreaterThanOrEqual(600);
    }
  });

  it('continues from its cursor after a stop: no bucket skipped, none deleted twice', async () => {
    const world = new World();
    const fires = world.collection('fires', [old(9), old(8), old(7), old(6), old(5), old(4)]);
    const purge = () =>
      new BucketPurge(world, { bucketMs: B, maxBuckets: 2, budgetMs: 60_000 }).pass(
        [stream(world, [fires.del], old(9))],
        new PassTally(),
      );
    await purge(); // at most 2 buckets per pass
    expect(fires.docs).toEqual([old(7), old(6), old(5), old(4)]);
    world.stopAfter = world.starts.length + 1; // the lease is lost after one statement
    await purge();
    expect(fires.docs).toEqual([old(6), old(5), old(4)]);
    expect(world.cursors.get('history')).toBe(old(7));
    world.stopAfter = Infinity;
    await purge();
    await purge();
    expect(fires.docs).toEqual([]);
    // One statement per bucket (2 + 1 + 2 + 2 up to old(3)), plus the one the stop cut off
    // before it started: none repeated.
    expect(world.starts.length).toBe(7);
    expect(world.cursors.get('history')).toBe(old(3));
  });

  it('with no cursor and nothing stored, starts at the cutoff and deletes nothing', async () => {
    const world = new World();
    const fires = world.collection('fires', []);
    await new BucketPurge(world, { bucketMs: B, maxBuckets: 100, budgetMs: 60_000 }).pass(
      [stream(world, [fires.del], null)],
      new PassTally(),
    );
    expect(world.starts).toEqual([]);
    expect(world.cursors.get('history')).toBe(cutoffBucket(START, RETAIN, B));
  });
});
