import { MINUTE_MS, MinuteTally } from './minute-tally';

const T0 = 1_767_225_600_000; // a minute boundary

describe('MinuteTally', () => {
  it('counts fires, lateness and outcomes into the minute they happened in', () => {
    const tally = new MinuteTally();
    tally.fires([3, 40], T0 + 1000);
    tally.outcomes('succeeded', 2, T0 + 59_999);
    tally.fires([7], T0 + MINUTE_MS);
    tally.outcomes('dead', 1, T0 + MINUTE_MS + 5);
    const minutes = tally.unwritten();
    expect(minutes.map((m) => m.minute)).toEqual([T0, T0 + MINUTE_MS]);
    expect(minutes[0]!.counts).toMatchObject({
      fires: 2,
      succeeded: 2,
      dead: 0,
      latenessMaxMs: 40,
    });
    expect(minutes[1]!.counts).toMatchObject({ fires: 1, succeeded: 0, dead: 1, latenessMaxMs: 7 });
    expect(minutes[0]!.counts.lateness.reduce((a, b) => a + b, 0)).toBe(2);
  });

  it('forgets a past minute once written, keeps the current one for its running totals', () => {
    const tally = new MinuteTally();
    tally.fires([1], T0 + 10);
    tally.fires([1], T0 + MINUTE_MS + 10);
    const now = T0 + MINUTE_MS + 20;
    tally.written(tally.unwritten(), now);
    expect(tally.unwritten()).toEqual([]);
    tally.fires([2], T0 + MINUTE_MS + 30);
    const again = tally.unwritten();
    expect(again).toHaveLength(1);
    expect(again[0]!.counts.fires).toBe(2); // running total, written with $set
  });

  it('keeps a minute dirty when it was counted into while being written, and after a failed write', () => {
    const tally = new MinuteTally();
    tally.fires([1], T0);
    const inFlight = tally.unwritten();
    tally.fires([1], T0 + 5);
    tally.written(inFlight, T0 + MINUTE_MS);
    expect(tally.unwritten().map((m) => m.counts.fires)).toEqual([2]);
    tally.outcomes('failed', 1, T0 + MINUTE_MS);
    // no written(): the write failed; both minutes are offered again
    expect(tally.unwritten().map((m) => m.minute)).toEqual([T0, T0 + MINUTE_MS]);
  });

  it('returns copies: counting after unwritten() does not change what is being written', () => {
    const tally = new MinuteTally();
    tally.fires([1], T0);
    const copy = tally.unwritten();
    tally.fires([1], T0);
    expect(copy[0]!.counts.fires).toBe(1);
    expect(copy[0]!.counts.lateness[0]).toBe(1);
  });

  it('ignores empty batches and zero counts', () => {
    const tally = new MinuteTally();
    tally.fires([], T0);
    tally.outcomes('timeout', 0, T0);
    expect(tally.unwritten()).toEqual([]);
  });
});
