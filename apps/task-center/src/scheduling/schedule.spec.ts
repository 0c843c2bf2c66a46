import { TaskType } from '@task-center/contracts';
import { type ScheduleSpec, validateSchedule } from './schedule';

const T0 = Date.UTC(2025, 0, 1); // 2025-01-01T00:00:00Z

const oneShot = (extra: Partial<ScheduleSpec> = {}): ScheduleSpec => ({
  type: TaskType.OneShot,
  timezone: 'UTC',
  anchor: T0,
  ...extra,
});
const loop = (extra: Partial<ScheduleSpec> = {}): ScheduleSpec => ({
  type: TaskType.Loop,
  loopTime: 60,
  timezone: 'UTC',
  anchor: T0,
  ...extra,
});
const cron = (crontab: string | undefined, extra: Partial<ScheduleSpec> = {}): ScheduleSpec => ({
  type: TaskType.Crontab,
  crontab,
  timezone: 'UTC',
  anchor: T0,
  ...extra,
});

describe('validateSchedule', () => {
  it.each([
    ['one-shot', oneShot()],
    ['one-shot with a start', oneShot({ startTime: T0 + 1000, anchor: T0 + 1000 })],
    ['one-shot with loop_count 0 (= unset)', oneShot({ loopCount: 0 })],
    ['loop', loop()],
    ['loop of 1 s with a count', loop({ loopTime: 1, loopCount: 3 })],
    ['loop with a window', loop({ startTime: T0, endTime: T0 + 1 })],
    ['crontab, 5 fields', cron('0 9 * * *')],
    ['crontab, 6 fields', cron('*/10 0 9 * * *')],
    ['crontab with surrounding spaces', cron('  0   9 * * *  ')],
    ['crontab with day and month names (letters H in THU, MAR)', cron('0 9 * MAR THU')],
    ['crontab with L and #', cron('0 0 L * 5#3')],
    ['crontab with loop_count', cron('0 9 * * *', { loopCount: 10 })],
    ['crontab in a DST zone', cron('30 2 * * *', { timezone: 'America/New_York' })],
    ['a zone alias ICU knows', cron('30 2 * * *', { timezone: 'US/Eastern' })],
    ['leap day', cron('0 0 29 2 *')],
  ])('accepts %s', (_name, spec) => {
    expect(validateSchedule(spec)).toBeUndefined();
  });

  it.each([0, 4, -1, 1.5])('rejects unknown type %p', (type) => {
    expect(validateSchedule(oneShot({ type: type as TaskType }))).toBe(
      `type must be 1 (one-shot), 2 (loop) or 3 (crontab), got ${type}`,
    );
  });

  it.each(['Mars/Base', '', 'GMT+5', '+05:30', 'America/NewYork'])(
    'rejects unknown time zone %p',
    (timezone) => {
      expect(validateSchedule(cron('0 9 * * *', { timezone }))).toBe(
        `timezone "${timezone}" is not a known IANA time zone (e.g. "Europe/Berlin", "UTC")`,
      );
    },
  );

  it('rejects instants that are not whole epoch milliseconds', () => {
    expect(validateSchedule(oneShot({ startTime: NaN }))).toBe(
      'start_time must be a whole number of milliseconds since the epoch, got NaN',
    );
    expect(validateSchedule(oneShot({ endTime: 1.5 }))).toBe(
      'end_time must be a whole number of milliseconds since the epoch, got 1.5',
    );
    expect(validateSchedule(oneShot({ anchor: Infinity }))).toBe(
      'anchor must be a whole number of milliseconds since the epoch, got Infinity',
    );
    expect(validateSchedule(oneShot({ startTime: -1 }))).toBe(
      'start_time must be a whole number of milliseconds since the epoch, got -1',
    );
    expect(validateSchedule(oneShot({ endTime: 8.64e15 }))).toBe(
      'end_time must be a whole number of milliseconds since the epoch, got 8640000000000000',
    );
  });

  it('rejects end_time <= start_time, accepts 1 ms after', () => {
    const msg = 'end_time must be after start_time';
    expect(validateSchedule(loop({ startTime: T0, endTime: T0 }))).toBe(msg);
    expect(validateSchedule(loop({ startTime: T0, endTime: T0 - 1 }))).toBe(msg);
    expect(validateSchedule(oneShot({ startTime: T0, endTime: T0 }))).toBe(msg);
    expect(validateSchedule(loop({ startTime: T0, endTime: T0 + 1 }))).toBeUndefined();
  });

  it('rejects crontab on types 1 and 2', () => {
    expect(validateSchedule(oneShot({ crontab: '0 9 * * *' }))).toBe(
      'crontab is only for type 3 (crontab), not type 1 (one-shot)',
    );
    expect(validateSchedule(loop({ crontab: '' }))).toBe(
      'crontab is only for type 3 (crontab), not type 2 (loop)',
    );
  });

  it('rejects loop_time on types 1 and 3', () => {
    expect(validateSchedule(oneShot({ loopTime: 60 }))).toBe(
      'loop_time is only for type 2 (loop), not type 1 (one-shot)',
    );
    expect(validateSchedule(cron('0 9 * * *', { loopTime: 60 }))).toBe(
      'loop_time is only for type 2 (loop), not type 3 (crontab)',
    );
  });

  it('rejects loop_count on a one-shot', () => {
    expect(validateSchedule(oneShot({ loopCount: 1 }))).toBe(
      'loop_count is not allowed for type 1 (one-shot): it fires once',
    );
  });

  it.each([-1, 1.5, NaN])('rejects loop_count %p', (loopCount) => {
    expect(validateSchedule(loop({ loopCount }))).toBe(
      `loop_count must be an integer >= 0 (0 = unlimited), got ${loopCount}`,
    );
    expect(validateSchedule(cron('0 9 * * *', { loopCount }))).toBe(
      `loop_count must be an integer >= 0 (0 = unlimited), got ${loopCount}`,
    );
  });

  it('requires loop_time for a loop', () => {
    expect(validateSchedule(loop({ loopTime: undefined }))).toBe(
      'loop_time is required for type 2 (loop)',
    );
  });

  it.each([0, -1, 0.5, 1.5, NaN])('rejects loop_time %p', (loopTime) => {
    expect(validateSchedule(loop({ loopTime }))).toBe(
      `loop_time must be an integer number of seconds >= 1, got ${loopTime}`,
    );
  });

  it.each([undefined, '', '   '])('requires a crontab for type 3 (%p)', (crontab) => {
    expect(validateSchedule(cron(crontab))).toBe('crontab is required for type 3 (crontab)');
  });

  it.each([
    ['* * *', 3],
    ['* * * *', 4],
    ['0 0 0 * * * *', 7],
    ['@daily', 1],
  ])('rejects %p: wrong number of fields', (crontab, count) => {
    expect(validateSchedule(cron(crontab))).toBe(
      `crontab "${crontab}": expected 5 fields (minute hour day-of-month month day-of-week) ` +
        `or 6 with leading seconds, got ${count}`,
    );
  });

  it.each(['H * * * *', '0 H(0-5) * * *', '0 0 * * H', 'H/5 * * * * *'])(
    'rejects hashed values %p (cron-parser picks them at random)',
    (crontab) => {
      expect(validateSchedule(cron(crontab))).toBe(
        `crontab "${crontab}": H (hashed random value) is not supported`,
      );
    },
  );

  it.each([
    ['60 * * * *', 'Constraint error, got value 60 expected range 0-59'],
    ['0 24 * * *', 'Constraint error, got value 24 expected range 0-23'],
    ['0 0 0 * *', 'Constraint error, got value 0 expected range 1-31'],
    ['0 0 * 13 *', 'Constraint error, got value 13 expected range 1-12'],
    ['*/0 * * * *', 'Constraint error, cannot repeat at every 0 time.'],
    ['5-1 * * * *', 'Invalid range: 5-1, min(5) > max(1)'],
    ['0 0 15W * *', 'Invalid characters, got value: 15W'],
    ['0 0 * * 1#6', 'Constraint error, invalid dayOfWeek occurrence number (#)'],
    ['0 0 * * FOO', 'Validation error, cannot resolve alias "foo"'],
    ['x y z * *', 'Invalid characters, got value: x'],
  ])('rejects %p with the parser reason', (crontab, reason) => {
    expect(validateSchedule(cron(crontab))).toBe(`crontab "${crontab}": ${reason}`);
  });

  it.each(['0 0 30 2 *', '0 0 31 4,6,9,11 *', '0 0 30,31 2 *'])(
    'rejects %p: that day never exists in those months',
    (crontab) => {
      expect(validateSchedule(cron(crontab))).toBe(
        `crontab "${crontab}" never fires: none of its months has that day of month`,
      );
    },
  );

  it('rejects a crontab with no fire inside its window, edges inclusive', () => {
    const startTime = Date.UTC(2025, 2, 1);
    const leapDay = Date.UTC(2028, 1, 29);
    expect(validateSchedule(cron('0 0 29 2 *', { startTime, endTime: leapDay - 1 }))).toBe(
      'crontab "0 0 29 2 *" never fires between start_time and end_time',
    );
    expect(validateSchedule(cron('0 0 29 2 *', { startTime, endTime: leapDay }))).toBeUndefined();
    // The window starts at the anchor when there is no start_time.
    expect(
      validateSchedule(cron('0 0 29 2 *', { anchor: leapDay + 1, endTime: leapDay + 2 })),
    ).toBe('crontab "0 0 29 2 *" never fires between start_time and end_time');
  });

  it('rejects a crontab that never fires again (no later time exists)', () => {
    // Date ends in September 275760, so no 1 January comes after this anchor.
    const anchor = 8.64e15 - 3 * 24 * 3600_000;
    expect(validateSchedule(cron('0 0 1 1 *', { anchor }))).toBe('crontab "0 0 1 1 *" never fires');
    expect(validateSchedule(cron('0 0 1 1 *', { anchor, timezone: 'Pacific/Kiritimati' }))).toBe(
      'crontab "0 0 1 1 *" never fires',
    );
    expect(validateSchedule(cron('0 0 * * *', { anchor }))).toBeUndefined();
  });

  it('rejects an end_time before the first fire of a loop or one-shot', () => {
    expect(validateSchedule(loop({ endTime: T0 - 1 }))).toBe('end_time is before the first fire');
    expect(validateSchedule(oneShot({ endTime: T0 - 1 }))).toBe(
      'end_time is before the first fire',
    );
    expect(validateSchedule(loop({ endTime: T0 }))).toBeUndefined();
    expect(validateSchedule(oneShot({ endTime: T0 }))).toBeUndefined();
  });
});
