/**
 * Dispatch throughput and lateness: a real task center process (production bundle) on the
 * local stack, with fresh topics and a fresh database, and an independent Kafka consumer that
 * checks every fire it receives against the slots it expects.
 *
 *   npm run bench:dispatch -- [--quick] [--duration 60] [--rate 1000] [--burst 10000]
 *                             [--scale] [--stored 1000000] [--concurrency 32]
 *
 * Workloads:
 *   sustained  `rate` loop tasks (loop_time 1 s, same start second) for `duration` seconds,
 *   burst      `burst` one-shot tasks all due in the same second,
 *   scale      (--scale, on by default without --quick) idle tasks inserted directly up to
 *              10,000 and then `stored`, and the sustained workload again at each size.
 * DISPATCH_* variables in the bench's environment reach the center (e.g. DISPATCH_WRITE_BEHIND_MS=10000).
 * Ack lateness = the center's own due -> Kafka ack histogram over the workload, and over a
 * sustained workload's slots after its first 5 (a fresh process and a fresh topic are slower).
 * Lateness = consumer receive time - tc-scheduled-at; planning lateness = tc-published-at -
 * tc-scheduled-at. Writes the results to bench/results/dispatch-<backend>-<date>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { join } from 'node:path';
import * as hdr from 'hdr-histogram-js';
import { Kafka, logLevel } from 'kafkajs';
import mongoose from 'mongoose';
import { type AckLateness, ackLateness, type Buckets, scrapeBuckets } from './ack-lateness';
import { probeHotQueries, type QueryProbe } from './query-plans';
import {
  args,
  countLabel as count,
  cpuMeter,
  describeMachine,
  dispatchSettings,
  dropDatabase,
  forEachConcurrent,
  idleTaskDoc,
  indexFerretdbPostgres,
  insertInBatches,
  latencyHistogram,
  postJson,
  requireEnv,
  ROOT,
  stackBackend,
  stackProcesses,
  startCenter,
  stopCenter,
  withDatabase,
} from './support';

const opts = args({
  duration: 60,
  rate: 1000,
  burst: 10_000,
  stored: 1_000_000,
  scale: false,
  quick: false,
  concurrency: 32,
  /** Seconds between the end of the creates and the first slot. */
  lead: 5,
  /** Seconds between the end of the burst creates and the burst second (>= 10). */
  'burst-lead': 10,
  /** Documents per insertMany of idle tasks. */
  batch: 10_000,
  /** Longest acceptable estimated insert time for the largest scale step, in minutes. */
  'max-insert-min': 15,
});
if (opts.quick) opts.duration = 15;
const runScale = opts.scale || !opts.quick;

const SHARDS = 16;
const PARTITIONS = 6;
const PROGRESS_EVERY = 50_000;
/** Give up waiting for missing fires after this long without a new one. */
const IDLE_GIVE_UP_MS = 15_000;
/** Slots of a sustained run left out of its steady-state ack lateness. */
const WARM_UP_SLOTS = 5;
/** Passed to the center: a slot later than this is "missed" (fire_once keeps the first). */
const MISFIRE_THRESHOLD_MS = 5000;

