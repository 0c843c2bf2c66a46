import { DEFAULT_TOPICS } from '@task-center/contracts';
import { type ConsumerConfig, type Kafka } from 'kafkajs';
import { type WorkerLogger } from './worker-logger';

export interface TaskWorkerOptions {
  /** `host:port` list; not needed when `kafka` is given. */
  brokers?: string[];
  /** Your service's consumer group: every service gets its own, all of its replicas share it. */
  groupId: string;
  /** Topic the task center publishes fires to. Default `task-center.tasks`. */
  topic?: string;
  /** Topic outcomes and heartbeats go to. Default `task-center.results`. */
  resultsTopic?: string;
  /** kafkajs client id when the worker creates the Kafka client. Default `task-worker`. */
  clientId?: string;
  /** An existing kafkajs client to use instead of creating one from `brokers`. */
  kafka?: Kafka;
  /** Handlers in flight at once per partition (commits stay in order). Default 1. */
  concurrency?: number;
  /** Partitions consumed at the same time (kafkajs `partitionsConsumedConcurrently`). Default 1. */
  /**
   * Pipelined consumption. Default false: a fetched batch is consumed to its end (every
   * handler finished) before kafkajs fetches that partition again, so one slow handler delays
   * every later fire of its partition. With true, a batch's messages are started (up to
   * `concurrency` per partition, counted across batches) and the next fetch follows at once: a
   * fast fire never waits for a slow one ahead of it, unless all slots are taken. Commits are
   * unchanged: only the finished prefix of each partition. `stop()` stops fetching, then waits
   * for every partition's handlers (up to `drainTimeoutMs`) and commits.
   */
  pipeline?: boolean;
  partitionConcurrency?: number;
  /** Duplicate suppression: how many succeeded message ids, for how long. */
  dedupeWindow?: { maxEntries?: number; ttlMs?: number };
  /** Interval of WorkerHeartbeatEvents on the results topic. Default 10 s. */
  heartbeatIntervalMs?: number;
  /** How long `stop()` waits for in-flight handlers. Default 30 s. */
  drainTimeoutMs?: number;
  /** Where a new consumer group starts: false (default) = new messages only. */
  fromBeginning?: boolean;
  /** Passed to `kafka.consumer()` (session timeout, fetch sizes, ...). */
  consumer?: Omit<ConsumerConfig, 'groupId'>;
  /** Default: console, prefixed `[task-worker]`. */
  logger?: WorkerLogger;
}

export const DEFAULTS = {
  topic: DEFAULT_TOPICS.tasks,
  resultsTopic: DEFAULT_TOPICS.results,
  clientId: 'task-worker',
  concurrency: 1,
  partitionConcurrency: 1,
  dedupeMaxEntries: 10_000,
  dedupeTtlMs: 10 * 60_000,
  heartbeatIntervalMs: 10_000,
  drainTimeoutMs: 30_000,
} as const;

/** Throws one line naming the bad option; the worker validates before connecting anything. */
export function checkOptions(options: TaskWorkerOptions): void {
  if (!options.groupId) throw new Error('TaskWorker: groupId is required');
  if (!options.kafka && !options.brokers?.length) {
    throw new Error('TaskWorker: brokers (or an existing kafka client) are required');
  }
  const positive: [string, number | undefined][] = [
    ['concurrency', options.concurrency],
    ['partitionConcurrency', options.partitionConcurrency],
    ['heartbeatIntervalMs', options.heartbeatIntervalMs],
  ];
  for (const [name, value] of positive) {
    if (value !== undefined && !(Number.isInteger(value) && value >= 1)) {
      throw new Error(`TaskWorker: ${name} must be an integer >= 1 (got ${value})`);
    }
  }
  const nonNegative: [string, number | undefined][] = [
    ['drainTimeoutMs', options.drainTimeoutMs],
    ['dedupeWindow.maxEntries', options.dedupeWindow?.maxEntries],
    ['dedupeWindow.ttlMs', options.dedupeWindow?.ttlMs],
  ];
  for (const [name, value] of nonNegative) {
    if (value !== undefined && !(Number.isInteger(value) && value >= 0)) {
      throw new Error(`TaskWorker: ${name} must be an integer >= 0 (got ${value})`);
    }
  }
}
