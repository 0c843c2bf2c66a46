import { LazyAbort } from './lazy-abort';

describe('LazyAbort', () => {
  it('makes no controller until the signal is read', () => {
    const lazy = new LazyAbort();
    lazy.abort(new Error('never read'));
    expect(lazy.made).toBe(false);
  });

  it('aborts a signal read before the abort, with its reason', () => {
    const lazy = new LazyAbort();
    const signal = lazy.signal;
    const seen: unknown[] = [];
    signal.addEventListener('abort', () => seen.push(signal.reason));
    expect(signal.aborted).toBe(false);
    const reason = new Error('stop');
    lazy.abort(reason);
    expect(signal.aborted).toBe(true);
    expect(seen).toEqual([reason]);
  });

  it('hands out an aborted signal when read after the abort, and keeps the first reason', () => {
    const lazy = new LazyAbort();
    const first = new Error('first');
    lazy.abort(first);
    lazy.abort(new Error('second'));
    expect(lazy.signal.aborted).toBe(true);
    expect(lazy.signal.reason).toBe(first);
    expect(lazy.signal).toBe(lazy.signal);
  });
});
