import { type EachBatchPayload } from 'kafkajs';
import { type HandleMessage, PartitionSlots } from './message-slot';
import { OrderedOffsets } from './ordered-offsets';
import { PartitionCommitter } from './partition-committer';
import { type WorkerLogger } from './worker-logger';

export interface PartitionBatchOptions {
  /** Handlers in flight at once for this partition. */
  concurrency: number;
  handle: HandleMessage;
  /** True once the worker is stopping: start no new message. */
  stopping: () => boolean;
  /** Resolves when a stopping worker stops waiting for in-flight handlers. */
  drainExpired: Promise<void>;
  logger: WorkerLogger;
  /** How often to heartbeat the group while handlers run (kafkajs throttles further). */
  heartbeatEveryMs?: number;
}

/**
 * Consumes one fetched batch of one partition: up to `concurrency` messages in flight, and
 * commits that only ever move to the end of the finished prefix, so offset N+1 is never
 * committed while N may still need a redelivery.
 *
 * Why eachBatch (autoCommit off, eachBatchAutoResolve off) rather than eachMessage: eachMessage
 * runs one message per partition at a time, so in-partition parallelism would mean returning
 * before the handler ends, letting kafkajs fetch without bound. In eachBatch the batch bounds
 * what is in memory, and resolveOffset/commit stay under our control.
 */
export async function consumePartitionBatch(
  payload: EachBatchPayload,
  options: PartitionBatchOptions,
): Promise<void> {
  const { batch } = payload;
  const where = `${batch.topic}/${batch.partition}`;
  const offsets = new OrderedOffsets();
  const commits = new PartitionCommitter(
    {
      topic: batch.topic,
      partition: batch.partition,
      commit: (request) => payload.commitOffsetsIfNecessary(request),
      // Moves kafkajs' fetch position; uncommitted resolved offsets are never auto-committed.
      resolve: (offset) => payload.resolveOffset(offset),
    },
    options.logger,
  );
  const slots = new PartitionSlots(options.concurrency, offsets, commits);
  let lostGroup = false;

  // kafkajs heartbeats only between batches; long handlers would get the member evicted.
  const beat = setInterval(() => {
    payload.heartbeat().catch((err: unknown) => {
      // Usually a rebalance: finish what runs, start nothing more; kafkajs rejoins after.
      if (!lostGroup) options.logger.warn(`${where}: group heartbeat failed (${String(err)})`);
      lostGroup = true;
    });
  }, options.heartbeatEveryMs ?? 1000);
  const mayStart = () =>
    !lostGroup && !options.stopping() && payload.isRunning() && !payload.isStale();

  try {
    for (const message of batch.messages) {
      while (slots.full) {
        await Promise.race([slots.freed(), options.drainExpired]);
        if (!mayStart()) break;
      }
      if (!mayStart()) break;
      slots.start(message, options.handle);
    }
    // A stopping worker waits for in-flight handlers only until the drain deadline.
    await Promise.race([slots.settled(), options.drainExpired]);
    await commits.flush();
  } finally {
    clearInterval(beat);
    commits.close();
  }
}
