import { Logger } from '@nestjs/common';
import { ConditionLog, RECOVERY_QUIET_MS } from './condition-log';

describe('ConditionLog', () => {
  let logger: Logger;
  let lines: string[];
  const T = 1_800_000_000_000;

  beforeEach(() => {
    jest.useFakeTimers();
    logger = new Logger('spec');
    lines = [];
    jest.spyOn(logger, 'warn').mockImplementation((m: string) => void lines.push(`warn ${m}`));
    jest.spyOn(logger, 'log').mockImplementation((m: string) => void lines.push(`log ${m}`));
  });
  afterEach(() => jest.useRealTimers());

  it('an outage is one line when it starts and one when it has stayed well for the quiet period', () => {
    const c = new ConditionLog(logger);
    c.fail('reading', new Error('down'), T);
    c.fail('reading', new Error('still down'), T + 1000);
    c.ok('reading', T + 5000);
    c.ok('reading', T + 6000);
    expect(lines).toEqual(['warn reading: down']);
    jest.advanceTimersByTime(RECOVERY_QUIET_MS);
    expect(lines).toEqual(['warn reading: down', 'log reading: recovered after 5s (2 failures)']);
    expect(c.isFailing('reading')).toBe(false);
  });

  it('a failure again within the quiet period is the same outage (a restarted server dropping old connections)', () => {
    const c = new ConditionLog(logger);
    c.fail('reading', new Error('down'), T);
    c.ok('reading', T + 5000);
    jest.advanceTimersByTime(RECOVERY_QUIET_MS - 1);
    c.fail('reading', new Error('connection 1 closed'), T + 7000);
    jest.advanceTimersByTime(RECOVERY_QUIET_MS * 2);
    expect(lines).toEqual(['warn reading: down']);
    c.ok('reading', T + 9000);
    jest.advanceTimersByTime(RECOVERY_QUIET_MS);
    expect(lines).toEqual(['warn reading: down', 'log reading: recovered after 9s (2 failures)']);
  });

  it('keeps conditions apart, and a later outage is two lines of its own', () => {
    const c = new ConditionLog(logger, 0);
    c.fail('a', 'x', T);
    c.fail('b', 'y', T);
    c.ok('a', T + 2000);
    c.fail('a', 'z', T + 60_000);
    expect(lines).toEqual([
      'warn a: x',
      'warn b: y',
      'log a: recovered after 2s (1 failures)',
      'warn a: z',
    ]);
    expect(c.isFailing('b')).toBe(true);
  });
});
