import { type ChildProcess } from 'node:child_process';
import { Kafka, logLevel } from 'kafkajs';
import { TaskCenterClient, TaskType, TaskWorker } from '../../libs/client/src';
import mongoose from 'mongoose';
import { idleTaskDoc, insertInBatches, stackProcesses, startCenter, stopCenter } from '../support';
import {
  type FireHook,
  mapConcurrent,
  mongoBackendMiB,
  type Peer,
  type PeerMemory,
  rssMiB,
} from './peer';

const PARTITIONS = 6;
/** The dispatcher's default, set explicitly: idle tasks are inserted with their shard. */
const SHARDS = 16;
/** Task documents per insertMany when storing idle tasks (as bench/dispatch.ts). */
const IDLE_BATCH = 10_000;
/** HTTP creates in flight, as in bench/create-tasks.ts. */
const CREATE_CONCURRENCY = 32;

export interface TaskCenterPeerOptions {
  mongoUri: string;
  brokers: string[];
  /** Topic prefix and consumer group; fresh per run. */
  stamp: string;
  backend: string;
}

/**
 * Our task center from its production bundle, tasks created over HTTP with the SDK's
 * TaskCenterClient, fires handled by a TaskWorker from libs/client. The scheduled time is
 * `ctx.scheduledAt`: the slot the dispatcher fired (tc-scheduled-at), the same instant the
 * schedule was asked for.
 */
export class TaskCenterPeer implements Peer {
  readonly name = 'task-center';
  readonly backend: string;
  readonly settings = [
    `${PARTITIONS} partitions, dispatcher defaults, MISFIRE_THRESHOLD_S=5, RUNS_ENABLED=false (no run history: the other peers keep none either)`,
    'TaskWorker: concurrency 64 per partition, 6 partitions consumed concurrently',
    'repeating = loop task (type 2, loop_time 1 s, start_time/end_time), one POST /v1/api/task each, 32 at a time; one-shots (burst, bulk) = type 1 through POST /v1/api/create-tasks (SDK createTasks: 1,000 per request, 2 requests at a time)',
    `scale: idle tasks are one-shots due in 30-31 days, inserted with insertMany exactly as the app's repository stores them (newTaskToDoc, ${SHARDS} shards), ${IDLE_BATCH.toLocaleString('en')} per call, as bench/dispatch.ts`,
  ];
  private center: ChildProcess | undefined;
  private client: TaskCenterClient | undefined;
  private worker: TaskWorker | undefined;
  private readonly ids = new Map<string, string>();
  private topics: string[] = [];
  private idleStored = 0;

  constructor(private readonly opts: TaskCenterPeerOptions) {
    this.backend = `${opts.backend} + Kafka`;
  }

  async setup(onFire: FireHook): Promise<void> {
    const topics = {
      KAFKA_TOPIC_TASKS: `bench.peers.${this.opts.stamp}.tasks`,
      KAFKA_TOPIC_RESULTS: `bench.peers.${this.opts.stamp}.results`,
      KAFKA_TOPIC_DEAD_LETTER: `bench.peers.${this.opts.stamp}.dead-letter`,
    };
    const { child, url } = await startCenter({
      MONGODB_URI: this.opts.mongoUri,
      KAFKA_BROKERS: this.opts.brokers.join(','),
      KAFKA_TOPIC_PARTITIONS: String(PARTITIONS),
      DISPATCH_SHARDS: String(SHARDS),
      MISFIRE_THRESHOLD_S: '5',
      RUNS_ENABLED: 'false',
      ...topics,
    });
    this.center = child;
    this.topics = Object.values(topics);
    this.client = new TaskCenterClient({ baseUrl: url, timeoutMs: 120_000 });
    this.worker = new TaskWorker({
      brokers: this.opts.brokers,
      groupId: `bench-peers-${this.opts.stamp}`,
      topic: topics.KAFKA_TOPIC_TASKS,
      resultsTopic: topics.KAFKA_TOPIC_RESULTS,
      concurrency: 64,
      partitionConcurrency: PARTITIONS,
      consumer: { maxWaitTimeInMs: 100 },
      logger: { log: () => undefined, warn: console.warn, error: console.error },
    });
    this.worker.addTaskHandler('*', (_taskId, data, _msgId, ctx) => {
      onFire(data, ctx.scheduledAt, Date.now());
    });
    await this.worker.start();
    // The dispatcher takes its shard leases at startup.
    await new Promise((r) => setTimeout(r, 2000));
  }

  async createRepeating(keys: string[], firstSlot: number, lastSlot: number): Promise<void> {
    await this.create(keys, (key) => ({
      name: 'bench.peers.steady',
      type: TaskType.Loop,
      loop_time: 1,
      start_time: firstSlot / 1000,
      end_time: lastSlot / 1000,
      data: key,
    }));
  }

  async removeRepeating(keys: string[]): Promise<void> {
    const ids = keys.map((k) => this.ids.get(k)).filter((id): id is string => !!id);
    // Small batches, retried: on FerretDB v1 a delete takes a write lock per task in one
    // insert, and while the dispatcher keeps locking the same loop tasks every second a large
    // batch waits out the center's 7 s lock wait and is answered 500 ("are being written").
    for (let i = 0; i < ids.length; i += 10) {
      for (let attempt = 1; ; attempt++) {
        try {
          await this.client!.deleteTasks(ids.slice(i, i + 10));
          break;
        } catch (err) {
          if (attempt >= 5) throw err;
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    }
  }

  /** Through POST /v1/api/create-tasks (the SDK's createTasks: 1,000 per request, 2 at a time). */
  async createOneShots(keys: string[], dueAt: number): Promise<void> {
    const { results } = await this.client!.createTasks(
      keys.map((key) => ({
        name: 'bench.peers.burst',
        type: TaskType.OneShot,
        start_time: dueAt / 1000,
        data: key,
      })),
    );
    results.forEach((result, i) => {
      if (!result.ok) throw new Error(`create-tasks item ${i}: ${result.err} ${result.msg}`);
      this.ids.set(keys[i]!, result.taskid);
    });
  }

  async storeIdle(total: number): Promise<number> {
    if (total <= this.idleStored) return 0;
    const conn = await mongoose.createConnection(this.opts.mongoUri).asPromise();
    try {
      const tasks = conn.db!.collection('tasks');
      const now = Date.now();
      const rate = await insertInBatches({
        label: 'task-center idle tasks',
        from: this.idleStored,
        to: total,
        batch: IDLE_BATCH,
        make: (i) => idleTaskDoc(i, now, SHARDS, 'bench.peers'),
        insert: (docs) => tasks.insertMany(docs),
        log: (line) => process.stderr.write(`${line}\n`),
      });
      this.idleStored = total;
      return rate;
    } finally {
      await conn.close();
    }
  }

  memory(): PeerMemory {
    return {
      schedulerMiB: rssMiB([this.center?.pid ?? 0]),
      backendMiB: mongoBackendMiB(),
      brokerMiB: rssMiB(stackProcesses().kafka!),
    };
  }

  async teardown(): Promise<void> {
    await this.worker?.stop();
    if (this.center) await stopCenter(this.center);
    const kafka = new Kafka({ brokers: this.opts.brokers, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: this.topics }).catch(() => undefined);
    await admin.disconnect();
  }

  private async create(
    keys: string[],
    body: (key: string) => Parameters<TaskCenterClient['createTask']>[0],
  ): Promise<void> {
    await mapConcurrent(keys, CREATE_CONCURRENCY, async (key) => {
      const { taskid } = await this.client!.createTask(body(key));
      this.ids.set(key, taskid);
    });
  }
}
