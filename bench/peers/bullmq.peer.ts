import { type ChildProcess } from 'node:child_process';
import { type ConnectionOptions, Queue, Worker } from 'bullmq';
import { insertInBatches } from '../support';
import { startRedis, stopRedis, redisVersion } from './redis-server';
import { type FireHook, mapConcurrent, type Peer, type PeerMemory, rssMiB } from './peer';

const QUEUE = 'bench-peers';
/** upsertJobScheduler calls in flight while creating. */
const CREATE_CONCURRENCY = 32;
/** Jobs per addBulk for one-shots. */
const BULK = 1000;
/** Jobs per addBulk (one MULTI pipeline) when storing idle jobs. */
const IDLE_BULK = 5000;
const DAY_MS = 86_400_000;

interface BenchJob {
  key: string;
  dueAt?: number;
}

/**
 * BullMQ job schedulers on a throwaway redis-server started by the bench (loopback, no
 * persistence: BullMQ's docs ask for `maxmemory-policy noeviction`, Redis' default). Queue and
 * Worker run together (the bench runs this class in a child process: bench/peers/child-peer.ts,
 * so the redis-server is that process's child).
 *
 * Scheduled time of a fire: for a job scheduler's job, the slot (`nextMillis`) BullMQ computed
 * for this iteration, which it encodes in the job id (`repeat:<scheduler>:<millis>`). The
 * worker does not get `opts.prevMillis`, `job.delay` is 0 once the job is promoted, and
 * `timestamp + opts.delay` is the slot only up to the ms between computing the delay and
 * storing the job (12 ms in a test here) and not at all when the job was added late (the delay
 * is clamped at 0). For a one-shot, the due time the bench asked for (`data.dueAt`).
 */
export class BullmqPeer implements Peer {
  readonly name = 'bullmq';
  readonly backend: string;
  readonly settings = [
    'Worker concurrency 1000 (the handler only records; BullMQ docs: raise concurrency for I/O-bound jobs), default drainDelay and stalled checks',
    'repeating = Queue.upsertJobScheduler(key, { every: 1000, startDate, endDate }): startDate on a whole second sets the phase (without it the first run is "now" and later runs keep that phase); one-shots (burst, bulk) = addBulk with delay, 1,000 jobs per call (one MULTI each)',
    'removeOnComplete/removeOnFail: true (keeps Redis memory flat, as the docs recommend for high volume)',
    'redis-server --save "" --appendonly no, loopback, started by the bench',
    'scale: idle schedules are delayed jobs due in 30-31 days in the same queue, added with addBulk (one MULTI per 5,000): the fastest way through its API; a job scheduler per idle schedule would store one delayed job each as well, plus its scheduler entry',
  ];
  private redis: ChildProcess | undefined;
  private connection: ConnectionOptions | undefined;
  private queue: Queue<BenchJob> | undefined;
  private worker: Worker<BenchJob> | undefined;
  private idleStored = 0;

  constructor() {
    this.backend = `Redis ${redisVersion()}`;
  }

  async setup(onFire: FireHook): Promise<void> {
    const { child, port } = await startRedis();
    this.redis = child;
    this.connection = { host: '127.0.0.1', port, maxRetriesPerRequest: null };
    this.queue = new Queue<BenchJob>(QUEUE, {
      connection: this.connection,
      defaultJobOptions: { removeOnComplete: true, removeOnFail: true },
    });
    this.worker = new Worker<BenchJob>(
      QUEUE,
      (job) => {
        const startedAt = Date.now();
        const slot = /^repeat:.+:(\d+)$/.exec(job.id ?? '')?.[1];
        const scheduledAt = slot ? Number(slot) : (job.data.dueAt ?? Number.NaN);
        onFire(job.data.key, scheduledAt, startedAt);
        return Promise.resolve();
      },
      { connection: this.connection, concurrency: 1000 },
    );
    await this.queue.waitUntilReady();
    await this.worker.waitUntilReady();
  }

  async createRepeating(keys: string[], firstSlot: number, lastSlot: number): Promise<void> {
    await mapConcurrent(keys, CREATE_CONCURRENCY, async (key) => {
      await this.queue!.upsertJobScheduler(
        key,
        { every: 1000, startDate: firstSlot, endDate: lastSlot + 500 },
        { name: 'bench.peers.steady', data: { key } },
      );
    });
  }

  async removeRepeating(keys: string[]): Promise<void> {
    await mapConcurrent(keys, CREATE_CONCURRENCY, (key) => this.queue!.removeJobScheduler(key));
  }

  async createOneShots(keys: string[], dueAt: number): Promise<void> {
    for (let i = 0; i < keys.length; i += BULK) {
      const delay = Math.max(0, dueAt - Date.now());
      await this.queue!.addBulk(
        keys.slice(i, i + BULK).map((key) => ({
          name: 'bench.peers.burst',
          data: { key, dueAt },
          opts: { delay },
        })),
      );
    }
  }

  async storeIdle(total: number): Promise<number> {
    if (total <= this.idleStored) return 0;
    const now = Date.now();
    const rate = await insertInBatches({
      label: 'bullmq idle jobs',
      from: this.idleStored,
      to: total,
      batch: IDLE_BULK,
      make: (i) => ({
        name: 'bench.peers.idle',
        data: { key: `idle:${i}` },
        opts: { delay: 30 * DAY_MS + ((i * 7919) % DAY_MS) - (Date.now() - now) },
      }),
      insert: (jobs) => this.queue!.addBulk(jobs),
      log: (line) => process.stderr.write(`${line}\n`),
    });
    this.idleStored = total;
    return rate;
  }

  memory(): PeerMemory {
    return {
      schedulerMiB: rssMiB([process.pid]),
      backendMiB: rssMiB([this.redis?.pid ?? 0]),
    };
  }

  async teardown(): Promise<void> {
    try {
      await this.worker?.close();
      await this.queue?.close();
    } finally {
      // Also when the clients failed: the redis-server is ours to stop.
      if (this.redis) await stopRedis(this.redis);
    }
  }
}
