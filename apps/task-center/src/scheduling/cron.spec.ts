import { firstFireAt, nextSlotAfter, previewFires } from './slots';
import { at, cron, fires } from './cron.fixtures';

describe('crontab slots (UTC)', () => {
  it('5 fields: minute step', () => {
    expect(fires('*/15 * * * *', 'UTC', '2025-01-01T00:07:00Z', 4)).toEqual([
      '2025-01-01T00:15:00+00:00',
      '2025-01-01T00:30:00+00:00',
      '2025-01-01T00:45:00+00:00',
      '2025-01-01T01:00:00+00:00',
    ]);
  });

  it('6 fields: the leading field is seconds', () => {
    expect(fires('*/20 * * * * *', 'UTC', '2025-01-01T00:00:01Z', 4)).toEqual([
      '2025-01-01T00:00:20+00:00',
      '2025-01-01T00:00:40+00:00',
      '2025-01-01T00:01:00+00:00',
      '2025-01-01T00:01:20+00:00',
    ]);
    expect(fires('30 0 12 * * *', 'UTC', '2025-01-01T12:00:30Z', 2)).toEqual([
      '2025-01-01T12:00:30+00:00',
      '2025-01-02T12:00:30+00:00',
    ]);
  });

  it('ranges, lists and stepped ranges', () => {
    expect(fires('0 9-11 * * *', 'UTC', '2025-01-01T00:00:00Z', 4)).toEqual([
      '2025-01-01T09:00:00+00:00',
      '2025-01-01T10:00:00+00:00',
      '2025-01-01T11:00:00+00:00',
      '2025-01-02T09:00:00+00:00',
    ]);
    expect(fires('0 8,12,18 * * *', 'UTC', '2025-01-01T12:00:00.001Z', 3)).toEqual([
      '2025-01-01T18:00:00+00:00',
      '2025-01-02T08:00:00+00:00',
      '2025-01-02T12:00:00+00:00',
    ]);
    expect(fires('0 0-12/6 * * *', 'UTC', '2025-01-01T00:00:00Z', 4)).toEqual([
      '2025-01-01T00:00:00+00:00',
      '2025-01-01T06:00:00+00:00',
      '2025-01-01T12:00:00+00:00',
      '2025-01-02T00:00:00+00:00',
    ]);
  });

  it('weekdays, names, ? and 7 as Sunday', () => {
    // 2025-01-03 is a Friday.
    expect(fires('0 9 * * 1-5', 'UTC', '2025-01-03T09:00:01Z', 2)).toEqual([
      '2025-01-06T09:00:00+00:00',
      '2025-01-07T09:00:00+00:00',
    ]);
    expect(fires('0 9 ? jan,Feb MON', 'UTC', '2025-01-28T00:00:00Z', 3)).toEqual([
      '2025-02-03T09:00:00+00:00',
      '2025-02-10T09:00:00+00:00',
      '2025-02-17T09:00:00+00:00',
    ]);
    expect(fires('0 0 * * 7', 'UTC', '2025-01-01T00:00:00Z', 1)).toEqual([
      '2025-01-05T00:00:00+00:00',
    ]);
  });

  it('day-of-month and day-of-week both restricted: either matches (Vixie cron)', () => {
    // The 13th, or any Friday: Fri 3rd, Fri 10th, Mon 13th, Fri 17th.
    expect(fires('0 0 13 * 5', 'UTC', '2025-01-01T00:00:00Z', 4)).toEqual([
      '2025-01-03T00:00:00+00:00',
      '2025-01-10T00:00:00+00:00',
      '2025-01-13T00:00:00+00:00',
      '2025-01-17T00:00:00+00:00',
    ]);
  });

  it('L in day-of-month: last day of each month, leap years included', () => {
    expect(fires('0 0 L * *', 'UTC', '2025-01-15T00:00:00Z', 4)).toEqual([
      '2025-01-31T00:00:00+00:00',
      '2025-02-28T00:00:00+00:00',
      '2025-03-31T00:00:00+00:00',
      '2025-04-30T00:00:00+00:00',
    ]);
    expect(fires('0 0 L 2 *', 'UTC', '2027-03-01T00:00:00Z', 2)).toEqual([
      '2028-02-29T00:00:00+00:00',
      '2029-02-28T00:00:00+00:00',
    ]);
  });

  it('nL in day-of-week: last given weekday of the month', () => {
    expect(fires('0 0 * * 5L', 'UTC', '2025-01-01T00:00:00Z', 3)).toEqual([
      '2025-01-31T00:00:00+00:00',
      '2025-02-28T00:00:00+00:00',
      '2025-03-28T00:00:00+00:00',
    ]);
  });

  it('# in day-of-week: nth given weekday of the month', () => {
    expect(fires('0 0 * * 1#2', 'UTC', '2025-01-01T00:00:00Z', 3)).toEqual([
      '2025-01-13T00:00:00+00:00',
      '2025-02-10T00:00:00+00:00',
      '2025-03-10T00:00:00+00:00',
    ]);
    // A fifth Monday exists only in some months.
    expect(fires('0 0 * * MON#5', 'UTC', '2025-01-01T00:00:00Z', 2)).toEqual([
      '2025-03-31T00:00:00+00:00',
      '2025-06-30T00:00:00+00:00',
    ]);
  });

  it('leap day: 29 Feb fires only in leap years', () => {
    expect(fires('0 0 29 2 *', 'UTC', '2025-01-01T00:00:00Z', 3)).toEqual([
      '2028-02-29T00:00:00+00:00',
      '2032-02-29T00:00:00+00:00',
      '2036-02-29T00:00:00+00:00',
    ]);
    // 2100 is not a leap year.
    expect(fires('0 0 29 2 *', 'UTC', '2096-03-01T00:00:00Z', 1)).toEqual([
      '2104-02-29T00:00:00+00:00',
    ]);
  });

  it('month ends: the 31st skips 30-day months and February, the 30th skips February', () => {
    expect(fires('0 0 31 * *', 'UTC', '2025-01-01T00:00:00Z', 7)).toEqual([
      '2025-01-31T00:00:00+00:00',
      '2025-03-31T00:00:00+00:00',
      '2025-05-31T00:00:00+00:00',
      '2025-07-31T00:00:00+00:00',
      '2025-08-31T00:00:00+00:00',
      '2025-10-31T00:00:00+00:00',
      '2025-12-31T00:00:00+00:00',
    ]);
    expect(fires('0 0 30 * *', 'UTC', '2025-01-31T00:00:00Z', 2)).toEqual([
      '2025-03-30T00:00:00+00:00',
      '2025-04-30T00:00:00+00:00',
    ]);
  });

  it('a slot exactly at the query instant is included by firstFireAt, excluded by nextSlotAfter', () => {
    const spec = cron('0 * * * *');
    const slot = at('2025-01-01T05:00:00Z');
    expect(firstFireAt(spec, slot)).toBe(slot);
    expect(firstFireAt(spec, slot + 1)).toBe(at('2025-01-01T06:00:00Z'));
    expect(firstFireAt(spec, slot - 1)).toBe(slot);
    expect(nextSlotAfter(spec, slot)).toBe(at('2025-01-01T06:00:00Z'));
    expect(nextSlotAfter(spec, slot - 1)).toBe(slot);
  });
});

