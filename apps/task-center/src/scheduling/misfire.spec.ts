import { TaskType } from '@task-center/contracts';
import { type PlanOptions, planDue } from './misfire';
import { type MisfirePolicy, type ScheduleSpec } from './schedule';
import { previewFires } from './slots';

const T0 = Date.UTC(2025, 0, 1); // 2025-01-01T00:00:00Z
const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
const DAY = 24 * H;

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
const opts = (policy: MisfirePolicy, extra: Partial<PlanOptions> = {}): PlanOptions => ({
  policy,
  misfireThresholdMs: 5 * S,
  maxCatchUp: 100,
  ...extra,
});
const POLICIES: MisfirePolicy[] = ['fire_once', 'skip', 'fire_all'];

/** Slots of a 1-minute loop from T0: slot(k) = T0 + k minutes. */
const slot = (k: number) => T0 + k * MIN;
const minutely = loop(60);

describe('planDue: on time', () => {
  it.each(POLICIES)('%s: not yet due plans nothing and keeps nextRunAt', (policy) => {
    expect(
      planDue(minutely, { nextRunAt: slot(1), runCount: 0 }, slot(1) - 1, opts(policy)),
    ).toEqual({ fires: [], nextRunAt: slot(1) });
  });

  it.each(POLICIES)('%s: fires a slot due exactly now', (policy) => {
    expect(planDue(minutely, { nextRunAt: slot(1), runCount: 0 }, slot(1), opts(policy))).toEqual({
      fires: [slot(1)],
      nextRunAt: slot(2),
    });
  });

  it.each(POLICIES)('%s: a slot exactly misfireThresholdMs late is still on time', (policy) => {
    const now = slot(1) + 5 * S;
    expect(planDue(minutely, { nextRunAt: slot(1), runCount: 0 }, now, opts(policy))).toEqual({
      fires: [slot(1)],
      nextRunAt: slot(2),
    });
  });

  it('threshold 0: only a slot at exactly now is on time', () => {
    const zero = { misfireThresholdMs: 0 };
    expect(
      planDue(minutely, { nextRunAt: slot(1), runCount: 0 }, slot(1), opts('skip', zero)),
    ).toEqual({ fires: [slot(1)], nextRunAt: slot(2) });
    expect(
      planDue(minutely, { nextRunAt: slot(1), runCount: 0 }, slot(1) + 1, opts('skip', zero)),
    ).toEqual({ fires: [], nextRunAt: slot(2) });
  });
});

