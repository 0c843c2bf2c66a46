import { ApiError } from '../errors/api-error';
import { ErrorCode } from '../errors/error-codes';
import { settleEach } from './settle-each';

describe('settleEach', () => {
  it('keeps the order of the items; an ApiError is its item’s result only', async () => {
    const all = await settleEach([1, 2, 3, 4], (n) =>
      n % 2 === 0
        ? Promise.reject(new ApiError(ErrorCode.TASK_NOT_FOUND, `no ${n}`))
        : Promise.resolve(n * 10),
    );
    expect(all).not.toHaveProperty('failure');
    expect(all.done).toEqual([10, 30]);
    expect(all.settled.map((s) => (s.ok ? s.value : s.error.message))).toEqual([
      10,
      'no 2',
      30,
      'no 4',
    ]);
  });

  it('runs every item, also past 16 side by side, and hands back any other error at the end', async () => {
    const seen: number[] = [];
    const items = Array.from({ length: 40 }, (_, i) => i);
    const all = await settleEach(items, async (n) => {
      seen.push(n);
      if (n === 3) throw new Error('socket closed');
      return n;
    });
    expect(seen.sort((a, b) => a - b)).toEqual(items);
    expect(all.failure).toEqual(new Error('socket closed'));
    expect(all.done).toHaveLength(39);
  });
});
