import { firstOffsetChange, isValidTimeZone, offsetAt } from './time-zone';

const H = 3600_000;
const at = (iso: string) => Date.parse(iso);

describe('isValidTimeZone', () => {
  it.each(['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'US/Eastern', 'utc'])(
    'accepts %p',
    (tz) => expect(isValidTimeZone(tz)).toBe(true),
  );
  it.each(['', 'Mars/Base', 'GMT+5', '+05:30', 'Europe/Berlinn'])('rejects %p', (tz) =>
    expect(isValidTimeZone(tz)).toBe(false),
  );
});

describe('offsetAt', () => {
  it('gives local minus UTC, with DST', () => {
    expect(offsetAt('America/New_York', at('2025-01-15T12:00:00Z'))).toBe(-5 * H);
    expect(offsetAt('America/New_York', at('2025-07-15T12:00:00Z'))).toBe(-4 * H);
    expect(offsetAt('Europe/Berlin', at('2025-07-15T12:00:00Z'))).toBe(2 * H);
    expect(offsetAt('Asia/Kolkata', at('2025-07-15T12:00:00Z'))).toBe(5.5 * H);
    expect(offsetAt('UTC', 0)).toBe(0);
  });

  it('changes exactly at the transition instant, also for instants off the second', () => {
    const springNY = at('2025-03-09T07:00:00Z');
    expect(offsetAt('America/New_York', springNY - 1)).toBe(-5 * H);
    expect(offsetAt('America/New_York', springNY)).toBe(-4 * H);
    expect(offsetAt('America/New_York', springNY + 999)).toBe(-4 * H);
  });
});

describe('firstOffsetChange', () => {
  it('finds each 2025 transition to the millisecond', () => {
    const from = at('2025-01-01T00:00:00Z');
    const to = at('2026-01-01T00:00:00Z');
    expect(firstOffsetChange('America/New_York', from, to, -5 * H)).toBe(
      at('2025-03-09T07:00:00Z'),
    );
    expect(firstOffsetChange('America/New_York', at('2025-03-09T07:00:00Z'), to, -4 * H)).toBe(
      at('2025-11-02T06:00:00Z'),
    );
    expect(firstOffsetChange('Europe/Berlin', from, to, 1 * H)).toBe(at('2025-03-30T01:00:00Z'));
    expect(firstOffsetChange('Australia/Lord_Howe', from, to, 11 * H)).toBe(
      at('2025-04-05T15:00:00Z'),
    );
  });

  it('returns null when the offset holds over the whole range', () => {
    expect(firstOffsetChange('Asia/Kolkata', 0, at('2030-01-01T00:00:00Z'), 5.5 * H)).toBeNull();
    const spring = at('2025-03-09T07:00:00Z');
    expect(
      firstOffsetChange('America/New_York', at('2024-11-03T06:00:00Z'), spring - 1, -5 * H),
    ).toBeNull();
  });

  it('range bounds: (from, to], a change exactly at `to` is found, one at `from` is not', () => {
    const spring = at('2025-03-09T07:00:00Z');
    expect(firstOffsetChange('America/New_York', spring - 1, spring, -5 * H)).toBe(spring);
    expect(firstOffsetChange('America/New_York', spring - 1, spring + H, -4 * H)).toBeNull();
  });

  it('catches a DST period of one week (America/Boa_Vista, October 2000)', () => {
    const from = at('2000-10-01T00:00:00Z');
    const to = at('2000-11-01T00:00:00Z');
    const start = firstOffsetChange('America/Boa_Vista', from, to, -4 * H);
    expect(start).toBe(at('2000-10-08T04:00:00Z'));
    expect(firstOffsetChange('America/Boa_Vista', start!, to, -3 * H)).toBe(
      at('2000-10-15T03:00:00Z'),
    );
  });
});
