export interface DedupeWindowOptions {
  /** Most succeeded message ids remembered (oldest forgotten first). */
  maxEntries: number;
  /** How long a succeeded message id is remembered, ms. */
  ttlMs: number;
  now?: () => number;
}

/** What to do with a delivered fire, given the message ids seen before. */
export type DedupeClaim =
  /** First delivery (or the earlier run failed): run it, then call settle. */
  | { kind: 'run'; settle: (succeeded: boolean) => void }
  /** Another delivery of this id is running: wait, then claim again. */
  | { kind: 'wait'; settled: Promise<void> }
  /** Already succeeded in this process: commit without running. */
  | { kind: 'skip' };

/**
 * Remembers message ids that succeeded in this process, bounded in count and age, so a fire
 * delivered twice (see the dispatch guarantees) runs its handler once. Failed runs are
 * forgotten at once: their redelivery must run again.
 */
export class DedupeWindow {
  private readonly succeeded = new Map<string, number>();
  /** Ids being run, with the promise of those waiting for them (made when one waits). */
  private readonly running = new Map<
    string,
    { settled: Promise<void>; resolve: () => void } | null
  >();
  private readonly now: () => number;

  constructor(private readonly options: DedupeWindowOptions) {
    this.now = options.now ?? Date.now;
  }

  claim(messageId: string): DedupeClaim {
    this.evict();
    if (this.succeeded.has(messageId)) return { kind: 'skip' };
    if (this.running.has(messageId)) {
      let waiters = this.running.get(messageId);
      if (!waiters) {
        let resolve!: () => void;
        const settled = new Promise<void>((r) => (resolve = r));
        waiters = { settled, resolve };
        this.running.set(messageId, waiters);
      }
      return { kind: 'wait', settled: waiters.settled };
    }

    this.running.set(messageId, null);
    return {
      kind: 'run',
      settle: (succeeded) => {
        const waiters = this.running.get(messageId);
        this.running.delete(messageId);
        if (succeeded && this.options.maxEntries > 0) {
          this.succeeded.set(messageId, this.now());
          this.evict();
        }
        waiters?.resolve();
      },
    };
  }

  /** Succeeded ids remembered now. */
  get size(): number {
    return this.succeeded.size;
  }

  // Insertion order is success order, so the oldest entries are at the front.
  private evict(): void {
    const horizon = this.now() - this.options.ttlMs;
    for (const [id, at] of this.succeeded) {
      if (this.succeeded.size <= this.options.maxEntries && at > horizon) break;
      this.succeeded.delete(id);
    }
  }
}
