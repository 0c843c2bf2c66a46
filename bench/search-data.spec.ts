import { CronRule } from '../apps/task-center/src/scheduling/cron';
import { percentile, searchCases, seedTaskDoc, statusOf, typeOf } from './search-data';

const NOW = Date.UTC(2026, 10, 27, 12, 0, 0);
const N = 20_000;
const docs = Array.from({ length: N }, (_, i) => seedTaskDoc(i, N, NOW, 16));

describe('seedTaskDoc', () => {
  it('is the same task for the same i (but for its id and what hangs on it)', () => {
    const again = seedTaskDoc(7, N, NOW, 16);
    const fixed = (d: typeof again) => ({ ...d, _id: 0, shard: 0, due_slot: 0, uniq_key: 0 });
    expect(fixed(again)).toEqual(fixed(docs[7]!));
    expect(again._id.getTimestamp().getTime()).toBe(Math.floor(docs[7]!.created_at / 1000) * 1000);
  });

  it('mixes statuses and types in the stated shares', () => {
    const share = (pred: (i: number) => boolean) =>
      docs.filter((_, i) => pred(i)).length / docs.length;
    expect(share((i) => statusOf(i) === 'active')).toBeCloseTo(0.65, 1);
    expect(share((i) => statusOf(i) === 'deleted')).toBeCloseTo(0.08, 1);
    expect(share((i) => typeOf(i) === 1)).toBeCloseTo(0.5, 1);
    expect(new Set(docs.map((d) => d.name)).size).toBeGreaterThan(5000);
  });

  it('stores each status as the app leaves it', () => {
    for (const d of docs) {
      expect(d.created_at).toBeLessThan(NOW);
      if (d.status === 'active') {
        expect(d.next_run_at).toBeGreaterThanOrEqual(NOW + 7 * 86_400_000);
        expect(d.due_at).toBe(d.next_run_at);
        expect(d.due_slot).toMatch(/^\d+:\d+$/);
      }
      if (d.status === 'paused') expect([d.due_at, d.due_slot]).toEqual([null, null]);
      if (d.status === 'completed') expect([d.next_run_at, d.due_at]).toEqual([null, null]);
      if (d.status === 'deleted') {
        expect(d.uniq_key).toBe(`id:${d._id.toHexString()}`);
        expect(d.deleted_at).not.toBeNull();
      }
      if (d.key !== undefined && d.status !== 'deleted') expect(d.uniq_key).toBe(`k:${d.key}`);
    }
  });

  it('gives a live crontab task the next run its crontab computes', () => {
    const cron = docs.filter((d) => d.crontab !== undefined && d.status === 'active').slice(0, 200);
    for (const d of cron) {
      expect(CronRule.compile(d.crontab!, 'UTC').after(NOW, Infinity)).toBe(d.next_run_at);
    }
  });
});

describe('searchCases', () => {
  it('asks for a key and a name that exist', () => {
    const cases = searchCases(NOW, N);
    const key = cases.find((c) => c.label === 'key')!.query.key;
    const name = cases.find((c) => c.label === 'name')!.query.name;
    expect(docs.some((d) => d.key === key && d.status !== 'deleted')).toBe(true);
    expect(docs.some((d) => d.name === name)).toBe(true);
  });
});

describe('percentile', () => {
  it('takes the nearest rank', () => {
    const sorted = Array.from({ length: 50 }, (_, i) => i + 1);
    expect([percentile(sorted, 50), percentile(sorted, 95), percentile(sorted, 100)]).toEqual([
      25, 48, 50,
    ]);
  });
});
