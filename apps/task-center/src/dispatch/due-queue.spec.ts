import { DueQueue } from './due-queue';

describe('DueQueue', () => {
  it('pops due ids earliest first, leaving later ones', () => {
    const q = new DueQueue();
    q.set('c', 30);
    q.set('a', 10);
    q.set('b', 20);
    q.set('d', 40);
    expect(q.peek()).toBe(10);
    expect(q.popDue(30, 10)).toEqual(['a', 'b', 'c']);
    expect(q.size).toBe(1);
    expect(q.peek()).toBe(40);
  });

  it('honours the batch limit', () => {
    const q = new DueQueue();
    for (let i = 0; i < 5; i++) q.set(`t${i}`, i);
    expect(q.popDue(100, 2)).toEqual(['t0', 't1']);
    expect(q.popDue(100, 10)).toEqual(['t2', 't3', 't4']);
  });

  it('reschedules and deletes without leaving ghosts', () => {
    const q = new DueQueue();
    q.set('a', 10);
    q.set('b', 20);
    q.set('a', 50);
    q.delete('b');
    expect(q.peek()).toBe(50);
    expect(q.popDue(49, 10)).toEqual([]);
    expect(q.popDue(50, 10)).toEqual(['a']);
    expect(q.size).toBe(0);
    expect(q.peek()).toBeUndefined();
  });

  it('orders 10,000 random entries', () => {
    const q = new DueQueue();
    const ats = Array.from({ length: 10_000 }, (_, i) => ({
      id: `t${i}`,
      at: Math.floor(Math.random() * 1e6),
    }));
    for (const { id, at } of ats) q.set(id, at);
    const popped = q.popDue(Infinity, 20_000);
    const byId = new Map(ats.map((e) => [e.id, e.at]));
    const times = popped.map((id) => byId.get(id)!);
    expect(popped).toHaveLength(10_000);
    expect(times).toEqual([...times].sort((x, y) => x - y));
  });
});
