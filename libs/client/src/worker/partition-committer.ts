import { type EachBatchPayload } from 'kafkajs';
import { nextOffset } from './ordered-offsets';
import { type WorkerLogger } from './worker-logger';

/** Where one partition's commits go. */
export interface CommitTarget {
  topic: string;
  partition: number;
  /** kafkajs' `commitOffsetsIfNecessary`, always called with explicit offsets. */
  commit: EachBatchPayload['commitOffsetsIfNecessary'];
  /**
   * Called with each requested offset before it is committed (batch mode: moves kafkajs' fetch
   * position; resolved offsets are never auto-committed with autoCommit off). Pipelined mode
   * leaves it out: it resolves each message when it starts, ahead of the finished prefix.
   */
  resolve?: (offset: string) => void;
}

/** Commits one partition's finished prefix, one request at a time, coalescing to the newest. */
export class PartitionCommitter {
  private wanted: string | undefined;
  private committed: string | undefined;
  private running: Promise<void> | undefined;
  private closed = false;
  private warned = false;

  constructor(
    private readonly target: CommitTarget,
    private readonly logger: WorkerLogger,
  ) {}

  /** `offset` and everything before it are finished. */
  request(offset: string): void {
    if (this.closed) return;
    this.wanted = offset;
    this.target.resolve?.(offset);
    this.running ??= this.drain().finally(() => (this.running = undefined));
  }

  /** Waits for the last requested commit (one retry if it failed). */
  async flush(): Promise<void> {
    await this.running;
    if (this.wanted !== this.committed) await this.drain();
  }

  /** Late finishes must not commit on a generation we may have left: request() does nothing. */
  close(): void {
    this.closed = true;
  }

  private async drain(): Promise<void> {
    while (this.wanted !== undefined && this.wanted !== this.committed) {
      const offset = this.wanted;
      const { topic, partition } = this.target;
      try {
        await this.target.commit({
          topics: [{ topic, partitions: [{ partition, offset: nextOffset(offset) }] }],
        });
        this.committed = offset;
      } catch (err) {
        // Kafka will redeliver from the last commit; the dedupe window absorbs repeats here.
        if (!this.warned) {
          this.logger.warn(
            `${topic}/${partition}: commit of offset ${offset} failed (${String(err)})`,
          );
        }
        this.warned = true;
        return;
      }
    }
  }
}
