import { settledBy } from './settled-by';

describe('settledBy', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000 }));
  afterEach(() => jest.useRealTimers());

  it('resolves true as soon as the work settles, resolved or rejected', async () => {
    await expect(settledBy(Promise.resolve('x'), 2_000)).resolves.toBe(true);
    await expect(settledBy(Promise.reject(new Error('db down')), 2_000)).resolves.toBe(true);
  });

  it('resolves false at the deadline when the work is still under way', async () => {
    const result = settledBy(new Promise(() => undefined), 1_500);
    let answer: boolean | undefined;
    void result.then((r) => (answer = r));
    await jest.advanceTimersByTimeAsync(499);
    expect(answer).toBeUndefined();
    await jest.advanceTimersByTimeAsync(1);
    expect(answer).toBe(false);
  });

  it('a deadline already past only lets work that has settled count', async () => {
    const pending = settledBy(new Promise(() => undefined), 0);
    const done = settledBy(Promise.resolve(), 0);
    await jest.advanceTimersByTimeAsync(0);
    await expect(pending).resolves.toBe(false);
    await expect(done).resolves.toBe(true);
  });
});
