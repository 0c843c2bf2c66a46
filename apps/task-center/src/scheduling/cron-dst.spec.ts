import { firstFireAt, nextSlotAfter, previewFires } from './slots';
import { at, cron, fires, local } from './cron.fixtures';

describe('crontab across DST, restricted hours: each matching local time fires once', () => {
  it('spring forward, America/New_York: 02:30 does not exist on 2025-03-09, fires at 03:00 once', () => {
    expect(fires('30 2 * * *', 'America/New_York', '2025-03-07T12:00:00Z', 4)).toEqual([
      '2025-03-08T02:30:00-05:00',
      '2025-03-09T03:00:00-04:00',
      '2025-03-10T02:30:00-04:00',
      '2025-03-11T02:30:00-04:00',
    ]);
  });

  it('spring forward, Europe/Berlin: 02:30 does not exist on 2025-03-30, fires at 03:00 once', () => {
    expect(fires('30 2 * * *', 'Europe/Berlin', '2025-03-28T12:00:00Z', 4)).toEqual([
      '2025-03-29T02:30:00+01:00',
      '2025-03-30T03:00:00+02:00',
      '2025-03-31T02:30:00+02:00',
      '2025-04-01T02:30:00+02:00',
    ]);
  });

  it('spring forward: several skipped times and the 03:00 slot collapse into one fire', () => {
    expect(fires('0,30 2 * * *', 'America/New_York', '2025-03-08T00:00:00-05:00', 5)).toEqual([
      '2025-03-08T02:00:00-05:00',
      '2025-03-08T02:30:00-05:00',
      '2025-03-09T03:00:00-04:00',
      '2025-03-10T02:00:00-04:00',
      '2025-03-10T02:30:00-04:00',
    ]);
    expect(fires('0 2,3 * * *', 'America/New_York', '2025-03-09T00:00:00-05:00', 3)).toEqual([
      '2025-03-09T03:00:00-04:00',
      '2025-03-10T02:00:00-04:00',
      '2025-03-10T03:00:00-04:00',
    ]);
    expect(fires('* 2 * * *', 'Europe/Berlin', '2025-03-30T00:00:00+01:00', 2)).toEqual([
      '2025-03-30T03:00:00+02:00',
      '2025-03-31T02:00:00+02:00',
    ]);
  });

  it('spring forward: a time after the gap is unaffected', () => {
    expect(fires('30 3 * * *', 'America/New_York', '2025-03-08T12:00:00Z', 2)).toEqual([
      '2025-03-09T03:30:00-04:00',
      '2025-03-10T03:30:00-04:00',
    ]);
  });

  it('spring forward: the fire after the gap does not depend on when we ask', () => {
    const spec = cron('30 2 * * *', 'America/New_York');
    const transition = at('2025-03-09T03:00:00-04:00');
    for (
      let now = at('2025-03-08T02:31:00-05:00');
      now <= at('2025-03-09T06:00:00-04:00');
      now += 5 * 60_000
    ) {
      const expected = now <= transition ? transition : at('2025-03-10T02:30:00-04:00');
      expect(firstFireAt(spec, now)).toBe(expected);
      expect(nextSlotAfter(spec, now - 1)).toBe(expected);
    }
    expect(firstFireAt(spec, transition - 1)).toBe(transition);
    expect(firstFireAt(spec, transition)).toBe(transition);
    expect(firstFireAt(spec, transition + 1)).toBe(at('2025-03-10T02:30:00-04:00'));
    expect(nextSlotAfter(spec, transition)).toBe(at('2025-03-10T02:30:00-04:00'));
  });

  it('spring forward at midnight (America/Sao_Paulo 2018-11-04): 00:00 fires at 01:00', () => {
    expect(fires('0 0 * * *', 'America/Sao_Paulo', '2018-11-03T12:00:00Z', 3)).toEqual([
      '2018-11-04T01:00:00-02:00',
      '2018-11-05T00:00:00-02:00',
      '2018-11-06T00:00:00-02:00',
    ]);
  });

  it('spring forward by 30 minutes (Australia/Lord_Howe 2025-10-05): 02:15 fires at 02:30', () => {
    expect(fires('15 2 * * *', 'Australia/Lord_Howe', '2025-10-03T12:00:00Z', 3)).toEqual([
      '2025-10-04T02:15:00+10:30',
      '2025-10-05T02:30:00+11:00',
      '2025-10-06T02:15:00+11:00',
    ]);
  });

  it('spring forward, southern hemisphere (Australia/Sydney 2025-10-05)', () => {
    expect(fires('30 2 * * *', 'Australia/Sydney', '2025-10-03T12:00:00Z', 3)).toEqual([
      '2025-10-04T02:30:00+10:00',
      '2025-10-05T03:00:00+11:00',
      '2025-10-06T02:30:00+11:00',
    ]);
  });

  it('fall back, America/New_York: 01:30 happens twice on 2025-11-02, fires at the first', () => {
    expect(fires('30 1 * * *', 'America/New_York', '2025-10-31T12:00:00Z', 4)).toEqual([
      '2025-11-01T01:30:00-04:00',
      '2025-11-02T01:30:00-04:00',
      '2025-11-03T01:30:00-05:00',
      '2025-11-04T01:30:00-05:00',
    ]);
  });

  it('fall back, Europe/Berlin: 02:30 happens twice on 2025-10-26, fires at the first', () => {
    expect(fires('30 2 * * *', 'Europe/Berlin', '2025-10-24T12:00:00Z', 4)).toEqual([
      '2025-10-25T02:30:00+02:00',
      '2025-10-26T02:30:00+02:00',
      '2025-10-27T02:30:00+01:00',
      '2025-10-28T02:30:00+01:00',
    ]);
  });

  it('fall back, southern hemisphere (Australia/Sydney 2025-04-06): 02:30 fires once', () => {
    expect(fires('30 2 * * *', 'Australia/Sydney', '2025-04-05T00:00:00+11:00', 3)).toEqual([
      '2025-04-05T02:30:00+11:00',
      '2025-04-06T02:30:00+11:00',
      '2025-04-07T02:30:00+10:00',
    ]);
  });

  it('fall back by 30 minutes (Australia/Lord_Howe 2025-04-06): 01:45 fires once', () => {
    expect(fires('45 1 * * *', 'Australia/Lord_Howe', '2025-04-05T00:00:00+11:00', 3)).toEqual([
      '2025-04-05T01:45:00+11:00',
      '2025-04-06T01:45:00+11:00',
      '2025-04-07T01:45:00+10:30',
    ]);
  });

  it('fall back: every minute of a restricted hour fires in its first pass only', () => {
    const got = fires('*/15 1 * * *', 'America/New_York', '2025-11-02T00:00:00-04:00', 5);
    expect(got).toEqual([
      '2025-11-02T01:00:00-04:00',
      '2025-11-02T01:15:00-04:00',
      '2025-11-02T01:30:00-04:00',
      '2025-11-02T01:45:00-04:00',
      '2025-11-03T01:00:00-05:00',
    ]);
    expect(fires('0 1-3 * * *', 'America/New_York', '2025-11-02T00:00:00-04:00', 4)).toEqual([
      '2025-11-02T01:00:00-04:00',
      '2025-11-02T02:00:00-05:00',
      '2025-11-02T03:00:00-05:00',
      '2025-11-03T01:00:00-05:00',
    ]);
  });

  it('fall back: asking from inside the repeated hour never yields the second 01:30', () => {
    // cron-parser's own tz mode answers 01:30 EST when asked from 01:10 EST.
    const spec = cron('30 1 * * *', 'America/New_York');
    const first = at('2025-11-02T01:30:00-04:00');
    const nextDay = at('2025-11-03T01:30:00-05:00');
    for (
      let now = at('2025-11-02T00:00:00-04:00');
      now <= at('2025-11-02T03:00:00-05:00');
      now += 60_000
    ) {
      const expected = now <= first ? first : nextDay;
      expect(firstFireAt(spec, now)).toBe(expected);
      expect(nextSlotAfter(spec, now - 1)).toBe(expected);
    }
  });

  it.each([
    ['America/New_York', '30 2 * * *', '02:30:00', '2025-03-09T03:00:00-04:00'],
    ['America/New_York', '30 1 * * *', '01:30:00', null],
    ['Europe/Berlin', '30 2 * * *', '02:30:00', '2025-03-30T03:00:00+02:00'],
    ['Australia/Sydney', '30 2 * * *', '02:30:00', '2025-10-05T03:00:00+11:00'],
  ])('%s %s fires once on every local day of 2025', (timezone, crontab, time, shifted) => {
    const year = previewFires(cron(crontab, timezone), at('2024-12-30T00:00:00Z'), 1000).filter(
      (t) => local(t, timezone).startsWith('2025'),
    );
    const rendered = year.map((t) => local(t, timezone));
    const days = rendered.map((s) => s.slice(0, 10));
    expect(new Set(days).size).toBe(365);
    expect(days).toHaveLength(365);
    const odd = rendered.filter((s) => s.slice(11, 19) !== time);
    expect(odd).toEqual(shifted ? [shifted] : []);
    for (let i = 1; i < year.length; i++) expect(year[i]!).toBeGreaterThan(year[i - 1]!);
  });
});

