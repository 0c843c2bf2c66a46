import { TaskType } from '@task-center/contracts';
import { type ScheduleSpec } from './schedule';
import { firstFireAt, nextSlotAfter, previewFires } from './slots';

const T0 = Date.UTC(2025, 0, 1); // 2025-01-01T00:00:00Z
const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
const DAY = 24 * H;

const oneShot = (extra: Partial<ScheduleSpec> = {}): ScheduleSpec => ({
  type: TaskType.OneShot,
  timezone: 'UTC',
  anchor: T0,
  ...extra,
});
const loop = (loopTime: number, extra: Partial<ScheduleSpec> = {}): ScheduleSpec => ({
  type: TaskType.Loop,
  loopTime,
  timezone: 'UTC',
  anchor: T0,
  ...extra,
});
const cron = (crontab: string, extra: Partial<ScheduleSpec> = {}): ScheduleSpec => ({
  type: TaskType.Crontab,
  crontab,
  timezone: 'UTC',
  anchor: T0,
  ...extra,
});

describe('one-shot', () => {
  it('fires at start_time when it is in the future', () => {
    const spec = oneShot({ startTime: T0 + H, anchor: T0 + H });
    expect(firstFireAt(spec, T0)).toBe(T0 + H);
    expect(firstFireAt(spec, T0 + H - 1)).toBe(T0 + H);
  });

  it('fires now when start_time is now or past, or absent', () => {
    expect(firstFireAt(oneShot({ startTime: T0, anchor: T0 }), T0)).toBe(T0);
    expect(firstFireAt(oneShot({ startTime: T0 - H, anchor: T0 - H }), T0)).toBe(T0);
    expect(firstFireAt(oneShot(), T0 + 5)).toBe(T0 + 5);
  });

  it('respects end_time: fires at end_time exactly, never after it', () => {
    expect(firstFireAt(oneShot({ endTime: T0 + S }), T0 + S)).toBe(T0 + S);
    expect(firstFireAt(oneShot({ endTime: T0 + S }), T0 + S + 1)).toBeNull();
  });

  it('has no slot after its single one', () => {
    expect(nextSlotAfter(oneShot(), T0)).toBeNull();
    expect(nextSlotAfter(oneShot({ startTime: T0 + H, anchor: T0 + H }), T0)).toBeNull();
  });

  it('previews its single fire', () => {
    expect(previewFires(oneShot({ startTime: T0 + H, anchor: T0 + H }), T0, 5)).toEqual([T0 + H]);
    expect(previewFires(oneShot(), T0, 5)).toEqual([T0]);
    expect(previewFires(oneShot(), T0, 0)).toEqual([]);
    expect(previewFires(oneShot({ endTime: T0 - 1 }), T0, 5)).toEqual([]);
  });
});

