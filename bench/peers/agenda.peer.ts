import { MongoBackend } from '@agendajs/mongo-backend';
import { Agenda, Job } from 'agenda';
import mongoose from 'mongoose';
import { insertInBatches } from '../support';
import {
  type FireHook,
  mapConcurrent,
  mongoBackendMiB,
  type Peer,
  type PeerMemory,
  rssMiB,
} from './peer';

/** Job saves in flight while creating, like the HTTP creates of the task center. */
const CREATE_CONCURRENCY = 32;
/** Upper bound of jobs running or locked at once: more than any workload has due together. */
const UNLIMITED = 100_000;
const COLLECTION = 'agendaJobs';
/** Job documents per insertMany when storing idle jobs. */
const IDLE_BATCH = 10_000;
const DAY_MS = 86_400_000;

/**
 * Agenda 6 with @agendajs/mongo-backend on the same MongoDB-wire server as the task center
 * (its own database). Scheduler and handlers run together, as an Agenda worker would in an app
 * (the bench runs this class in a child process: bench/peers/child-peer.ts).
 *
 * Seconds-level repeats: `every('1 second')` (a human interval) computes the next run as
 * *previous run start + 1 s*, so the schedule drifts by each fire's lateness and its slots are
 * not whole seconds. A six-field cron (`'* * * * * *'`, seconds first, parsed by cron-parser)
 * fires on whole seconds and skips slots that passed, like our loop tasks and BullMQ's `every`:
 * that is the comparable setting, so repeating schedules use it.
 *
 * Scheduled time of a fire: the `nextRunAt` the job was locked with. Agenda overwrites it (and
 * sets `lastRunAt` to the start time) in `Job.run()` before the handler runs, so the bench
 * wraps `Job.prototype.run` to read it first. Measurement only: the wrapper calls the original.
 */
export class AgendaPeer implements Peer {
  readonly name = 'agenda';
  readonly backend: string;
  readonly settings = [
    'processEvery 1 s (default 5 s): Agenda locks every job due before the next scan and starts it with setTimeout at nextRunAt, so the scan period only has to be <= the 1 s repeat for each next slot to be locked in time; shorter means more scans of the collection',
    `maxConcurrency, defaultConcurrency, lockLimit, defaultLockLimit ${UNLIMITED} (defaults 20, 5, 0, 0): a burst must not wait for a concurrency slot; Agenda's docs raise these for many short jobs`,
    'repeating = create(name, data).startDate().endDate().repeatEvery("* * * * * *"); one-shots (burst, bulk) = schedule(date), 32 at a time (Agenda has no bulk create)',
    'default lockLifetime (10 min), ensureIndex on (the backend creates its find-and-lock index)',
    'scale: idle jobs are a defined job name (so Agenda scans for them like for any job type) due in 30-31 days, inserted with insertMany as copies of a job Agenda saved itself (same fields), 10,000 per call',
  ];
  private agenda: Agenda | undefined;
  private idleStored = 0;
  private originalRun: (() => Promise<void>) | undefined;

  constructor(
    private readonly mongoUri: string,
    backend: string,
  ) {
    this.backend = backend;
  }

  async setup(onFire: FireHook): Promise<void> {
    const planned = new WeakMap<Job, number>();
    const originalRun = Job.prototype.run;
    this.originalRun = originalRun;
    Job.prototype.run = function (this: Job) {
      const next = this.attrs.nextRunAt;
      if (next) planned.set(this, next.getTime());
      return originalRun.call(this);
    };
    this.agenda = new Agenda({
      backend: new MongoBackend({ address: this.mongoUri, collection: COLLECTION }),
      processEvery: 1000,
      maxConcurrency: UNLIMITED,
      defaultConcurrency: UNLIMITED,
      lockLimit: UNLIMITED,
      defaultLockLimit: UNLIMITED,
    });
    const handler = (job: Job<{ key: string }>) => {
      onFire(job.attrs.data.key, planned.get(job) ?? Number.NaN, Date.now());
      return Promise.resolve();
    };
    this.agenda.define('bench.peers.steady', handler);
    this.agenda.define('bench.peers.burst', handler);
    this.agenda.define('bench.peers.idle', handler);
    await this.agenda.ready;
    await this.agenda.start();
  }

  async createRepeating(keys: string[], firstSlot: number, lastSlot: number): Promise<void> {
    await mapConcurrent(keys, CREATE_CONCURRENCY, async (key) => {
      // Date bounds first: repeatEvery computes nextRunAt within them.
      await this.agenda!.create('bench.peers.steady', { key })
        .startDate(new Date(firstSlot))
        .endDate(new Date(lastSlot + 500))
        .repeatEvery('* * * * * *')
        .save();
    });
  }

  async removeRepeating(): Promise<void> {
    await this.agenda!.cancel({ name: 'bench.peers.steady' });
  }

  async createOneShots(keys: string[], dueAt: number): Promise<void> {
    const at = new Date(dueAt);
    await mapConcurrent(keys, CREATE_CONCURRENCY, async (key) => {
      await this.agenda!.schedule(at, 'bench.peers.burst', { key });
    });
  }

  async storeIdle(total: number): Promise<number> {
    if (total <= this.idleStored) return 0;
    const now = Date.now();
    const conn = await mongoose.createConnection(this.mongoUri).asPromise();
    try {
      const jobs = conn.db!.collection(COLLECTION);
      // The first job is saved through Agenda and is the template: the copies have its fields.
      if (this.idleStored === 0) {
        await this.agenda!.create('bench.peers.idle', { key: 'idle:0' })
          .schedule(new Date(now + 30 * DAY_MS))
          .save();
      }
      const template = await jobs.findOne({ name: 'bench.peers.idle' });
      if (!template) throw new Error('the template job was not found after save()');
      const from = Math.max(this.idleStored, 1);
      const rate = await insertInBatches({
        label: 'agenda idle jobs',
        from,
        to: total,
        batch: IDLE_BATCH,
        make: (i) => ({
          ...template,
          _id: new mongoose.Types.ObjectId(),
          data: { key: `idle:${i}` },
          nextRunAt: new Date(now + 30 * DAY_MS + ((i * 7919) % DAY_MS)),
        }),
        insert: (docs) => jobs.insertMany(docs),
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
      schedulerMiB: rssMiB([process.pid]),
      backendMiB: mongoBackendMiB(),
    };
  }

  async teardown(): Promise<void> {
    await this.agenda?.stop(true);
    if (this.originalRun) Job.prototype.run = this.originalRun;
  }
}
