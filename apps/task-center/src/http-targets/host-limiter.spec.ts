import { HostLimiter } from './host-limiter';

/** Lets pending promise callbacks run, so a resolved acquire has been observed. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Starts an acquire and records when (and whether) it resolves. */
function track(limiter: HostLimiter, host: string, signal?: AbortSignal) {
  const entry = {
    host,
    release: undefined as (() => void) | undefined,
    error: undefined as unknown,
  };
  limiter.acquire(host, signal).then(
    (release) => (entry.release = release),
    (err: unknown) => (entry.error = err),
  );
  return entry;
}

describe('HostLimiter', () => {
  it('grants at once below both caps and counts what is in flight', async () => {
    const limiter = new HostLimiter(4, 2);
    const a = await limiter.acquire('a');
    await limiter.acquire('b');
    expect(limiter.inFlight).toBe(2);
    a();
    expect(limiter.inFlight).toBe(1);
  });

  it('tryAcquire grants only a free slot nobody waits for, and never queues', async () => {
    const limiter = new HostLimiter(3, 1);
    const a = limiter.tryAcquire('a');
    expect(a).toBeDefined();
    expect(limiter.tryAcquire('a')).toBeUndefined(); // a at its cap
    const waiting = track(limiter, 'a');
    expect(limiter.queued('a')).toBe(1);
    a!();
    await settle();
    expect(waiting.release).toBeDefined(); // the waiter, not a later tryAcquire, got it
    expect(limiter.tryAcquire('a')).toBeUndefined();
    expect(limiter.tryAcquire('b')).toBeDefined();
    expect(limiter.inFlight).toBe(2);
    expect(limiter.queued()).toBe(0);
  });

  it('holds a host to maxPerHost and lets the next waiter in when one releases', async () => {
    const limiter = new HostLimiter(10, 2);
    const first = track(limiter, 'a');
    track(limiter, 'a');
    const third = track(limiter, 'a');
    await settle();
    expect(limiter.inFlight).toBe(2);
    expect(third.release).toBeUndefined();
    expect(limiter.queued('a')).toBe(1);
    first.release!();
    await settle();
    expect(third.release).toBeDefined();
    expect(limiter.inFlight).toBe(2);
  });

  it('a host at its cap with 100 waiters never blocks another host', async () => {
    const limiter = new HostLimiter(20, 4);
    const slow = Array.from({ length: 104 }, () => track(limiter, 'slow.example'));
    await settle();
    expect(slow.filter((w) => w.release).length).toBe(4);
    expect(limiter.queued('slow.example')).toBe(100);
    // Resolves in the same turn: no global slot is held by the slow host's waiters.
    const fast = await limiter.acquire('fast.example');
    expect(limiter.inFlight).toBe(5);
    fast();
  });

  it('keeps FIFO order within a host', async () => {
    const limiter = new HostLimiter(10, 1);
    const order: number[] = [];
    const first = await limiter.acquire('a');
    const waits = [1, 2, 3].map((n) =>
      limiter.acquire('a').then((release) => {
        order.push(n);
        release();
      }),
    );
    first();
    await Promise.all(waits);
    expect(order).toEqual([1, 2, 3]);
  });

  it('caps the total and gives a freed global slot to the longest-waiting runnable waiter', async () => {
    const limiter = new HostLimiter(2, 1);
    const a = track(limiter, 'a');
    const b = track(limiter, 'b');
    const a2 = track(limiter, 'a'); // waits on host a
    const c = track(limiter, 'c'); // waits on the total
    const d = track(limiter, 'd'); // waits on the total
    await settle();
    expect(limiter.inFlight).toBe(2);
    expect(limiter.queued()).toBe(3);

    b.release!(); // a2 is older but host a is full: c, the oldest runnable, goes
    await settle();
    expect(c.release).toBeDefined();
    expect(a2.release).toBeUndefined();
    expect(d.release).toBeUndefined();

    a.release!(); // now a2 is the oldest runnable waiter, ahead of d
    await settle();
    expect(a2.release).toBeDefined();
    expect(d.release).toBeUndefined();
    expect(limiter.inFlight).toBe(2);

    c.release!();
    await settle();
    expect(d.release).toBeDefined();
    expect(limiter.queued()).toBe(0);
  });

  it('an aborted waiter leaves the queue and rejects with the signal reason', async () => {
    const limiter = new HostLimiter(10, 1);
    const held = await limiter.acquire('a');
    const controller = new AbortController();
    const aborted = track(limiter, 'a', controller.signal);
    const next = track(limiter, 'a');
    await settle();
    const reason = new Error('queue wait exceeded');
    controller.abort(reason);
    await settle();
    expect(aborted.error).toBe(reason);
    expect(limiter.queued('a')).toBe(1);
    held();
    await settle();
    expect(next.release).toBeDefined();
    expect(aborted.release).toBeUndefined();
    expect(limiter.inFlight).toBe(1);
  });

  it('rejects at once for an already aborted signal, without taking a slot', async () => {
    const limiter = new HostLimiter(10, 1);
    const reason = new Error('gone');
    await expect(limiter.acquire('a', AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(limiter.inFlight).toBe(0);
    expect(limiter.queued()).toBe(0);
  });

  it('release is idempotent', async () => {
    const limiter = new HostLimiter(10, 2);
    const first = await limiter.acquire('a');
    await limiter.acquire('a');
    const waiter = track(limiter, 'a');
    first();
    first();
    await settle();
    expect(limiter.inFlight).toBe(2);
    expect(waiter.release).toBeDefined();
    first();
    expect(limiter.inFlight).toBe(2);
  });

  it('refuses caps that are not positive integers', () => {
    expect(() => new HostLimiter(0, 1)).toThrow(
      'HostLimiter maxInFlight must be a positive integer, got 0',
    );
    expect(() => new HostLimiter(1, 1.5)).toThrow(
      'HostLimiter maxPerHost must be a positive integer, got 1.5',
    );
  });
});
