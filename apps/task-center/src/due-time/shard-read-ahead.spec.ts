import { BUCKET_MS, type DueSource, MAX_BUCKET_GAP, ShardReadAhead } from './shard-read-ahead';

interface Item {
  id: string;
  shard: number;
  dueAt: number;
}

/** An in-memory source that records its calls; `hold` delays the next inSlot answer. */
class FakeSource implements DueSource<Item> {
  readonly items: Item[] = [];
  readonly calls: string[] = [];
  hold: Promise<void> | undefined;

  async inSlot(shard: number, bucket: number): Promise<Item[]> {
    this.calls.push(`slot ${shard}:${bucket}`);
    const snapshot = this.items.filter(
      (i) => i.shard === shard && Math.floor(i.dueAt / BUCKET_MS) === bucket,
    );
    await this.hold;
    return snapshot;
  }

  async dueBy(shard: number, until: number, limit: number): Promise<Item[]> {
    this.calls.push(`range ${shard}<=${until} limit ${limit}`);
    await Promise.resolve();
    return this.items
      .filter((i) => i.shard === shard && i.dueAt <= until)
      .sort((a, b) => a.dueAt - b.dueAt)
      .slice(0, limit);
  }
}

const T0 = 1_800_000_000_000;
const bucket0 = T0 / BUCKET_MS;

function setup() {
  const source = new FakeSource();
  const reader = new ShardReadAhead(source, 2000);
  const taken: string[] = [];
  const take = (items: Item[]) => taken.push(...items.map((i) => i.id));
  return { source, reader, taken, take };
}

describe('ShardReadAhead', () => {
  it('catches a new shard up with one range query, then reads one bucket at a time', async () => {
    const { source, reader, taken, take } = setup();
    source.items.push(
      { id: 'old', shard: 1, dueAt: T0 - 60_000 },
      { id: 'now', shard: 1, dueAt: T0 + 500 },
      { id: 'next', shard: 1, dueAt: T0 + 3500 },
      { id: 'other-shard', shard: 2, dueAt: T0 + 500 },
    );
    reader.track(1);
    await reader.read(1, bucket0 + 2, 100, take);
    expect(taken).toEqual(['old', 'now']);
    expect(source.calls).toEqual([`range 1<=${(bucket0 + 3) * BUCKET_MS - 1} limit 100`]);

    await reader.read(1, bucket0 + 4, 100, take);
    expect(source.calls.slice(1)).toEqual([`slot 1:${bucket0 + 3}`, `slot 1:${bucket0 + 4}`]);
    expect(taken).toEqual(['old', 'now', 'next']);
  });

  it('goes back to a range query when more than MAX_BUCKET_GAP buckets behind', async () => {
    const { source, reader, take } = setup();
    reader.track(0);
    await reader.read(0, bucket0, 100, take);
    await reader.read(0, bucket0 + MAX_BUCKET_GAP, 100, take);
    expect(source.calls.filter((c) => c.startsWith('slot'))).toHaveLength(MAX_BUCKET_GAP);
    source.calls.length = 0;
    await reader.read(0, bucket0 + 2 * MAX_BUCKET_GAP + 1, 100, take);
    expect(source.calls).toEqual([
      `range 0<=${(bucket0 + 2 * MAX_BUCKET_GAP + 2) * BUCKET_MS - 1} limit 100`,
    ]);
  });

  it('stays in catch-up while a page comes back full (bounded memory)', async () => {
    const { source, reader, taken, take } = setup();
    for (let i = 0; i < 5; i++) source.items.push({ id: `t${i}`, shard: 3, dueAt: T0 + i });
    reader.track(3);
    await reader.read(3, bucket0, 2, take);
    expect(taken).toEqual(['t0', 't1']);
    // Still behind: the next read is a range query again, not the next bucket.
    source.items.splice(0, 2);
    await reader.read(3, bucket0, 10, take);
    expect(taken).toEqual(['t0', 't1', 't2', 't3', 't4']);
    expect(source.calls.every((c) => c.startsWith('range'))).toBe(true);
    // No room: nothing is read at all.
    reader.reread(3);
    await reader.read(3, bucket0, 0, take);
    expect(source.calls).toHaveLength(2);
  });

  it('a reread during a bucket read does not mark the bucket read', async () => {
    const { source, reader, take } = setup();
    reader.track(1);
    await reader.read(1, bucket0, 10, take);
    let release!: () => void;
    source.hold = new Promise((resolve) => (release = resolve));
    const reading = reader.read(1, bucket0 + 1, 10, take);
    await Promise.resolve();
    reader.reread(1);
    release();
    await reading;
    source.hold = undefined;
    source.calls.length = 0;
    // The shard is in catch-up again: the missed items are read by range.
    await reader.read(1, bucket0 + 1, 10, take);
    expect(source.calls[0]).toMatch(/^range 1/);
  });

  it('an untracked shard is neither read nor covered', async () => {
    const { source, reader, take } = setup();
    reader.track(4);
    expect(reader.covers(4, T0, T0)).toBe(true);
    expect(reader.covers(4, T0 + 2999, T0)).toBe(true);
    expect(reader.covers(4, T0 + 3000, T0)).toBe(false);
    reader.untrack(4);
    expect(reader.covers(4, T0, T0)).toBe(false);
    await reader.read(4, bucket0, 10, take);
    expect(source.calls).toEqual([]);
    expect([...reader.shards()]).toEqual([]);
  });
});
