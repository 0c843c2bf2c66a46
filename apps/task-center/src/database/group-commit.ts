/** How a GroupCommit batches. */
export interface GroupCommitOptions {
  /** Most items in one batch. */
  maxBatch: number;
  /** Batches written at the same time; items arriving meanwhile wait for the next one. */
  maxInFlight: number;
}

interface Waiting<T, R> {
  item: T;
  resolve: (value: R) => void;
  reject: (reason: unknown) => void;
}

/**
 * Group commit: single writes coalesced into batch writes. A write goes out at once while
 * fewer than `maxInFlight` batches are being written; otherwise it waits, and every write that
 * waited goes out together in the next batch (up to `maxBatch`) when one finishes. Alone, a
 * write costs one round trip as before; under concurrent load one round trip carries many.
 *
 * `write` answers per item, in order: the item's result, or the Error that item alone gets
 * (a taken key). A rejected `write` rejects every item of its batch.
 */
export class GroupCommit<T, R> {
  private readonly waiting: Waiting<T, R>[] = [];
  private inFlight = 0;

  constructor(
    private readonly write: (items: T[]) => Promise<(R | Error)[]>,
    private readonly options: GroupCommitOptions,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.options.maxInFlight && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.options.maxBatch);
      this.inFlight++;
      void this.flush(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async flush(batch: Waiting<T, R>[]): Promise<void> {
    let results: (R | Error)[];
    try {
      results = await this.write(batch.map((w) => w.item));
    } catch (err) {
      for (const w of batch) w.reject(err);
      return;
    }
    batch.forEach((w, i) => {
      const result = results[i];
      if (result instanceof Error) w.reject(result);
      else if (i < results.length) w.resolve(result as R);
      else
        w.reject(
          new Error(
            `group commit: the batch write answered ${results.length} of ${batch.length} items`,
          ),
        );
    });
  }
}
