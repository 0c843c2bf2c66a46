import {
  chartDataOf,
  clockMinute,
  clockSecond,
  countAxis,
  exactTime,
  FIRE_SERIES,
  formatDuration,
  lastHeard,
  layoutChart,
  OUTCOME_SERIES,
  type OverviewPoint,
  plural,
  REFRESH_CHOICES,
  refreshMsOf,
  sortWorkers,
  tagRowsOf,
  tasksHrefOf,
  workerStateOf,
} from './overview-view';
import { parseRoute } from './routes';

const T0 = Date.UTC(2026, 10, 27, 13, 0); // 2026-11-27 13:00 UTC
const point = (minute: number, counts: Partial<OverviewPoint> = {}): OverviewPoint => ({
  at_ms: T0 + minute * 60_000,
  fires: 0,
  succeeded: 0,
  failed: 0,
  timeout: 0,
  dead: 0,
  ...counts,
});
const hour = (counts: Record<number, Partial<OverviewPoint>> = {}) =>
  Array.from({ length: 60 }, (_, m) => point(m, counts[m]));

describe('overview view', () => {
  describe('refresh choices', () => {
    it('offers off, 5 s and 30 s, 5 s by default and for anything unknown', () => {
      expect(REFRESH_CHOICES.map((c) => [c.label, c.ms])).toEqual([
        ['Off', null],
        ['5 s', 5_000],
        ['30 s', 30_000],
      ]);
      expect(refreshMsOf('off')).toBeNull();
      expect(refreshMsOf('30')).toBe(30_000);
      expect(refreshMsOf('')).toBe(5_000);
      expect(refreshMsOf('7')).toBe(5_000);
    });
  });

  describe('times', () => {
    it('shows clock times in the given zone, 24 h, and the exact instant with its zone', () => {
      const at = Date.UTC(2026, 10, 27, 14, 2, 5, 900);
      expect(clockMinute(at, 'UTC')).toBe('14:02');
      expect(clockSecond(at, 'UTC')).toBe('14:02:05');
      expect(clockMinute(at, 'Asia/Kolkata')).toBe('19:32');
      expect(clockMinute(Date.UTC(2026, 0, 1, 0, 0), 'UTC')).toBe('00:00');
      expect(exactTime(at, 'UTC')).toBe('2026-11-27 14:02:05 UTC');
      expect(exactTime(at, 'Europe/Berlin')).toBe('2026-11-27 15:02:05 CET');
    });

    it('says when a worker was last heard from in the largest whole unit', () => {
      const now = T0;
      expect(lastHeard(now, now)).toBe('just now');
      expect(lastHeard(now - 999, now)).toBe('just now');
      expect(lastHeard(now + 2_000, now)).toBe('just now'); // its clock is ahead of ours
      expect(lastHeard(now - 1_000, now)).toBe('1 s ago');
      expect(lastHeard(now - 12_400, now)).toBe('12 s ago');
      expect(lastHeard(now - 59_999, now)).toBe('59 s ago');
      expect(lastHeard(now - 60_000, now)).toBe('1 min ago');
      expect(lastHeard(now - 9 * 60_000 - 59_000, now)).toBe('9 min ago');
      expect(lastHeard(now - 2 * 3_600_000, now)).toBe('2 h ago');
      expect(lastHeard(now - 3 * 86_400_000, now)).toBe('3 d ago');
    });

    it('writes a lateness short, in the unit that reads best', () => {
      expect(formatDuration(null)).toBe('–');
      expect(formatDuration(0)).toBe('0 ms');
      expect(formatDuration(7)).toBe('7 ms');
      expect(formatDuration(999)).toBe('999 ms');
      expect(formatDuration(1_000)).toBe('1 s');
      expect(formatDuration(1_240)).toBe('1.2 s');
      expect(formatDuration(45_000)).toBe('45 s');
      expect(formatDuration(60_000)).toBe('1 min');
      expect(formatDuration(125_000)).toBe('2 min 5 s');
    });

    it('counts with a plural', () => {
      expect(plural(1, 'minute')).toBe('1 minute');
      expect(plural(60, 'minute')).toBe('60 minutes');
      expect(plural(0, 'tag')).toBe('0 tags');
      expect(plural(1200, 'fire')).toBe('1,200 fires');
    });
  });

  describe('workers', () => {
    it('names the state: stopping wins over alive, else alive or dead', () => {
      expect(workerStateOf({ alive: true, stopping: false })).toBe('alive');
      expect(workerStateOf({ alive: false, stopping: true })).toBe('stopping');
      expect(workerStateOf({ alive: false, stopping: false })).toBe('dead');
    });

    it('lists alive workers first, then stopping, then dead, the latest heard first', () => {
      const w = (id: string, alive: boolean, stopping: boolean, last_seen_ms: number) => ({
        id,
        alive,
        stopping,
        last_seen_ms,
      });
      const sorted = sortWorkers([
        w('dead-old', false, false, 1),
        w('alive-old', true, false, 5),
        w('stopping', false, true, 9),
        w('dead-new', false, false, 8),
        w('alive-new', true, false, 7),
      ]);
      expect(sorted.map((x) => x.id)).toEqual([
        'alive-new',
        'alive-old',
        'stopping',
        'dead-new',
        'dead-old',
      ]);
    });

    it('orders the per-tag table by tag, ids sorted', () => {
      expect(tagRowsOf({ 'b.x': ['w2', 'w1'], 'a.y': ['w3'] })).toEqual([
        { tag: 'a.y', ids: ['w3'] },
        { tag: 'b.x', ids: ['w1', 'w2'] },
      ]);
      expect(tagRowsOf({})).toEqual([]);
    });

    it('links a tag to the tasks of that name, for any name', () => {
      for (const name of ['ov.orphan', 'reports daily', 'a&b=c?#/x']) {
        const route = parseRoute(tasksHrefOf(name));
        expect(route.page === 'tasks' && route.query.get('name')).toBe(name);
      }
      expect(tasksHrefOf('ov.orphan')).toBe('#/tasks?name=ov.orphan');
    });
  });

  describe('chart data', () => {
    it('titles each bar with its minute and counts, the last one as the current minute', () => {
      const data = chartDataOf(
        'Outcomes per minute',
        hour({ 2: { succeeded: 3, failed: 1 }, 59: { dead: 2 } }),
        OUTCOME_SERIES,
        'UTC',
      );
      expect(data.bars).toHaveLength(60);
      expect(data.bars[2]).toEqual({
        atMs: T0 + 2 * 60_000,
        values: [3, 1, 0, 0],
        title: '13:02: 3 succeeded, 1 failed, 0 timeout, 0 dead',
        axisLabel: '13:02',
      });
      expect(data.bars[59]!.title).toBe(
        '13:59 (this minute, so far): 0 succeeded, 0 failed, 0 timeout, 2 dead',
      );
    });

    it('sums up the totals and the busiest minute in words', () => {
      const fires = chartDataOf(
        'Fires per minute',
        hour({ 5: { fires: 2 }, 7: { fires: 4 }, 9: { fires: 4 } }),
        FIRE_SERIES,
        'UTC',
      );
      expect(fires.summary).toBe(
        'Fires per minute, last 60 minutes: 10 fires in total; busiest minute 13:07 with 4.',
      );
      const outcomes = chartDataOf(
        'Outcomes per minute',
        hour({ 1: { succeeded: 3, timeout: 1 }, 3: { failed: 2, dead: 2 } }),
        OUTCOME_SERIES,
        'UTC',
      );
      expect(outcomes.summary).toBe(
        'Outcomes per minute, last 60 minutes: 3 succeeded, 2 failed, 1 timeout, 2 dead; ' +
          'busiest minute 13:01 with 4.',
      );
      expect(chartDataOf('Fires per minute', hour(), FIRE_SERIES, 'UTC').summary).toBe(
        'Fires per minute, last 60 minutes: 0 fires in total; nothing in any minute.',
      );
      expect(chartDataOf('Fires per minute', [point(0)], FIRE_SERIES, 'UTC').summary).toContain(
        'last 1 minute:',
      );
    });
  });

  describe('count axis', () => {
    it('steps by 1, 2 or 5 × 10ⁿ, whole numbers, at most four steps, top ≥ the largest', () => {
      expect(countAxis(0)).toEqual({ top: 1, ticks: [0, 1] });
      expect(countAxis(1)).toEqual({ top: 1, ticks: [0, 1] });
      expect(countAxis(3)).toEqual({ top: 3, ticks: [0, 1, 2, 3] });
      expect(countAxis(5)).toEqual({ top: 6, ticks: [0, 2, 4, 6] });
      expect(countAxis(17)).toEqual({ top: 20, ticks: [0, 5, 10, 15, 20] });
      expect(countAxis(1234)).toEqual({ top: 1500, ticks: [0, 500, 1000, 1500] });
    });

    it('holds for every maximum up to 100,000', () => {
      for (let max = 0; max <= 100_000; max += max < 300 ? 1 : 193) {
        const { top, ticks } = countAxis(max);
        expect(top).toBeGreaterThanOrEqual(max);
        expect(ticks.length - 1).toBeLessThanOrEqual(4);
        expect(ticks.at(-1)).toBe(top);
        const step = ticks[1]! - ticks[0]!;
        expect(Number.isInteger(step)).toBe(true);
        expect(String(step)).toMatch(/^[125]0*$/);
        // The top is the first multiple of the step at or above the largest count.
        expect(top - step).toBeLessThan(Math.max(max, 1));
      }
    });
  });

  describe('layout', () => {
    const box = { width: 634, height: 170 };
    const layoutOf = (counts: Record<number, Partial<OverviewPoint>>, series = OUTCOME_SERIES) =>
      layoutChart(chartDataOf('x', hour(counts), series, 'UTC'), box);

    it('puts the bars side by side across the plot, inside their slots', () => {
      const layout = layoutOf({});
      expect(layout.bars).toHaveLength(60);
      const { plot } = layout;
      expect(plot.x + plot.width).toBeLessThanOrEqual(box.width);
      expect(plot.y + plot.height).toBeLessThanOrEqual(box.height);
      layout.bars.forEach((bar, i) => {
        expect(bar.slot.x).toBeCloseTo(plot.x + (i * plot.width) / 60, 1);
        expect(bar.x).toBeGreaterThanOrEqual(bar.slot.x);
        expect(bar.x + bar.width).toBeLessThanOrEqual(bar.slot.x + bar.slot.width + 0.01);
        expect(bar.segments).toEqual([]);
      });
    });

    it('stacks the segments from the axis up, each as tall as its share of the top tick', () => {
      const layout = layoutOf({ 10: { succeeded: 2, failed: 1, dead: 1 }, 11: { succeeded: 3 } });
      const { plot } = layout;
      const floor = plot.y + plot.height;
      expect(layout.ticks.map((t) => t.value)).toEqual([0, 1, 2, 3, 4]);
      expect(layout.ticks[0]!.y).toBeCloseTo(floor, 2);
      expect(layout.ticks.at(-1)!.y).toBeCloseTo(plot.y, 2);
      const unit = plot.height / 4;
      const [succeeded, failed, dead] = layout.bars[10]!.segments;
      expect([succeeded!.series, failed!.series, dead!.series]).toEqual([0, 1, 3]);
      expect(succeeded!.height).toBeCloseTo(2 * unit, 1);
      expect(succeeded!.y).toBeCloseTo(floor - 2 * unit, 1);
      expect(failed!.y + failed!.height).toBeCloseTo(succeeded!.y, 1);
      expect(dead!.y).toBeCloseTo(plot.y, 1); // the whole stack (4) reaches the top tick
      expect(layout.bars[11]!.segments).toEqual([
        { series: 0, y: expect.closeTo(floor - 3 * unit, 1), height: expect.closeTo(3 * unit, 1) },
      ]);
    });

    it('keeps a small count visible on a tall axis', () => {
      const layout = layoutOf({ 0: { fires: 1 }, 1: { fires: 50_000 } }, FIRE_SERIES);
      expect(layout.bars[0]!.segments[0]!.height).toBe(1);
    });

    it('labels the time every 15 minutes back from now, the last one flush right', () => {
      const layout = layoutOf({});
      expect(layout.labels.map((l) => [l.text, l.anchor])).toEqual([
        ['13:14', 'middle'],
        ['13:29', 'middle'],
        ['13:44', 'middle'],
        ['13:59', 'end'],
      ]);
      expect(layout.labels.at(-1)!.x).toBeCloseTo(layout.plot.x + layout.plot.width, 2);
    });

    it('survives a box too small to draw in', () => {
      const layout = layoutChart(chartDataOf('x', hour({ 3: { fires: 2 } }), FIRE_SERIES), {
        width: 0,
        height: 0,
      });
      expect(layout.plot.width).toBeGreaterThan(0);
      expect(layout.plot.height).toBeGreaterThan(0);
    });
  });
});
