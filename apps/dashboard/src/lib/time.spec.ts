import {
  formatDuration,
  formatInstant,
  fromLocalInput,
  knownZones,
  offsetOf,
  relative,
  toLocalInput,
  utcTitle,
} from './time';

const AT = Date.UTC(2026, 10, 27, 13, 5, 9); // 2026-11-27T13:05:09Z

describe('dashboard time', () => {
  it('formats an instant in a zone with its offset', () => {
    expect(formatInstant(AT, 'Europe/Paris')).toBe('2026-11-27 14:05:09 +01:00');
    expect(formatInstant(AT, 'UTC')).toBe('2026-11-27 13:05:09 +00:00');
    expect(formatInstant(AT, 'Asia/Kolkata')).toBe('2026-11-27 18:35:09 +05:30');
    expect(formatInstant(Date.UTC(2026, 6, 1, 12), 'Europe/Paris')).toBe(
      '2026-07-01 14:00:00 +02:00',
    );
    expect(offsetOf(AT, 'America/New_York')).toBe('-05:00');
  });

  it("formats in the viewer's zone without an offset", () => {
    expect(formatInstant(AT)).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(utcTitle(AT)).toBe('2026-11-27T13:05:09.000Z (UTC)');
  });

  it('says how far an instant is from now', () => {
    expect(relative(AT + 5 * 60_000, AT)).toBe('in 5 min');
    expect(relative(AT - 3_000, AT)).toBe('3 s ago');
    expect(relative(AT + 400, AT)).toBe('now');
    expect(relative(AT + 2 * 3600_000 + 5, AT)).toBe('in 2 h');
    expect(relative(AT - 4 * 86_400_000, AT)).toBe('4 d ago');
  });

  it('formats durations', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(2_400)).toBe('2.4 s');
    expect(formatDuration(185_000)).toBe('3 min 5 s');
  });

  it('reads and writes a datetime-local input on the wall clock of a zone', () => {
    const s = AT / 1000;
    expect(toLocalInput(s, 'Europe/Paris')).toBe('2026-11-27T14:05:09');
    expect(fromLocalInput('2026-11-27T14:05:09', 'Europe/Paris')).toBe(s);
    expect(fromLocalInput('2026-11-27T14:05', 'Europe/Paris')).toBe(s - 9);
    expect(fromLocalInput('2026-11-27T08:05:09', 'America/New_York')).toBe(s);
    for (const zone of ['UTC', 'Asia/Kolkata', 'Australia/Lord_Howe', 'America/Santiago']) {
      for (let t = s; t < s + 365 * 86_400; t += 7 * 86_400 + 3_333) {
        expect(fromLocalInput(toLocalInput(t, zone), zone)).toBe(t);
      }
    }
  });

  it('resolves DST gaps and overlaps, refuses what is not a date', () => {
    // 2026-03-29 02:30 does not exist in Paris: read with the offset before the jump (+01:00)
    expect(fromLocalInput('2026-03-29T02:30', 'Europe/Paris')).toBe(
      Date.UTC(2026, 2, 29, 1, 30) / 1000,
    );
    // 2026-10-25 02:30 happens twice: the first one (+02:00)
    expect(fromLocalInput('2026-10-25T02:30', 'Europe/Paris')).toBe(
      Date.UTC(2026, 9, 25, 0, 30) / 1000,
    );
    expect(fromLocalInput('', 'UTC')).toBeUndefined();
    expect(fromLocalInput('2026-02-30T10:00', 'UTC')).toBeUndefined();
    expect(fromLocalInput('tomorrow', 'UTC')).toBeUndefined();
  });

  it('lists zones with UTC', () => {
    const zones = knownZones();
    expect(zones).toContain('UTC');
    expect(zones).toContain('Europe/Paris');
  });
});
