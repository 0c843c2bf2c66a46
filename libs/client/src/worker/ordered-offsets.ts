/**
 * Offsets of one partition, in fetch order, some finished out of order. The committable
 * position is after the highest offset whose predecessors have all finished: committing
 * past an unfinished message would lose it if the worker died.
 */
export class OrderedOffsets {
  private readonly pending: string[] = [];
  private readonly finished = new Set<string>();

  /** Call in the order the messages were fetched. */
  track(offset: string): void {
    this.pending.push(offset);
  }

  /**
   * Marks `offset` finished. Returns the highest offset now finished with everything before
   * it (commit that + 1), or undefined when the contiguous prefix did not grow.
   */
  finish(offset: string): string | undefined {
    if (!this.pending.includes(offset)) throw new Error(`offset ${offset} is not tracked`);
    this.finished.add(offset);
    let last: string | undefined;
    while (this.pending.length > 0 && this.finished.has(this.pending[0]!)) {
      last = this.pending.shift()!;
      this.finished.delete(last);
    }
    return last;
  }

  /** Messages started but not yet committable. */
  get size(): number {
    return this.pending.length;
  }
}

/** Kafka commits the offset of the next message to read. */
export const nextOffset = (offset: string): string => (BigInt(offset) + 1n).toString();
