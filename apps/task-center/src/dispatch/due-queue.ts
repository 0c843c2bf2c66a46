/**
 * Loaded tasks ordered by due time: a binary min-heap with lazy deletion, so rescheduling
 * or removing a task is O(log n) without searching the heap.
 */
export class DueQueue {
  private readonly heap: { at: number; id: string }[] = [];
  private readonly due = new Map<string, number>();

  get size(): number {
    return this.due.size;
  }

  /** Schedules `id` at `at`, replacing any earlier entry of it. */
  set(id: string, at: number): void {
    this.due.set(id, at);
    this.push({ at, id });
  }

  delete(id: string): void {
    this.due.delete(id);
  }

  has(id: string): boolean {
    return this.due.has(id);
  }

  /** The earliest due time, or undefined when empty. */
  peek(): number | undefined {
    this.dropStale();
    return this.heap[0]?.at;
  }

  /** Removes and returns up to `max` ids due at or before `now`, earliest first. */
  popDue(now: number, max: number): string[] {
    const out: string[] = [];
    while (out.length < max) {
      this.dropStale();
      const top = this.heap[0];
      if (!top || top.at > now) break;
      this.pop();
      this.due.delete(top.id);
      out.push(top.id);
    }
    return out;
  }

  private dropStale(): void {
    for (let top = this.heap[0]; top && this.due.get(top.id) !== top.at; top = this.heap[0])
      this.pop();
  }

  private push(entry: { at: number; id: string }): void {
    const h = this.heap;
    h.push(entry);
    for (let i = h.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (h[parent]!.at <= h[i]!.at) break;
      [h[parent], h[i]] = [h[i]!, h[parent]!];
      i = parent;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    for (let i = 0; ;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < h.length && h[l]!.at < h[min]!.at) min = l;
      if (r < h.length && h[r]!.at < h[min]!.at) min = r;
      if (min === i) break;
      [h[min], h[i]] = [h[i]!, h[min]!];
      i = min;
    }
  }
}