const log = (line: string) => process.stderr.write(`${line}\n`);
/** The dispatcher settings of this run: its defaults, or the DISPATCH_* passed on to it. */
const settingsText = () => {
  const set = Object.entries(dispatchSettings()).map(([k, v]) => `${k}=${v}`);
  return set.length > 0 ? set.join(' ') : 'dispatcher defaults';
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const nowSec = () => Math.floor(Date.now() / 1000);

// ------------------------------------------------------------------ what the consumer sees

interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

function percentiles(h: hdr.Histogram): Percentiles {
  return {
    p50: h.getValueAtPercentile(50),
    p90: h.getValueAtPercentile(90),
    p99: h.getValueAtPercentile(99),
    p999: h.getValueAtPercentile(99.9),
    max: h.maxValue,
  };
}

/** The fires one workload expects, and what arrived. Slots are epoch ms. */
class Workload {
  readonly ids = new Set<string>();
  /** message id -> times received */
  readonly received = new Map<string, number>();
  readonly lateness = latencyHistogram();
  readonly planning = latencyHistogram();
  readonly perSecond = new Map<number, number>();
  /** task id -> [slot, publishedAt] of every fire received */
  readonly fires = new Map<string, [number, number][]>();
  early = 0;
  duplicates = 0;
  unexpected = 0;
  delivered = 0;
  firstReceivedAt = Infinity;
  lastReceivedAt = 0;
  lastNewAt = 0;

  constructor(
    readonly label: string,
    readonly slots: number[],
  ) {}

  get expected(): number {
    return this.ids.size * this.slots.length;
  }

  get distinct(): number {
    return this.received.size;
  }

  take(
    taskId: string,
    messageId: string,
    scheduledAt: number,
    publishedAt: number,
    receivedAt: number,
  ): void {
    const seen = this.received.get(messageId) ?? 0;
    if (seen > 0) {
      this.duplicates++;
      this.received.set(messageId, seen + 1);
      return;
    }
    if (!this.slots.includes(scheduledAt)) {
      this.unexpected++;
      return;
    }
    this.received.set(messageId, 1);
    this.delivered++;
    const fires = this.fires.get(taskId) ?? [];
    fires.push([scheduledAt, publishedAt]);
    this.fires.set(taskId, fires);
    this.lastNewAt = receivedAt;
    this.firstReceivedAt = Math.min(this.firstReceivedAt, receivedAt);
    this.lastReceivedAt = Math.max(this.lastReceivedAt, receivedAt);
    if (publishedAt < scheduledAt) this.early++;
    this.lateness.recordValue(Math.max(0, receivedAt - scheduledAt));
    this.planning.recordValue(Math.max(0, publishedAt - scheduledAt));
    const second = Math.floor(receivedAt / 1000);
    this.perSecond.set(second, (this.perSecond.get(second) ?? 0) + 1);
  }

  /**
   * Missing slots that the misfire policy fire_once skipped on purpose: a fire of the same
   * task for an earlier slot was planned more than the misfire threshold after this slot.
   */
  skippedByMisfire(): number {
    let skipped = 0;
    for (const id of this.ids) {
      const fires = this.fires.get(id) ?? [];
      const got = new Set(fires.map(([slot]) => slot));
      for (const slot of this.slots) {
        if (got.has(slot)) continue;
        if (fires.some(([s, p]) => s < slot && p - MISFIRE_THRESHOLD_MS > slot)) skipped++;
      }
    }
    return skipped;
  }

  /** Resolves when every expected fire arrived, or nothing new came for IDLE_GIVE_UP_MS. */
  async settle(notBefore: number): Promise<void> {
    while (Date.now() < notBefore) await sleep(100);
    this.lastNewAt = Math.max(this.lastNewAt, Date.now());
    while (this.distinct < this.expected && Date.now() - this.lastNewAt < IDLE_GIVE_UP_MS) {
      await sleep(100);
    }
    // A duplicate can trail its original: give the consumer a moment more.
    await sleep(1000);
  }
}

/** Routes every consumed message to the workload that owns its task. */
class Router {
  private readonly byTask = new Map<string, Workload>();
  stray = 0;

  own(workload: Workload, id: string): void {
    workload.ids.add(id);
    this.byTask.set(id, workload);
  }

  take(headers: Record<string, string>, receivedAt: number): void {
    const workload = this.byTask.get(headers['tc-task-id'] ?? '');
    if (!workload) {
      this.stray++;
      return;
    }
    workload.take(
      headers['tc-task-id'] ?? '',
      headers['tc-message-id'] ?? '',
      Number(headers['tc-scheduled-at']),
      Number(headers['tc-published-at']),
      receivedAt,
    );
  }
}

// ------------------------------------------------------------------ results

interface RunResult {
  workload: string;
  storedIdle: number;
  tasks: number;
  slots: number;
  expected: number;
  delivered: number;
  /** Expected fires never received ... */
  missing: number;
  /** ... of which the misfire policy skipped (the dispatcher was > threshold late). */
  skippedByMisfire: number;
  /** ... and the rest: lost. */
  lost: number;
  duplicates: number;
  unexpected: number;
  early: number;
  createsPerSec: number;
  firesPerSec: number;
  perSecondMin?: number;
  perSecondMedian?: number;
  /** Burst: from the due second until the last fire was received. */
  drainMs?: number;
  firstFireMs?: number;
  /** Burst: seconds from the end of the creates to the due second. */
  leadS?: number;
  latenessMs: Percentiles;
  planningMs: Percentiles;
  /** Due → Kafka ack, from the center's own histogram (see ack-lateness.ts). */
  ackMs?: AckLateness;
  /** The same from the slot after the first WARM_UP_SLOTS (sustained workloads). */
  ackSteadyMs?: AckLateness;
  cpuPercent?: Record<string, number>;
}

function summarize(
  w: Workload,
  storedIdle: number,
  createsPerSec: number,
  cpu?: Record<string, number>,
): RunResult {
  const first = Math.min(...w.slots);
  const last = Math.max(...w.slots);
  const interval = w.slots.length > 1 ? (last - first) / (w.slots.length - 1) : 1000;
  // Fires over the window they were due in (first slot to last slot + one interval),
  // stretched to the last receive if that came later.
  const span = Math.max(last + interval, w.lastReceivedAt) - first;
  const skipped = w.skippedByMisfire();
  const inWindow = [...w.perSecond.entries()]
    .filter(([s]) => s * 1000 >= first && s * 1000 < last)
    .map(([, n]) => n)
    .sort((a, b) => a - b);
  return {
    workload: w.label,
    storedIdle,
    tasks: w.ids.size,
    slots: w.slots.length,
    expected: w.expected,
    delivered: w.delivered,
    missing: w.expected - w.distinct,
    skippedByMisfire: skipped,
    lost: w.expected - w.distinct - skipped,
    duplicates: w.duplicates,
    unexpected: w.unexpected,
    early: w.early,
    createsPerSec: Math.round(createsPerSec),
    firesPerSec: w.delivered === 0 ? 0 : Math.round(w.delivered / (span / 1000)),
    ...(inWindow.length > 0 && {
      perSecondMin: inWindow[0],
      perSecondMedian: inWindow[Math.floor(inWindow.length / 2)],
    }),
    ...(w.slots.length === 1 &&
      w.delivered > 0 && {
        drainMs: w.lastReceivedAt - first,
        firstFireMs: w.firstReceivedAt - first,
      }),
    latenessMs: percentiles(w.lateness),
    planningMs: percentiles(w.planning),
    ...(cpu && { cpuPercent: cpu }),
  };
}

const fmt = (n: number | undefined) => (n === undefined ? '-' : String(n));

function printTable(results: RunResult[]): void {
  const rows: [string, (r: RunResult) => string][] = [
    ['stored idle tasks', (r) => count(r.storedIdle)],
    ['tasks x slots', (r) => `${r.tasks} x ${r.slots}`],
    ['creates/s (HTTP)', (r) => fmt(r.createsPerSec)],
    ['delivered / expected', (r) => `${r.delivered}/${r.expected}`],
    ['fires/s', (r) => fmt(r.firesPerSec)],
    ['fires per second min/med', (r) => `${fmt(r.perSecondMin)}/${fmt(r.perSecondMedian)}`],
    ['burst first/last fire ms', (r) => `${fmt(r.firstFireMs)}/${fmt(r.drainMs)}`],
    ['lateness ms p50', (r) => fmt(r.latenessMs.p50)],
    ['  p90', (r) => fmt(r.latenessMs.p90)],
    ['  p99', (r) => fmt(r.latenessMs.p99)],
    ['  p99.9', (r) => fmt(r.latenessMs.p999)],
    ['  max', (r) => fmt(r.latenessMs.max)],
    ['ack ms p50 (center histogram)', (r) => fmt(r.ackMs?.p50)],
    ['  p99', (r) => fmt(r.ackMs?.p99)],
    ['  acked <= 10 ms / 50 ms %', (r) => `${fmt(r.ackMs?.within10)}/${fmt(r.ackMs?.within50)}`],
    [`ack ms p50 after ${WARM_UP_SLOTS} slots`, (r) => fmt(r.ackSteadyMs?.p50)],
    ['  p99', (r) => fmt(r.ackSteadyMs?.p99)],
    [
      '  acked <= 10 ms / 50 ms %',
      (r) => `${fmt(r.ackSteadyMs?.within10)}/${fmt(r.ackSteadyMs?.within50)}`,
    ],
    ['planning ms p50', (r) => fmt(r.planningMs.p50)],
    ['  p90', (r) => fmt(r.planningMs.p90)],
    ['  p99', (r) => fmt(r.planningMs.p99)],
    ['  p99.9', (r) => fmt(r.planningMs.p999)],
    ['  max', (r) => fmt(r.planningMs.max)],
    ['early (published<slot)', (r) => fmt(r.early)],
    ['missing slots', (r) => fmt(r.missing)],
    ['  skipped (misfire, >5 s)', (r) => fmt(r.skippedByMisfire)],
    ['  lost', (r) => fmt(r.lost)],
    ['duplicates', (r) => fmt(r.duplicates)],
    ['unexpected slots', (r) => fmt(r.unexpected)],
    ['cpu % center', (r) => fmt(r.cpuPercent?.center)],
    ['cpu % ferretdb', (r) => fmt(r.cpuPercent?.ferretdb)],
    ['cpu % postgres', (r) => fmt(r.cpuPercent?.postgres)],
    ['cpu % kafka', (r) => fmt(r.cpuPercent?.kafka)],
    ['cpu % bench (consumer)', (r) => fmt(r.cpuPercent?.bench)],
  ];
  const width = Math.max(14, ...results.map((r) => r.workload.length + 2));
  const line = (label: string, cells: string[]) =>
    console.log(label.padEnd(26) + cells.map((c) => c.padStart(width)).join(''));
  line(
    '',
    results.map((r) => r.workload),
  );
  for (const [label, cell] of rows) {
    const cells = results.map(cell);
    if (cells.every((c) => c === '-' || c === '-/-')) continue;
    line(label, cells);
  }
}

// ------------------------------------------------------------------ the bench

interface Env {
  url: string;
  agent: Agent;
  router: Router;
  centerPid: number;
}

/** Creates tasks over HTTP; resolves with the creates/s. Fails on any non-200. */
async function createTasks(
  env: Env,
  workload: Workload,
  count: number,
  body: (i: number) => Record<string, unknown>,
): Promise<number> {
  let failures = 0;
  let lastError = '';
  const seconds = await forEachConcurrent(count, opts.concurrency, async (i) => {
    const { status, json } = await postJson(env.agent, `${env.url}/v1/api/task`, body(i));
    const id = (json as { taskid?: string } | undefined)?.taskid;
    if (status !== 200 || !id) {
      failures++;
      lastError = `${status} ${JSON.stringify(json)}`;
      return;
    }
    env.router.own(workload, id);
  });
  if (failures > 0) throw new Error(`${failures} of ${count} creates failed, e.g. ${lastError}`);
  return count / seconds;
}

/** Loop tasks that fire together every second for `duration` seconds. */
async function sustained(
  env: Env,
  label: string,
  storedIdle: number,
  createRate: number,
): Promise<RunResult> {
  const n = opts.rate;
  const start = nowSec() + Math.ceil(n / createRate) + opts.lead + 1;
  const slots = Array.from({ length: opts.duration }, (_, k) => (start + k) * 1000);
  const workload = new Workload(label, slots);
  log(
    `${label}: creating ${n} loop tasks (loop_time 1 s, ${opts.duration} slots from ${new Date(start * 1000).toISOString()})…`,
  );
  const creates = await createTasks(env, workload, n, (i) => ({
    name: `bench.dispatch.${label}`,
    type: 2,
    loop_time: 1,
    start_time: start,
    end_time: start + opts.duration - 1,
    data: JSON.stringify({ i, pad: 'x'.repeat(64) }),
  }));
  const margin = start * 1000 - Date.now();
  if (margin < 1000)
    throw new Error(`${label}: creates ended ${-margin} ms after the first slot; raise --lead`);
  log(`${label}: ${creates.toFixed(0)} creates/s; first slot in ${margin} ms, measuring…`);
  const meter = cpuMeter({ center: [env.centerPid], ...stackProcesses() });
  await sleep(start * 1000 - Date.now());
  meter.start();
  // The center's histogram once the first WARM_UP_SLOTS slots are acknowledged: the steady
  // state without a fresh process's and a fresh topic's first batches.
  const warm = slots[WARM_UP_SLOTS];
  let warmBuckets: Buckets | undefined;
  if (warm !== undefined) {
    await sleep(warm - 500 - Date.now());
    warmBuckets = await scrapeBuckets(env.url);
  }
  await sleep(slots[slots.length - 1]! + 1000 - Date.now());
  const cpu = meter.stop();
  await workload.settle(Date.now());
  const result = summarize(workload, storedIdle, creates, cpu);
  if (warmBuckets) result.ackSteadyMs = ackLateness(warmBuckets, await scrapeBuckets(env.url));
  return result;
}

/** One-shot tasks all due in the same second. */
async function burst(env: Env, storedIdle: number, createRate: number): Promise<RunResult> {
  const n = opts.burst;
  const lead = Math.max(10, opts['burst-lead']);
  // Creates may slow down as the collection grows: plan for 3/4 of the measured rate.
  const due = nowSec() + Math.ceil((n / createRate) * 1.3) + lead + 1;
  const workload = new Workload('burst', [due * 1000]);
  log(`burst: creating ${n} one-shot tasks due at ${new Date(due * 1000).toISOString()}…`);
  const creates = await createTasks(env, workload, n, (i) => ({
    name: 'bench.dispatch.burst',
    type: 1,
    start_time: due,
    data: JSON.stringify({ i, pad: 'x'.repeat(64) }),
  }));
  const leadS = (due * 1000 - Date.now()) / 1000;
  if (leadS < 1) throw new Error(`burst: creates ended ${-leadS} s after the due second`);
  log(`burst: ${creates.toFixed(0)} creates/s; due in ${leadS.toFixed(1)} s, measuring…`);
  const meter = cpuMeter({ center: [env.centerPid], ...stackProcesses() });
  await sleep(due * 1000 - Date.now());
  meter.start();
  await workload.settle(due * 1000 + 1000);
  const result = summarize(workload, storedIdle, creates, meter.stop());
  result.leadS = Math.round(leadS * 10) / 10;
  return result;
}

/** Inserts idle tasks (due in 30-31 days) exactly as the app stores them; resolves with docs/s. */
function insertIdle(tasks: mongoose.mongo.Collection, from: number, to: number): Promise<number> {
  const now = Date.now();
  return insertInBatches({
    label: 'inserted idle tasks',
    from,
    to,
    batch: opts.batch,
    every: PROGRESS_EVERY,
    make: (i) => idleTaskDoc(i, now, SHARDS, 'bench.dispatch'),
    insert: (docs) => tasks.insertMany(docs),
    log,
  });
}

async function main() {
  const stamp = `${Date.now()}`;
  const mongoUri = withDatabase(requireEnv('MONGODB_URI'), `bench_dispatch_${stamp}`);
  const brokers = requireEnv('KAFKA_BROKERS').split(',');
  const topics = {
    KAFKA_TOPIC_TASKS: `bench.dispatch.${stamp}.tasks`,
    KAFKA_TOPIC_RESULTS: `bench.dispatch.${stamp}.results`,
    KAFKA_TOPIC_DEAD_LETTER: `bench.dispatch.${stamp}.dead-letter`,
  };
  const machine = await describeMachine(mongoUri);
  const backend = stackBackend() ?? machine.slice(machine.lastIndexOf(', ') + 2);
  const kafka = new Kafka({ clientId: 'bench-dispatch', brokers, logLevel: logLevel.ERROR });
  const consumer = kafka.consumer({
    groupId: `bench-dispatch-${stamp}`,
    maxWaitTimeInMs: 100,
  });
  const router = new Router();
  const agent = new Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const conn = await mongoose.createConnection(mongoUri).asPromise();
  const results: RunResult[] = [];
  let scaleNote: string | undefined;
  const insertRates: Record<string, number> = {};
  const queryPlans: Record<string, QueryProbe[]> = {};

  const stackAtStart = stackProcesses();
  log(`starting a task center (topics bench.dispatch.${stamp}.*, ${PARTITIONS} partitions)…`);
  const { child, url } = await startCenter({
    MONGODB_URI: mongoUri,
    KAFKA_BROKERS: brokers.join(','),
    KAFKA_TOPIC_PARTITIONS: String(PARTITIONS),
    DISPATCH_SHARDS: String(SHARDS),
    MISFIRE_THRESHOLD_S: String(MISFIRE_THRESHOLD_MS / 1000),
    // Dispatch alone: no worker reports outcomes here, and the ack-deadline consumer would
    // read every fire a second time.
    RUNS_ENABLED: 'false',
    ...topics,
  });
  try {
    indexFerretdbPostgres(log);
    const joined = new Promise<void>((resolve) =>
      consumer.on(consumer.events.GROUP_JOIN, () => resolve()),
    );
    await consumer.connect();
    await consumer.subscribe({ topic: topics.KAFKA_TOPIC_TASKS, fromBeginning: true });
    await consumer.run({
      partitionsConsumedConcurrently: PARTITIONS,
      eachBatch: async ({ batch }) => {
        const receivedAt = Date.now();
        for (const message of batch.messages) {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(message.headers ?? {}))
            headers[k] = Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
          router.take(headers, receivedAt);
        }
        await Promise.resolve();
      },
    });
    await joined;
    // Leases are taken at startup; give the dispatcher its shards before the first slot.
    await sleep(2000);
    const env: Env = { url, agent, router, centerPid: child.pid ?? 0 };

    /** Runs a workload and adds the center's own due → ack lateness over it. */
    const measured = async (run: () => Promise<RunResult>): Promise<RunResult> => {
      const before = await scrapeBuckets(url);
      const result = await run();
      return { ...result, ackMs: ackLateness(before, await scrapeBuckets(url)) };
    };
    const first = await measured(() => sustained(env, 'sustained', 0, 300));
    results.push(first);
    results.push(await measured(() => burst(env, 0, first.createsPerSec)));

    if (runScale) {
      const tasks = conn.db!.collection('tasks');
      log(`scale: inserting 10000 idle tasks (insertMany of ${opts.batch})…`);
      insertRates['10k'] = await insertIdle(tasks, 0, 10_000);
      queryPlans['10k'] = await probeHotQueries(conn.db!);
      results.push(
        await measured(() => sustained(env, 'sustained@10k', 10_000, first.createsPerSec)),
      );
      if (opts.stored > 10_000) {
        const estimateMin = (opts.stored - 10_000) / insertRates['10k'] / 60;
        log(
          `scale: insert rate ${insertRates['10k'].toFixed(0)} docs/s at 10k: ` +
            `${opts.stored} would take ~${estimateMin.toFixed(1)} min`,
        );
        if (estimateMin > opts['max-insert-min']) {
          scaleNote =
            `skipped ${count(opts.stored)} stored tasks: inserting them at ` +
            `${insertRates['10k'].toFixed(0)} docs/s (measured for the first 10k) would take ` +
            `~${estimateMin.toFixed(0)} min (limit ${opts['max-insert-min']} min, --max-insert-min)`;
          log(`scale: ${scaleNote}`);
        } else {
          insertRates[count(opts.stored)] = await insertIdle(tasks, 10_000, opts.stored);
          queryPlans[count(opts.stored)] = await probeHotQueries(conn.db!);
          const label = `sustained@${count(opts.stored)}`;
          results.push(
            await measured(() => sustained(env, label, opts.stored, first.createsPerSec)),
          );
        }
      }
    }
  } finally {
    log('cleaning up…');
    await stopCenter(child);
    await consumer.disconnect().catch(() => undefined);
    agent.destroy();
    await conn.close();
    await dropDatabase(mongoUri);
    const admin = kafka.admin();
    await admin.connect();
    await admin
      .deleteTopics({ topics: Object.values(topics) })
      .catch((err: unknown) => log(`could not delete the topics: ${String(err)}`));
    await admin.disconnect();
  }

  const stackAtEnd = stackProcesses();
  // Postgres starts a process per connection: only the servers themselves count.
  const stackChanged = ['kafka', 'ferretdb', 'mongod'].filter(
    (role) => stackAtStart[role]!.join() !== stackAtEnd[role]!.join(),
  );
  const stackNote =
    stackChanged.length === 0
      ? undefined
      : `the stack changed during the run (restarted: ${stackChanged
          .map(
            (r) =>
              `${r} ${stackAtStart[r]!.join('+') || '-'} -> ${stackAtEnd[r]!.join('+') || '-'}`,
          )
          .join(', ')}): the numbers are not valid`;
  console.log(`\ntask dispatch: fires published by one task center, as a consumer receives them`);
  console.log(`machine:   ${machine}`);
  console.log(`backend:   ${backend}`);
  console.log(
    `setup:     ${PARTITIONS} partitions, ${SHARDS} shards, ${settingsText()}; ${opts.rate} loop tasks x ` +
      `${opts.duration} s, burst of ${opts.burst}; consumer, center and stack share the machine`,
  );
  console.log(
    `lateness:  receive - tc-scheduled-at; planning: tc-published-at - tc-scheduled-at\n`,
  );
  printTable(results);
  const base = results.find((r) => r.workload === 'sustained@10k');
  const big = results.find((r) => r.workload === `sustained@${count(opts.stored)}`);
  if (base && big) {
    const ratio = (a: number, b: number) => (b === 0 ? '-' : (a / b).toFixed(2));
    console.log(
      `\nscale ${count(opts.stored)} vs 10k stored: fires/s x${ratio(big.firesPerSec, base.firesPerSec)}, ` +
        `lateness p50 x${ratio(big.latenessMs.p50, base.latenessMs.p50)}, ` +
        `p99 x${ratio(big.latenessMs.p99, base.latenessMs.p99)}, ` +
        `max x${ratio(big.latenessMs.max, base.latenessMs.max)}`,
    );
  }
  if (Object.keys(insertRates).length > 0)
    console.log(
      `\nidle insert rate (docs/s): ${Object.entries(insertRates)
        .map(([k, v]) => `${k}: ${v.toFixed(0)}`)
        .join(', ')}`,
    );
  for (const [stored, probes] of Object.entries(queryPlans)) {
    console.log(`\nhot queries with ${stored} stored (median of 15, then the server's plan):`);
    for (const p of probes)
      console.log(`  ${p.query.padEnd(28)} ${String(p.medianMs).padStart(7)} ms  ${p.plan}`);
  }
  if (scaleNote) console.log(`scale:     ${scaleNote}`);
  if (!runScale) console.log(`\nscale:     not run (--quick without --scale)`);
  if (stackNote) console.log(`WARNING:   ${stackNote}`);
  if (router.stray > 0) console.log(`stray messages (unknown task ids): ${router.stray}`);

  const dir = join(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const file = join(
    dir,
    `dispatch-${backend.replace(/[^\w.-]+/g, '_')}-${new Date().toISOString().replace(/[:]/g, '-').slice(0, 19)}.json`,
  );
  writeFileSync(
    file,
    `${JSON.stringify({ date: new Date().toISOString(), machine, backend, options: opts, settings: dispatchSettings(), insertRates, queryPlans, scaleNote, stackNote, results }, null, 2)}\n`,
  );
  console.log(`\nwritten:   ${file}`);
  const bad = results.some((r) => r.lost > 0 || r.duplicates > 0 || r.early > 0);
  if (bad) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