describe('planDue: missed slots', () => {
  const state = { nextRunAt: slot(0), runCount: 0 };

  it('1 ms past the threshold the slot is missed', () => {
    const now = slot(0) + 5 * S + 1;
    expect(planDue(minutely, state, now, opts('skip'))).toEqual({ fires: [], nextRunAt: slot(1) });
    expect(planDue(minutely, state, now, opts('fire_once'))).toEqual({
      fires: [slot(0)],
      nextRunAt: slot(1),
    });
    expect(planDue(minutely, state, now, opts('fire_all'))).toEqual({
      fires: [slot(0)],
      nextRunAt: slot(1),
    });
  });

  // Down from slot 0 to 3 s after slot 10: slots 0-9 missed, slot 10 on time.
  const now = slot(10) + 3 * S;

  it('skip fires only the on-time slot', () => {
    expect(planDue(minutely, state, now, opts('skip'))).toEqual({
      fires: [slot(10)],
      nextRunAt: slot(11),
    });
  });

  it('fire_once fires the earliest missed slot for the whole run, plus the on-time one', () => {
    expect(planDue(minutely, state, now, opts('fire_once'))).toEqual({
      fires: [slot(0), slot(10)],
      nextRunAt: slot(11),
    });
  });

  it('fire_all fires every missed slot, earliest first, plus the on-time one', () => {
    expect(planDue(minutely, state, now, opts('fire_all'))).toEqual({
      fires: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(slot),
      nextRunAt: slot(11),
    });
  });

  it('fire_all fires at most maxCatchUp missed slots; on-time slots still fire', () => {
    expect(planDue(minutely, state, now, opts('fire_all', { maxCatchUp: 3 }))).toEqual({
      fires: [slot(0), slot(1), slot(2), slot(10)],
      nextRunAt: slot(11),
    });
    expect(planDue(minutely, state, now, opts('fire_all', { maxCatchUp: 0 }))).toEqual({
      fires: [slot(10)],
      nextRunAt: slot(11),
    });
  });

  it('several on-time slots within a wide threshold all fire, whatever the policy', () => {
    // Threshold 3 min at slot 10 + 3 s: slots 8-10 are on time, 0-7 missed.
    const wide = { misfireThresholdMs: 3 * MIN };
    expect(planDue(minutely, state, now, opts('skip', wide)).fires).toEqual([8, 9, 10].map(slot));
    expect(planDue(minutely, state, now, opts('fire_once', wide)).fires).toEqual(
      [0, 8, 9, 10].map(slot),
    );
    expect(
      planDue(minutely, state, now, opts('fire_all', { ...wide, maxCatchUp: 2 })).fires,
    ).toEqual([0, 1, 8, 9, 10].map(slot));
  });

  it('fire_once is stable: a later re-plan of the same state picks the same slot', () => {
    const early = planDue(minutely, state, slot(10) + 3 * S, opts('fire_once'));
    const late = planDue(minutely, state, slot(500) + 30 * S, opts('fire_once'));
    expect(early.fires[0]).toBe(slot(0));
    expect(late.fires).toEqual([slot(0)]);
    expect(late.nextRunAt).toBe(slot(501));
  });

  it('fire_all is stable: a later re-plan starts with the same slots', () => {
    const early = planDue(minutely, state, slot(10) + 3 * S, opts('fire_all', { maxCatchUp: 5 }));
    const late = planDue(minutely, state, slot(90), opts('fire_all', { maxCatchUp: 5 }));
    expect(late.fires.slice(0, 5)).toEqual(early.fires.slice(0, 5));
  });
});

describe('planDue: loop_count', () => {
  const now = slot(10) + 3 * S; // slots 0-9 missed, 10 on time

  it('never fires more than loop_count - run_count; completes when reached', () => {
    const spec = loop(60, { loopCount: 5 });
    expect(planDue(spec, { nextRunAt: slot(0), runCount: 2 }, now, opts('fire_all'))).toEqual({
      fires: [slot(0), slot(1), slot(2)],
      nextRunAt: null,
    });
    expect(planDue(spec, { nextRunAt: slot(0), runCount: 4 }, now, opts('fire_once'))).toEqual({
      fires: [slot(0)],
      nextRunAt: null,
    });
    expect(planDue(spec, { nextRunAt: slot(0), runCount: 3 }, now, opts('fire_once'))).toEqual({
      fires: [slot(0), slot(10)],
      nextRunAt: null,
    });
    expect(planDue(spec, { nextRunAt: slot(0), runCount: 4 }, now, opts('skip'))).toEqual({
      fires: [slot(10)],
      nextRunAt: null,
    });
  });

  it('reaching the count exactly on time completes the task', () => {
    const spec = loop(60, { loopCount: 3 });
    expect(planDue(spec, { nextRunAt: slot(2), runCount: 2 }, slot(2), opts('skip'))).toEqual({
      fires: [slot(2)],
      nextRunAt: null,
    });
  });

  it('count not reached: continues at the first slot after now', () => {
    const spec = loop(60, { loopCount: 50 });
    expect(planDue(spec, { nextRunAt: slot(0), runCount: 2 }, now, opts('fire_all'))).toEqual({
      fires: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(slot),
      nextRunAt: slot(11),
    });
  });

  it('skipped slots do not count: the task goes on', () => {
    const spec = loop(60, { loopCount: 5 });
    expect(
      planDue(spec, { nextRunAt: slot(0), runCount: 4 }, slot(9) + 30 * S, opts('skip')),
    ).toEqual({
      fires: [],
      nextRunAt: slot(10),
    });
  });

  it('an exhausted count plans nothing and completes', () => {
    const spec = loop(60, { loopCount: 5 });
    expect(planDue(spec, { nextRunAt: slot(0), runCount: 5 }, now, opts('fire_all'))).toEqual({
      fires: [],
      nextRunAt: null,
    });
  });
});