describe('crontab across DST, every hour: follows real time', () => {
  it('fall back, America/New_York: the repeated 01:00 fires at both instants, an hour apart', () => {
    expect(fires('0 * * * *', 'America/New_York', '2025-11-02T00:00:00-04:00', 5)).toEqual([
      '2025-11-02T00:00:00-04:00',
      '2025-11-02T01:00:00-04:00',
      '2025-11-02T01:00:00-05:00',
      '2025-11-02T02:00:00-05:00',
      '2025-11-02T03:00:00-05:00',
    ]);
  });

  it('fall back, Europe/Berlin: the repeated 02:00 fires at both instants', () => {
    expect(fires('0 * * * *', 'Europe/Berlin', '2025-10-26T01:00:00+02:00', 4)).toEqual([
      '2025-10-26T01:00:00+02:00',
      '2025-10-26T02:00:00+02:00',
      '2025-10-26T02:00:00+01:00',
      '2025-10-26T03:00:00+01:00',
    ]);
  });

  it('spring forward: hourly skips no real hour (01:00 then 03:00 are an hour apart)', () => {
    expect(fires('0 * * * *', 'America/New_York', '2025-03-09T00:00:00-05:00', 4)).toEqual([
      '2025-03-09T00:00:00-05:00',
      '2025-03-09T01:00:00-05:00',
      '2025-03-09T03:00:00-04:00',
      '2025-03-09T04:00:00-04:00',
    ]);
    expect(fires('30 * * * *', 'Europe/Berlin', '2025-03-30T01:00:00+01:00', 3)).toEqual([
      '2025-03-30T01:30:00+01:00',
      '2025-03-30T03:30:00+02:00',
      '2025-03-30T04:30:00+02:00',
    ]);
  });

  it('every second across a fall-back transition: exactly 1 s apart, no duplicate', () => {
    const spec = cron('* * * * * *', 'America/New_York');
    const got = previewFires(spec, at('2025-11-02T01:59:55-04:00'), 11);
    expect(got.map((t) => local(t, 'America/New_York'))).toEqual([
      '2025-11-02T01:59:55-04:00',
      '2025-11-02T01:59:56-04:00',
      '2025-11-02T01:59:57-04:00',
      '2025-11-02T01:59:58-04:00',
      '2025-11-02T01:59:59-04:00',
      '2025-11-02T01:00:00-05:00',
      '2025-11-02T01:00:01-05:00',
      '2025-11-02T01:00:02-05:00',
      '2025-11-02T01:00:03-05:00',
      '2025-11-02T01:00:04-05:00',
      '2025-11-02T01:00:05-05:00',
    ]);
    for (let i = 1; i < got.length; i++) expect(got[i]! - got[i - 1]!).toBe(1000);
  });

  it('every second across a spring-forward transition: exactly 1 s apart', () => {
    const got = previewFires(
      cron('* * * * * *', 'Europe/Berlin'),
      at('2025-03-30T01:59:58+01:00'),
      4,
    );
    expect(got.map((t) => local(t, 'Europe/Berlin'))).toEqual([
      '2025-03-30T01:59:58+01:00',
      '2025-03-30T01:59:59+01:00',
      '2025-03-30T03:00:00+02:00',
      '2025-03-30T03:00:01+02:00',
    ]);
  });

  // Brute force: every real second around each transition whose local time matches, and nothing else.
  const transitions: [string, string][] = [
    ['America/New_York', '2025-03-09T07:00:00Z'],
    ['America/New_York', '2025-11-02T06:00:00Z'],
    ['Europe/Berlin', '2025-03-30T01:00:00Z'],
    ['Europe/Berlin', '2025-10-26T01:00:00Z'],
    ['Australia/Lord_Howe', '2025-10-04T15:30:00Z'],
    ['Australia/Lord_Howe', '2025-04-05T15:00:00Z'],
  ];
  const patterns: [string, (h: number, m: number, s: number) => boolean][] = [
    ['* * * * *', (_h, _m, s) => s === 0],
    ['*/15 * * * *', (_h, m, s) => s === 0 && m % 15 === 0],
    ['0 * * * *', (_h, m, s) => s === 0 && m === 0],
    ['15,45 * * * *', (_h, m, s) => s === 0 && (m === 15 || m === 45)],
    ['*/20 */7 * * * *', (_h, m, s) => s % 20 === 0 && m % 7 === 0],
  ];
  it.each(transitions)(
    'every-hour patterns match a brute-force scan in %s around %s',
    (tz, iso) => {
      const parts = new Intl.DateTimeFormat('en-US', {
        timeZone: tz,
        hourCycle: 'h23',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
      const from = at(iso) - 2 * 3600_000;
      const to = at(iso) + 2 * 3600_000;
      const wall: [number, number, number][] = [];
      for (let t = from; t <= to; t += 1000) {
        const p: Record<string, number> = {};
        for (const part of parts.formatToParts(t)) p[part.type] = Number(part.value);
        wall.push([p.hour!, p.minute!, p.second!]);
      }
      for (const [crontab, matches] of patterns) {
        const expected = wall.flatMap(([h, m, s], i) =>
          matches(h, m, s) ? [from + i * 1000] : [],
        );
        const got = previewFires(cron(crontab, tz, { endTime: to }), from, 1000);
        expect({ crontab, got }).toEqual({ crontab, got: expected });
      }
    },
  );
});
