import { GroupCommit } from './group-commit';

/** A write whose batches the test finishes by hand, one at a time. */
function manualWrite() {
  const batches: {
    items: number[];
    finish: (results?: (string | Error)[]) => void;
    fail: (err: Error) => void;
  }[] = [];
  const write = (items: number[]) =>
    new Promise<(string | Error)[]>((resolve, reject) => {
      batches.push({
        items,
        finish: (results) => resolve(results ?? items.map((n) => `#${n}`)),
        fail: reject,
      });
    });
  return { batches, write };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('GroupCommit', () => {
  it('writes a lone item at once, in a batch of its own', async () => {
    const { batches, write } = manualWrite();
    const group = new GroupCommit(write, { maxBatch: 10, maxInFlight: 1 });
    const one = group.submit(1);
    expect(batches.map((b) => b.items)).toEqual([[1]]);
    batches[0]!.finish();
    await expect(one).resolves.toBe('#1');
  });

  it('gathers what arrives during a write into the next batch, up to maxBatch', async () => {
    const { batches, write } = manualWrite();
    const group = new GroupCommit(write, { maxBatch: 3, maxInFlight: 1 });
    const all = [1, 2, 3, 4, 5, 6].map((n) => group.submit(n));
    expect(batches.map((b) => b.items)).toEqual([[1]]);
    batches[0]!.finish();
    await tick();
    expect(batches.map((b) => b.items)).toEqual([[1], [2, 3, 4]]);
    batches[1]!.finish();
    await tick();
    expect(batches.map((b) => b.items)).toEqual([[1], [2, 3, 4], [5, 6]]);
    batches[2]!.finish();
    await expect(Promise.all(all)).resolves.toEqual(['#1', '#2', '#3', '#4', '#5', '#6']);
  });

  it('keeps up to maxInFlight batches going at once', async () => {
    const { batches, write } = manualWrite();
    const group = new GroupCommit(write, { maxBatch: 10, maxInFlight: 2 });
    for (const n of [1, 2, 3, 4]) void group.submit(n);
    expect(batches.map((b) => b.items)).toEqual([[1], [2]]);
    batches[1]!.finish();
    await tick();
    expect(batches.map((b) => b.items)).toEqual([[1], [2], [3, 4]]);
  });

  it("rejects only the item whose answer is an Error; the batch's others resolve", async () => {
    const { batches, write } = manualWrite();
    const group = new GroupCommit(write, { maxBatch: 10, maxInFlight: 1 });
    const first = group.submit(1);
    const [a, b] = [group.submit(2), group.submit(3)];
    batches[0]!.finish();
    await first;
    await tick();
    batches[1]!.finish([new Error('key taken'), '#3']);
    await expect(a).rejects.toThrow('key taken');
    await expect(b).resolves.toBe('#3');
  });

  it('rejects every item of a batch whose write fails, and goes on with the next', async () => {
    const { batches, write } = manualWrite();
    const group = new GroupCommit(write, { maxBatch: 10, maxInFlight: 1 });
    const [a, b] = [group.submit(1), group.submit(2)];
    batches[0]!.fail(new Error('database gone'));
    await expect(a).rejects.toThrow('database gone');
    await tick();
    batches[1]!.finish();
    await expect(b).resolves.toBe('#2');
  });

  it('rejects items a write left unanswered', async () => {
    const { batches, write } = manualWrite();
    const group = new GroupCommit(write, { maxBatch: 10, maxInFlight: 1 });
    const first = group.submit(1);
    const [a, b] = [group.submit(2), group.submit(3)];
    batches[0]!.finish();
    await first;
    await tick();
    batches[1]!.finish(['#2']);
    await expect(a).resolves.toBe('#2');
    await expect(b).rejects.toThrow('answered 1 of 2 items');
  });
});