describe('planDue: end_time', () => {
  const now = slot(10) + 3 * S;

  it('no slot after end_time fires, and the task completes', () => {
    const spec = loop(60, { endTime: slot(5) });
    expect(planDue(spec, { nextRunAt: slot(0), runCount: 0 }, now, opts('fire_all'))).toEqual({
      fires: [0, 1, 2, 3, 4, 5].map(slot),
      nextRunAt: null,
    });
    expect(planDue(spec, { nextRunAt: slot(0), runCount: 0 }, now, opts('skip'))).toEqual({
      fires: [],
      nextRunAt: null,
    });
    expect(planDue(spec, { nextRunAt: slot(0), runCount: 0 }, now, opts('fire_once'))).toEqual({
      fires: [slot(0)],
      nextRunAt: null,
    });
  });

  it('end_time exactly on the on-time slot: fires it, then completes', () => {
    const spec = loop(60, { endTime: slot(10) });
    expect(planDue(spec, { nextRunAt: slot(10), runCount: 0 }, now, opts('skip'))).toEqual({
      fires: [slot(10)],
      nextRunAt: null,
    });
  });

  it('end_time 1 ms before the next slot completes the task', () => {
    const spec = loop(60, { endTime: slot(11) - 1 });
    expect(planDue(spec, { nextRunAt: slot(10), runCount: 0 }, now, opts('skip'))).toEqual({
      fires: [slot(10)],
      nextRunAt: null,
    });
  });
});

describe('planDue: one-shot', () => {
  const spec: ScheduleSpec = { type: TaskType.OneShot, timezone: 'UTC', anchor: T0 };

  it.each(POLICIES)('%s: fires its single slot however late, then completes', (policy) => {
    expect(planDue(spec, { nextRunAt: T0, runCount: 0 }, T0 + 30 * DAY, opts(policy))).toEqual({
      fires: [T0],
      nextRunAt: null,
    });
    expect(planDue(spec, { nextRunAt: T0, runCount: 0 }, T0, opts(policy))).toEqual({
      fires: [T0],
      nextRunAt: null,
    });
  });

  it('does not fire twice, nor early', () => {
    expect(planDue(spec, { nextRunAt: T0, runCount: 1 }, T0 + S, opts('fire_all'))).toEqual({
      fires: [],
      nextRunAt: null,
    });
    expect(planDue(spec, { nextRunAt: T0 + H, runCount: 0 }, T0, opts('fire_all'))).toEqual({
      fires: [],
      nextRunAt: T0 + H,
    });
  });
});

describe('planDue: long downtime costs O(fires), not O(downtime)', () => {
  const now = T0 + 30 * DAY + 500; // between two 1-second slots

  it('1 s loop, 30 days down, fire_all capped at 100: 100 fires, then the first slot > now', () => {
    const plan = planDue(
      loop(1),
      { nextRunAt: T0, runCount: 0 },
      now,
      opts('fire_all', { misfireThresholdMs: 0 }),
    );
    expect(plan.fires).toHaveLength(100);
    plan.fires.forEach((t, k) => expect(t).toBe(T0 + k * S));
    expect(plan.nextRunAt).toBe(T0 + 30 * DAY + S);
  });

  it('same with a 5 s threshold: the last 5 on-time slots fire too', () => {
    const plan = planDue(loop(1), { nextRunAt: T0, runCount: 0 }, now, opts('fire_all'));
    expect(plan.fires).toHaveLength(105);
    expect(plan.fires.slice(100)).toEqual([4, 3, 2, 1, 0].map((k) => T0 + 30 * DAY - k * S));
    expect(plan.nextRunAt).toBe(T0 + 30 * DAY + S);
  });

  it.each(POLICIES)('every-second crontab, 30 days down, %s', (policy) => {
    const plan = planDue(cron('* * * * * *'), { nextRunAt: T0, runCount: 0 }, now, opts(policy));
    const onTime = [4, 3, 2, 1, 0].map((k) => T0 + 30 * DAY - k * S);
    const missed = { fire_all: 100, fire_once: 1, skip: 0 }[policy];
    expect(plan.fires).toHaveLength(missed + 5);
    expect(plan.fires.slice(missed)).toEqual(onTime);
    expect(plan.nextRunAt).toBe(T0 + 30 * DAY + S);
  });

  it('hourly crontab in New York across both DST changes of 2025, fire_once', () => {
    const spec = cron('0 * * * *', { timezone: 'America/New_York' });
    const state = { nextRunAt: Date.parse('2025-01-01T00:00:00-05:00'), runCount: 0 };
    const plan = planDue(spec, state, Date.parse('2025-12-01T12:30:00-05:00'), opts('fire_once'));
    expect(plan).toEqual({
      fires: [state.nextRunAt],
      nextRunAt: Date.parse('2025-12-01T13:00:00-05:00'),
    });
  });
});