describe('crontab time zones', () => {
  it('evaluates the expression in the task zone', () => {
    expect(fires('0 9 * * *', 'Asia/Kolkata', '2025-01-01T00:00:00Z', 1)).toEqual([
      '2025-01-01T09:00:00+05:30',
    ]);
    expect(firstFireAt(cron('0 9 * * *', 'Asia/Kolkata'), at('2025-01-01T00:00:00Z'))).toBe(
      at('2025-01-01T03:30:00Z'),
    );
    expect(firstFireAt(cron('0 9 * * *', 'Asia/Tokyo'), at('2025-01-01T00:00:00Z'))).toBe(
      at('2025-01-01T00:00:00Z'),
    );
    expect(firstFireAt(cron('0 0 1 1 *', 'America/New_York'), at('2025-01-01T00:00:00Z'))).toBe(
      at('2025-01-01T05:00:00Z'),
    );
  });

  it('a zone without DST (Asia/Kolkata) fires every 24 h all year', () => {
    const year = previewFires(
      cron('30 2 * * *', 'Asia/Kolkata'),
      at('2025-01-01T00:00:00+05:30'),
      365,
    );
    expect(year).toHaveLength(365);
    for (let i = 1; i < year.length; i++) expect(year[i]! - year[i - 1]!).toBe(86_400_000);
  });
});
