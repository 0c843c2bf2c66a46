import { failsFirstAttempt, HandlerLedger, type HandlerRun, parseRunLine } from './handler-ledger';

const T0 = 1_800_000_000_000;
const run = (taskId: string, scheduledAt: number, attempt: number, failed = false): HandlerRun => ({
  taskId,
  scheduledAt,
  attempt,
  startedAt: scheduledAt + 5,
  failed,
  publishedAt: scheduledAt + 2,
});

describe('HandlerLedger', () => {
  it('counts a slot handled once as handled, and a slot never run as lost', () => {
    const ledger = new HandlerLedger();
    ledger.expect('a', T0, 1000, 3);
    ledger.take(run('a', T0, 1));
    ledger.take(run('a', T0 + 2000, 1));
    const s = ledger.summary(T0 + 10_000);
    expect(s).toMatchObject({ expected: 3, handled: 2, lost: 1, duplicates: 0 });
    expect(s.samples).toEqual([`lost a @ ${new Date(T0 + 1000).toISOString()}`]);
  });

  it('accepts a retry after a failed first attempt, and a redelivery of the same message id', () => {
    const ledger = new HandlerLedger();
    ledger.expect('a', T0, 1000, 2);
    ledger.take(run('a', T0, 1, true));
    ledger.take(run('a', T0, 2));
    ledger.take(run('a', T0 + 1000, 1));
    ledger.take(run('a', T0 + 1000, 1));
    expect(ledger.summary(T0 + 10_000)).toMatchObject({
      handled: 2,
      lost: 0,
      retried: 1,
      redelivered: 1,
      duplicates: 0,
    });
  });

  it('counts slots the misfire policy skipped apart from lost ones', () => {
    const ledger = new HandlerLedger(5000);
    ledger.expect('a', T0, 1000, 12);
    // slot 0 published 9.5 s late (a catch-up): slots 1..4 are more than 5 s behind it, skipped
    ledger.take({ ...run('a', T0, 1), publishedAt: T0 + 9500 });
    for (let i = 5; i < 11; i++) ledger.take(run('a', T0 + i * 1000, 1));
    expect(ledger.summary(T0 + 11_000)).toMatchObject({ handled: 7, skipped: 4, lost: 1 });
  });

  it('counts a failed first attempt whose retry never came as lost', () => {
    const ledger = new HandlerLedger();
    ledger.expect('a', T0, 1000, 1);
    ledger.take(run('a', T0, 1, true));
    expect(ledger.summary(T0 + 10_000)).toMatchObject({ handled: 0, lost: 1 });
  });

  it('counts a second message id for a slot that had succeeded as a duplicate', () => {
    const ledger = new HandlerLedger();
    ledger.expect('a', T0, 2000, 2);
    ledger.take(run('a', T0, 1));
    ledger.take(run('a', T0, 2));
    ledger.take(run('a', T0 + 2000, 1, true));
    ledger.take(run('a', T0 + 2000, 2, true));
    ledger.take(run('a', T0 + 2000, 3));
    expect(ledger.summary(T0 + 10_000)).toMatchObject({ handled: 2, duplicates: 2 });
  });

  it('counts runs off the expected slots as unexpected, and leaves slots after `until` out', () => {
    const ledger = new HandlerLedger();
    ledger.expect('a', T0, 2000, 10);
    ledger.take(run('a', T0 + 1000, 1));
    ledger.take(run('b', T0, 1));
    ledger.take(run('a', T0 + 20_000, 1));
    ledger.take(run('a', T0, 1));
    expect(ledger.summary(T0 + 2000)).toMatchObject({ expected: 2, handled: 1, unexpected: 3 });
  });

  it('takes a run of a task expected only after the run was read', () => {
    const ledger = new HandlerLedger();
    ledger.take(run('late', T0, 1));
    expect(ledger.summary(T0)).toMatchObject({ unexpected: 1 });
    ledger.expect('late', T0, 1000, 1);
    expect(ledger.summary(T0)).toMatchObject({ expected: 1, handled: 1, unexpected: 0 });
  });
});

describe('parseRunLine', () => {
  it('reads what a soak worker writes, and nothing else', () => {
    expect(parseRunLine(`abc:${T0}:2 ${T0 + 7} F ${T0 + 3}`)).toEqual({
      taskId: 'abc',
      scheduledAt: T0,
      attempt: 2,
      startedAt: T0 + 7,
      failed: true,
      publishedAt: T0 + 3,
    });
    expect(parseRunLine('MEM 1 2')).toBeUndefined();
  });
});

describe('failsFirstAttempt', () => {
  it('picks about one slot in `oneIn`, the same way every time', () => {
    const picks = Array.from({ length: 20_000 }, (_, i) =>
      failsFirstAttempt(`t${i % 50}`, T0 + i * 1000, 100),
    );
    const count = picks.filter(Boolean).length;
    expect(count).toBeGreaterThan(120);
    expect(count).toBeLessThan(280);
    expect(failsFirstAttempt('t1', T0, 100)).toBe(failsFirstAttempt('t1', T0, 100));
  });
});
