import { type KafkaMessage } from 'kafkajs';
import { type OrderedOffsets } from './ordered-offsets';
import { type PartitionCommitter } from './partition-committer';

/** One handled message: `committable` settles once it may be committed (or never will be). */
export interface Handled {
  /** Resolves once the message may be committed (its outcome published); rejects when it must stay uncommitted so Kafka redelivers it. */
  committable: Promise<void>;
}

/**
 * Resolves when the message's handler is done, with what remains before it may be committed;
 * rejects when it must stay uncommitted.
 */
export type HandleMessage = (message: KafkaMessage) => Promise<Handled>;

/**
 * Unsettled messages (handler done, outcome not yet published) a partition keeps before it
 * starts no more: outcomes go out in batches behind the handlers, but not without bound.
 */
export const MAX_UNSETTLED = 1000;

/** A started message, seen twice: when its handler is done, and when it settled. */
export interface StartedMessage {
  /** Settles when the handler is done: a concurrency slot is free again. */
  slot: Promise<void>;
  /** Settles once the message is committable (and its finished prefix requested) or failed. */
  settled: Promise<void>;
}

/**
 * Starts one message: tracks its offset, runs `handle`, and once the message is committable
 * requests the commit of the finished prefix. A handler's slot frees as soon as it returns, so
 * the next message starts while this one's outcome is still being published; the offset is
 * committed only after it.
 */
export function startMessage(
  message: KafkaMessage,
  handle: HandleMessage,
  offsets: OrderedOffsets,
  commits: PartitionCommitter,
): StartedMessage {
  offsets.track(message.offset);
  const handled = handle(message);
  const settled = handled
    .then((h) => h.committable)
    .then(
      () => {
        const last = offsets.finish(message.offset);
        if (last !== undefined) commits.request(last);
      },
      // Not finished: it and everything after it stay uncommitted for redelivery.
      () => undefined,
    );
  const slot = handled.then(
    () => undefined,
    () => undefined,
  );
  return { slot, settled };
}

/**
 * One partition's started messages, counted twice: handlers running (at most `concurrency`)
 * and messages not settled yet, i.e. running or publishing their outcome (at most
 * MAX_UNSETTLED). Both batch and pipelined consumption start their messages here.
 */
export class PartitionSlots {
  private readonly running = new Set<Promise<void>>();
  private readonly unsettled = new Set<Promise<void>>();

  constructor(
    private readonly concurrency: number,
    private readonly offsets: OrderedOffsets,
    private readonly commits: PartitionCommitter,
  ) {}

  /** Messages started and not settled yet. */
  get size(): number {
    return this.unsettled.size;
  }

  /** No message may start now. */
  get full(): boolean {
    return this.running.size >= this.concurrency || this.unsettled.size >= MAX_UNSETTLED;
  }

  /** Settles when a handler returns (with none running: when a message settles). */
  freed(): Promise<void> {
    return Promise.race(this.running.size > 0 ? this.running : this.unsettled);
  }

  start(message: KafkaMessage, handle: HandleMessage): void {
    const started = startMessage(message, handle, this.offsets, this.commits);
    track(this.running, started.slot);
    track(this.unsettled, started.settled);
  }

  /** Settles once every message started so far has. */
  async settled(): Promise<void> {
    await Promise.all(this.unsettled);
  }
}

function track(set: Set<Promise<void>>, promise: Promise<void>): void {
  set.add(promise);
  void promise.finally(() => set.delete(promise));
}