// Reference: enumerate every slot the slow way and apply the rules literally.
function reference(
  spec: ScheduleSpec,
  nextRunAt: number,
  runCount: number,
  now: number,
  o: PlanOptions,
) {
  // Every slot in [nextRunAt, now], ignoring loop_count (the plan applies it to fires).
  const end = Math.min(now, spec.endTime ?? now);
  const due = previewFires({ ...spec, loopCount: 0, endTime: end }, nextRunAt, 1000);
  const missed = due.filter((t) => now - t > o.misfireThresholdMs);
  const onTime = due.filter((t) => now - t <= o.misfireThresholdMs);
  const picked =
    o.policy === 'fire_all'
      ? missed.slice(0, o.maxCatchUp)
      : o.policy === 'fire_once'
        ? missed.slice(0, 1)
        : [];
  const remaining = spec.loopCount ? spec.loopCount - runCount : Infinity;
  const fires = [...picked, ...onTime].slice(0, Math.max(0, remaining));
  const after = previewFires(spec, now + 1, 1)[0] ?? null;
  return { fires, nextRunAt: fires.length >= remaining ? null : after };
}

describe('planDue matches a brute-force reference', () => {
  const specs: [string, ScheduleSpec][] = [
    ['loop 7 s', loop(7, { anchor: T0 + 3 * S })],
    ['loop 60 s, count 20', loop(60, { loopCount: 20 })],
    ['loop 30 s, end', loop(30, { endTime: T0 + 20 * MIN })],
    ['cron */2 min', cron('*/2 * * * *')],
    ['cron secondly, count 30', cron('*/5 * * * * *', { loopCount: 30 })],
    [
      'cron NY fall-back hourly',
      cron('*/20 * * * *', {
        timezone: 'America/New_York',
        anchor: Date.parse('2025-11-02T00:00:00-04:00'),
      }),
    ],
    [
      'cron NY fall-back 01:xx',
      cron('*/10 1 * * *', {
        timezone: 'America/New_York',
        anchor: Date.parse('2025-11-02T00:00:00-04:00'),
      }),
    ],
  ];
  it.each(specs)('%s', (_name, spec) => {
    const base = spec.anchor;
    let checked = 0;
    for (const policy of POLICIES) {
      for (const threshold of [0, 5 * S, 90 * S]) {
        for (const maxCatchUp of [0, 1, 4, 100]) {
          for (const runCount of [0, 10, 19]) {
            const first = previewFires(spec, base, 1)[0]!;
            for (const downtime of [0, 1, 999, 61 * S, 7 * MIN + 1, 40 * MIN]) {
              const now = first + downtime;
              const o = { policy, misfireThresholdMs: threshold, maxCatchUp };
              const expected = reference(spec, first, runCount, now, o);
              const got = planDue(spec, { nextRunAt: first, runCount }, now, o);
              expect({ policy, threshold, maxCatchUp, runCount, downtime, ...got }).toEqual({
                policy,
                threshold,
                maxCatchUp,
                runCount,
                downtime,
                ...expected,
              });
              for (let i = 1; i < got.fires.length; i++)
                expect(got.fires[i]!).toBeGreaterThan(got.fires[i - 1]!);
              for (const t of got.fires) expect(t).toBeLessThanOrEqual(now);
              checked++;
            }
          }
        }
      }
    }
    expect(checked).toBe(648);
  });
});
