import { FireRate } from './fire-rate';

describe('FireRate', () => {
  const t0 = 28_333_334 * 60_000 + 40_000; // 40 s into a minute

  it('reports a name once per minute when it goes over its threshold', () => {
    const rate = new FireRate(2, 0);
    expect(rate.record(['a', 'a'], t0)).toEqual([]);
    expect(rate.record(['a', 'b'], t0 + 1)).toMatchObject([{ scope: 'name', name: 'a', count: 3 }]);
    expect(rate.record(['a', 'a'], t0 + 2)).toEqual([]);
    // next minute: counts start again
    expect(rate.record(['a', 'a', 'a'], t0 + 30_000)).toHaveLength(1);
  });

  it('reports the total over its threshold', () => {
    const rate = new FireRate(0, 3);
    expect(rate.record(['a', 'b', 'c', 'd', 'e'], t0)).toMatchObject([
      { scope: 'total', count: 4, threshold: 3 },
    ]);
  });
});
