import { TaskType } from '@task-center/contracts';
import { describeSchedule, durationInWords } from './describe-schedule';
import { type ScheduleSpec } from './schedule';

const T = Date.UTC(2026, 0, 1, 10, 0, 0);
const spec = (s: Partial<ScheduleSpec> & Pick<ScheduleSpec, 'type'>): ScheduleSpec => ({
  timezone: 'UTC',
  anchor: T,
  ...s,
});

describe('describeSchedule', () => {
  it('words durations from seconds, largest unit first, skipping zeros', () => {
    expect(durationInWords(1)).toBe('1 second');
    expect(durationInWords(90)).toBe('1 minute 30 seconds');
    expect(durationInWords(7200)).toBe('2 hours');
    expect(durationInWords(90_061)).toBe('1 day 1 hour 1 minute 1 second');
  });

  it('describes one-shots with their time, or right away', () => {
    expect(describeSchedule(spec({ type: TaskType.OneShot, startTime: T }))).toBe(
      'once, at 2026-01-01T10:00:00Z',
    );
    expect(describeSchedule(spec({ type: TaskType.OneShot }))).toBe('once, right away');
  });

  it('describes loops with their anchor, count and end', () => {
    expect(
      describeSchedule(
        spec({ type: TaskType.Loop, loopTime: 300, loopCount: 3, endTime: T + 86_400_000 }),
      ),
    ).toBe('every 5 minutes from 2026-01-01T10:00:00Z, 3 times, until 2026-01-02T10:00:00Z');
    expect(describeSchedule(spec({ type: TaskType.Loop, loopTime: 1, loopCount: 1 }))).toBe(
      'every 1 second from 2026-01-01T10:00:00Z, 1 time',
    );
  });

  it('describes crontabs of 5 and 6 fields in their zone, with the window', () => {
    expect(
      describeSchedule(
        spec({ type: TaskType.Crontab, crontab: '0 9 * * 1-5', timezone: 'Europe/Berlin' }),
      ),
    ).toBe('At 09:00, Monday through Friday (Europe/Berlin)');
    expect(describeSchedule(spec({ type: TaskType.Crontab, crontab: '*/5 * * * * *' }))).toBe(
      'Every 5 seconds (UTC)',
    );
    expect(
      describeSchedule(
        spec({ type: TaskType.Crontab, crontab: '30 2 L * *', startTime: T, loopCount: 2 }),
      ),
    ).toBe('At 02:30, on the last day of the month (UTC), from 2026-01-01T10:00:00Z, 2 times');
  });
});
