import { type EachBatchPayload, type KafkaMessage } from 'kafkajs';
import { type Handled, PartitionSlots } from './message-slot';
import { OrderedOffsets } from './ordered-offsets';
import { PartitionCommitter } from './partition-committer';
import { type WorkerLogger } from './worker-logger';

/** What pipelined consumption uses of kafkajs' eachBatch payload. */
export type PipelinePayload = Pick<
  EachBatchPayload,
  'resolveOffset' | 'heartbeat' | 'commitOffsetsIfNecessary' | 'isRunning' | 'isStale'
> & { batch: Pick<EachBatchPayload['batch'], 'topic' | 'partition' | 'messages'> };

export interface PartitionPipelinesOptions {
  /** Handlers in flight at once per partition, across its batches. */
  concurrency: number;
  /** See HandleMessage (message-slot.ts). */
  handle: (topic: string, partition: number, message: KafkaMessage) => Promise<Handled>;
  /** True once the worker is stopping: start no new message. */
  stopping: () => boolean;
  /** Resolves when a stopping worker stops waiting for in-flight handlers. */
  drainExpired: Promise<void>;
  logger: WorkerLogger;
  /** How often to heartbeat the group while a batch waits for a slot (kafkajs throttles). */
  heartbeatEveryMs?: number;
}

/**
 * Pipelined consumption (`TaskWorkerOptions.pipeline`): eachBatch starts a batch's messages and
 * returns without waiting for them, so kafkajs fetches on and one slow handler does not hold
 * back the partition's later fires. Each partition keeps its offsets, handlers in flight and
 * committer across batches, until the group's next generation.
 */
export class PartitionPipelines {
  private current = new Map<string, PartitionPipeline>();
  /** Pipelines of earlier generations whose handlers were still running when they retired. */
  private retired: PartitionPipeline[] = [];

  constructor(private readonly options: PartitionPipelinesOptions) {}

  /** eachBatch: resolves once the batch's messages started (or may not start), not finished. */
  consume(payload: PipelinePayload): Promise<void> {
    const { topic, partition } = payload.batch;
    const key = `${topic}/${partition}`;
    let pipeline = this.current.get(key);
    if (!pipeline) {
      pipeline = new PartitionPipeline(topic, partition, this.options);
      this.current.set(key, pipeline);
    }
    return pipeline.consume(payload);
  }

  /**
   * Call on every GROUP_JOIN. kafkajs' join+sync builds a new OffsetManager: resolved offsets
   * are dropped and the next fetch of every assigned partition starts at the group's committed
   * offset, so messages started here but not committed are fetched again, by us or by the
   * partition's new owner. Hence fresh state for the new generation; a re-fetched message still
   * running here is not run twice, as the dedupe window makes it wait and then skip (or rerun
   * it if it failed), and its new pipeline commits it.
   *
   * The old pipelines' handlers finish into their old state (outcomes still go out) but commit
   * nothing more. A late commit of an old finished prefix would be safe for at-least-once (it
   * only covers messages this process finished), but it goes out on the current generation and
   * can land after the new pipeline's commit of the same partition, moving the group's offset
   * back; the new pipeline (or new owner) commits those messages anyway.
   */
  newGeneration(): void {
    this.retired = this.retired.filter((p) => p.inFlight > 0);
    for (const pipeline of this.current.values()) {
      pipeline.retire();
      if (pipeline.inFlight > 0) this.retired.push(pipeline);
    }
    this.current = new Map();
  }

  /**
   * For stop(), once fetching stopped: waits for every partition's handlers (old generations'
   * too) until the drain deadline, then flushes the current generation's commits.
   */
  async drain(): Promise<void> {
    await Promise.all([...this.current.values(), ...this.retired].map((p) => p.drain()));
  }

  /** Handlers in flight, all partitions and generations. */
  get inFlight(): number {
    return [...this.current.values(), ...this.retired].reduce((n, p) => n + p.inFlight, 0);
  }
}

/** One partition in one group generation. */
class PartitionPipeline {
  private readonly offsets = new OrderedOffsets();
  private readonly commits: PartitionCommitter;
  private readonly slots: PartitionSlots;
  private readonly where: string;
  /** Any batch's commit function: kafkajs routes them all to the consumer group. */
  private commitVia: PipelinePayload['commitOffsetsIfNecessary'] | undefined;
  private highestStarted: bigint | undefined;
  private retired = false;

  constructor(
    private readonly topic: string,
    private readonly partition: number,
    private readonly options: PartitionPipelinesOptions,
  ) {
    this.where = `${topic}/${partition}`;
    this.commits = new PartitionCommitter(
      { topic, partition, commit: (request) => this.commitVia!(request) },
      options.logger,
    );
    this.slots = new PartitionSlots(options.concurrency, this.offsets, this.commits);
  }

  get inFlight(): number {
    return this.slots.size;
  }

  async consume(payload: PipelinePayload): Promise<void> {
    const { stopping, drainExpired, logger } = this.options;
    this.commitVia = (request) => payload.commitOffsetsIfNecessary(request);
    let lostGroup = false;
    // kafkajs heartbeats only between batches; only a batch waiting for slots lasts long.
    const beat = setInterval(() => {
      payload.heartbeat().catch((err: unknown) => {
        // Usually a rebalance: start nothing more; kafkajs rejoins once eachBatch returns.
        if (!lostGroup) logger.warn(`${this.where}: group heartbeat failed (${String(err)})`);
        lostGroup = true;
      });
    }, this.options.heartbeatEveryMs ?? 1000);
    const mayStart = () =>
      !lostGroup && !this.retired && !stopping() && payload.isRunning() && !payload.isStale();

    try {
      for (const message of payload.batch.messages) {
        const fresh = this.isNew(message.offset);
        while (fresh && this.slots.full && mayStart()) {
          await Promise.race([this.slots.freed(), drainExpired]);
        }
        // Messages not reached are not resolved, so kafkajs fetches them again.
        if (!mayStart()) return;
        if (fresh) this.start(message);
        // Resolved when started, so the next fetch goes past it. With autoCommit off kafkajs
        // never commits resolved offsets: commits are only the finished prefix, below.
        payload.resolveOffset(message.offset);
      }
    } finally {
      clearInterval(beat);
    }
  }

  /** A new generation owns the partition now: start nothing more, commit nothing more. */
  retire(): void {
    this.retired = true;
    this.commits.close();
  }

  async drain(): Promise<void> {
    await Promise.race([this.slots.settled(), this.options.drainExpired]);
    if (!this.retired) await this.commits.flush();
    this.commits.close();
  }

  /**
   * False for an offset this generation already started (kafkajs fetches from the last
   * committed offset again after an OffsetOutOfRange reset): it is running or finished here,
   * and the finished prefix commits it.
   */
  private isNew(offset: string): boolean {
    return this.highestStarted === undefined || BigInt(offset) > this.highestStarted;
  }

  private start(message: KafkaMessage): void {
    this.highestStarted = BigInt(message.offset);
    this.slots.start(message, (m) => this.options.handle(this.topic, this.partition, m));
  }
}
