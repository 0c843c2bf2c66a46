import { checkMisfire, type MisfirePolicy } from './misfire-check';

const T0 = 1_800_000_000_000;
const S = { thresholdMs: 5000, maxCatchUp: 100, slackMs: 1500 };
/** 1 s slots 0..39; Kafka down for slots 10..29, back at slot 30 (+ 200 ms). */
const slots = Array.from({ length: 40 }, (_, i) => T0 + i * 1000);
const BACK = T0 + 30_200;

/** Slots published on time, and what the recovery published (at BACK). */
function fires(atRecovery: number[]) {
  const published = new Map<number, number>();
  for (let i = 0; i < 10; i++) published.set(T0 + i * 1000, T0 + i * 1000 + 3);
  for (const i of atRecovery) published.set(T0 + i * 1000, BACK);
  for (let i = 31; i < 40; i++) published.set(T0 + i * 1000, T0 + i * 1000 + 3);
  return published;
}
const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, k) => from + k);
const check = (policy: MisfirePolicy, atRecovery: number[], oneShot = false) =>
  checkMisfire({ policy, oneShot, slots, published: fires(atRecovery) }, S);

describe('checkMisfire after an outage', () => {
  // At BACK the cutoff is slot 25.2: slots 26..30 are within the threshold and always fire.
  it('fire_all: every missed slot fired passes; one left out fails', () => {
    expect(check('fire_all', range(10, 30)).problems).toEqual([]);
    expect(check('fire_all', [...range(10, 14), ...range(16, 30)]).problems).toEqual([
      'fire_all: 1 missed slots not caught up',
    ]);
  });

  it('fire_once: the earliest missed slot and the recent ones pass; no catch-up fails', () => {
    expect(check('fire_once', [10, ...range(26, 30)]).problems).toEqual([]);
    expect(check('fire_once', range(26, 30)).problems).toHaveLength(1);
    // slot 10 skipped, 12 caught up: the gap from slot 10 follows no catch-up fire
    expect(check('fire_once', [12, ...range(26, 30)]).problems).toHaveLength(1);
  });

  it('fire_once: two catch-up fires in one publish fail', () => {
    expect(check('fire_once', [10, 11, ...range(26, 30)]).problems).toEqual([
      'fire_once: 2 catch-up fires in one publish',
    ]);
  });

  it('skip: only the recent slots pass; a missed slot fired fails', () => {
    expect(check('skip', range(26, 30))).toMatchObject({ problems: [], missing: 16, late: 0 });
    expect(check('skip', [10, ...range(26, 30)]).problems).toHaveLength(1);
  });

  it('fails a slot within the threshold that never fired', () => {
    expect(check('skip', range(28, 30)).problems[0]).toMatch(/was not missed/);
  });

  it('a one-shot must fire, whatever the policy', () => {
    const one = { policy: 'skip' as const, oneShot: true, slots: [T0 + 15_000] };
    expect(checkMisfire({ ...one, published: new Map([[T0 + 15_000, BACK]]) }, S).problems).toEqual(
      [],
    );
    expect(checkMisfire({ ...one, published: new Map() }, S).problems).toHaveLength(1);
  });

  it('counts only the slots up to `until`, and looks past it for the fire that followed', () => {
    const published = fires(range(26, 30));
    published.delete(T0 + 39_000);
    const v = checkMisfire(
      { policy: 'skip', oneShot: false, slots, published, until: T0 + 35_000 },
      S,
    );
    expect(v).toMatchObject({ expected: 36, missing: 16, problems: [] });
  });

  it('fails fires for slots the schedule does not have', () => {
    const published = fires(range(10, 30));
    published.set(T0 + 500, T0 + 510);
    expect(
      checkMisfire({ policy: 'fire_all', oneShot: false, slots, published }, S).unexpected,
    ).toBe(1);
  });
});
