import { type DedupeClaim, DedupeWindow } from './dedupe-window';

function run(claim: DedupeClaim): (succeeded: boolean) => void {
  if (claim.kind !== 'run') throw new Error(`expected run, got ${claim.kind}`);
  return claim.settle;
}

describe('DedupeWindow', () => {
  let clock = 0;
  const window = (maxEntries = 3, ttlMs = 1000) =>
    new DedupeWindow({ maxEntries, ttlMs, now: () => clock });
  beforeEach(() => (clock = 0));

  it('runs an id once: a later delivery of a success is skipped', () => {
    const w = window();
    run(w.claim('m1'))(true);
    expect(w.claim('m1').kind).toBe('skip');
    expect(w.claim('m2').kind).toBe('run');
  });

  it('makes a delivery that arrives during the run wait for it', async () => {
    const w = window();
    const settle = run(w.claim('m1'));
    const second = w.claim('m1');
    if (second.kind !== 'wait') throw new Error('expected wait');
    let done = false;
    void second.settled.then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    settle(true);
    await second.settled;
    expect(w.claim('m1').kind).toBe('skip');
  });

  it('lets a failed id run again', () => {
    const w = window();
    run(w.claim('m1'))(false);
    expect(w.claim('m1').kind).toBe('run');
  });

  it('forgets the oldest ids past maxEntries', () => {
    const w = window(2);
    for (const id of ['a', 'b', 'c']) run(w.claim(id))(true);
    expect(w.size).toBe(2);
    expect(w.claim('a').kind).toBe('run');
    expect(w.claim('c').kind).toBe('skip');
  });

  it('forgets ids older than ttlMs', () => {
    const w = window(10, 1000);
    run(w.claim('a'))(true);
    clock = 600;
    run(w.claim('b'))(true);
    clock = 1001;
    expect(w.claim('b').kind).toBe('skip');
    expect(w.claim('a').kind).toBe('run');
  });

  it('remembers nothing with maxEntries 0 (dedupe off)', () => {
    const w = window(0);
    run(w.claim('a'))(true);
    expect(w.claim('a').kind).toBe('run');
  });
});
