import { Types } from 'mongoose';
import { bucketOf, dueSlot, shardOf } from './task-shard';

describe('task shards and due slots', () => {
  it('spreads sequential ObjectIds evenly over the shards', () => {
    const counts = new Array<number>(16).fill(0);
    for (let i = 0; i < 16_000; i++) counts[shardOf(new Types.ObjectId().toHexString(), 16)]!++;
    for (const n of counts) expect(n).toBeGreaterThan(800);
    for (const n of counts) expect(n).toBeLessThan(1200);
  });

  it('is stable for an id', () => {
    expect(shardOf('6740a5f3c2d1e0b9a8f7e6d5', 16)).toBe(shardOf('6740a5f3c2d1e0b9a8f7e6d5', 16));
    expect(shardOf('6740a5f3c2d1e0b9a8f7e6d5', 1)).toBe(0);
  });

  it('keys a due time by shard and whole second', () => {
    expect(bucketOf(1_700_000_000_999)).toBe(1_700_000_000);
    expect(dueSlot(3, 1_700_000_000_999)).toBe('3:1700000000');
    expect(dueSlot(3, 1_700_000_001_000)).toBe('3:1700000001');
    expect(dueSlot(3, null)).toBeNull();
  });
});