describe('loop', () => {
  it('first fire is the anchor when it is now or later', () => {
    expect(firstFireAt(loop(60), T0)).toBe(T0);
    expect(firstFireAt(loop(60, { anchor: T0 + H, startTime: T0 + H }), T0)).toBe(T0 + H);
  });

  it('first fire of a past anchor is the first anchored slot >= now, edges exact', () => {
    const spec = loop(60, { startTime: T0, anchor: T0 });
    expect(firstFireAt(spec, T0 + 10 * MIN)).toBe(T0 + 10 * MIN); // exactly on a slot
    expect(firstFireAt(spec, T0 + 10 * MIN - 1)).toBe(T0 + 10 * MIN);
    expect(firstFireAt(spec, T0 + 10 * MIN + 1)).toBe(T0 + 11 * MIN);
  });

  it('never drifts: every slot is exactly anchor + k * loop_time', () => {
    const anchor = T0 + 123; // an anchor off the second grid stays off it
    const fires = previewFires(loop(7, { anchor }), anchor, 1000);
    expect(fires).toHaveLength(1000);
    fires.forEach((t, k) => expect(t).toBe(anchor + k * 7 * S));
  });

  it('the next slot after a late fire is still on the anchor grid', () => {
    const spec = loop(60);
    expect(nextSlotAfter(spec, T0)).toBe(T0 + MIN);
    expect(nextSlotAfter(spec, T0 + 59_999)).toBe(T0 + MIN);
    expect(nextSlotAfter(spec, T0 + MIN)).toBe(T0 + 2 * MIN);
    expect(nextSlotAfter(spec, T0 + MIN + 17_000)).toBe(T0 + 2 * MIN);
  });

  it('is O(1) far from the anchor: ten years of 1 s slots', () => {
    const spec = loop(1);
    const now = T0 + 3650 * DAY + 500;
    expect(firstFireAt(spec, now)).toBe(T0 + 3650 * DAY + S);
    expect(nextSlotAfter(spec, now)).toBe(T0 + 3650 * DAY + S);
  });

  it('end_time equal to a slot includes it; 1 ms earlier excludes it', () => {
    const lastSlot = T0 + 3 * MIN;
    expect(previewFires(loop(60, { endTime: lastSlot }), T0, 10)).toEqual([
      T0,
      T0 + MIN,
      T0 + 2 * MIN,
      T0 + 3 * MIN,
    ]);
    expect(nextSlotAfter(loop(60, { endTime: lastSlot }), T0 + 2 * MIN)).toBe(lastSlot);
    expect(nextSlotAfter(loop(60, { endTime: lastSlot }), lastSlot)).toBeNull();
    expect(nextSlotAfter(loop(60, { endTime: lastSlot - 1 }), T0 + 2 * MIN)).toBeNull();
    expect(previewFires(loop(60, { endTime: lastSlot - 1 }), T0, 10)).toHaveLength(3);
  });

  it('first fire is null when the window is over (the task is born completed)', () => {
    expect(firstFireAt(loop(60, { endTime: T0 + 2 * MIN }), T0 + 2 * MIN + 1)).toBeNull();
    expect(firstFireAt(loop(60, { endTime: T0 + 2 * MIN }), T0 + 2 * MIN)).toBe(T0 + 2 * MIN);
  });

  it('a start_time later than the anchor is honoured on the anchor grid', () => {
    expect(firstFireAt(loop(60, { startTime: T0 + 90 * S }), T0)).toBe(T0 + 2 * MIN);
    expect(firstFireAt(loop(60, { startTime: T0 + 2 * MIN }), T0)).toBe(T0 + 2 * MIN);
  });

  it('preview honours loop_count (0 = unlimited) and count', () => {
    expect(previewFires(loop(60, { loopCount: 3 }), T0, 10)).toEqual([T0, T0 + MIN, T0 + 2 * MIN]);
    expect(previewFires(loop(60, { loopCount: 3 }), T0, 2)).toEqual([T0, T0 + MIN]);
    expect(previewFires(loop(60, { loopCount: 0 }), T0, 5)).toHaveLength(5);
    expect(previewFires(loop(60), T0, 0)).toEqual([]);
  });

  it('preview starts at the first slot >= now', () => {
    expect(previewFires(loop(3600), T0 + 1, 2)).toEqual([T0 + H, T0 + 2 * H]);
  });
});

describe('crontab windows', () => {
  it('first fire is the first slot >= max(now, start_time)', () => {
    const spec = cron('0 * * * *', { startTime: T0 + 5 * H, anchor: T0 + 5 * H });
    expect(firstFireAt(spec, T0)).toBe(T0 + 5 * H); // start_time on a slot: inclusive
    expect(firstFireAt(spec, T0 + 6 * H + 1)).toBe(T0 + 7 * H); // now later than start
    const offSlot = cron('0 * * * *', { startTime: T0 + 5 * H + 1, anchor: T0 + 5 * H + 1 });
    expect(firstFireAt(offSlot, T0)).toBe(T0 + 6 * H);
  });

  it('end_time equal to a slot includes it; 1 ms earlier excludes it', () => {
    const spec = cron('0 * * * *', { endTime: T0 + 2 * H });
    expect(previewFires(spec, T0, 10)).toEqual([T0, T0 + H, T0 + 2 * H]);
    expect(nextSlotAfter(spec, T0 + H)).toBe(T0 + 2 * H);
    expect(nextSlotAfter(spec, T0 + 2 * H)).toBeNull();
    const earlier = cron('0 * * * *', { endTime: T0 + 2 * H - 1 });
    expect(previewFires(earlier, T0, 10)).toEqual([T0, T0 + H]);
    expect(nextSlotAfter(earlier, T0 + H)).toBeNull();
    expect(firstFireAt(earlier, T0 + H + 1)).toBeNull();
  });

  it('preview honours loop_count', () => {
    expect(previewFires(cron('0 0 * * *', { loopCount: 2 }), T0, 10)).toEqual([T0, T0 + DAY]);
  });

  it('preview of 1000 per-second fires is contiguous', () => {
    const fires = previewFires(cron('* * * * * *'), T0 + 1, 1000);
    expect(fires[0]).toBe(T0 + S);
    expect(fires).toHaveLength(1000);
    fires.forEach((t, i) => expect(t).toBe(T0 + (i + 1) * S));
  });
});
