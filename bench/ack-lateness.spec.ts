import { ackLateness, type Buckets } from './ack-lateness';

const buckets = (pairs: [number, number][]): Buckets => new Map(pairs);

describe('ackLateness', () => {
  it('takes the workload as the difference of two scrapes and interpolates within buckets', () => {
    const before = buckets([
      [1, 10],
      [5, 10],
      [10, 10],
      [50, 10],
      [Infinity, 10],
    ]);
    // 100 new fires: 40 within 1 ms, 50 in (1, 5], 8 in (5, 10], 2 in (10, 50].
    const after = buckets([
      [1, 50],
      [5, 100],
      [10, 108],
      [50, 110],
      [Infinity, 110],
    ]);
    expect(ackLateness(before, after)).toEqual({
      count: 100,
      p50: 2, // 1 + 4 * (50 - 40) / 50 = 1.8
      p99: 30, // 10 + 40 * (99 - 98) / 2
      within10: 98,
      within50: 100,
    });
  });

  it('says nothing when no fire was acknowledged in between', () => {
    const same = buckets([
      [1, 5],
      [Infinity, 5],
    ]);
    expect(ackLateness(same, same)).toBeUndefined();
  });
});
