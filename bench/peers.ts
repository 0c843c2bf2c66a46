/**
 * Task Center side by side with Agenda (MongoDB wire) and BullMQ job schedulers (Redis), same
 * machine, same workloads, each peer configured the way its docs recommend for low latency
 * (bench/peers/*.peer.ts say what and why). Agenda and BullMQ run in their own node process
 * each (bench/peers/child-peer.ts), our center from its production bundle.
 *
 *   npm run bench -- [--quick] [--runs 3] [--duration 120] [--burst 10000] [--creates 10000]
 *                    [--bulk 50000]
 *                    [--scale-stored 1000000] [--scale-rate 1000] [--scale-base 10000]
 *                    [--scale-duration 60]
 *                    [--only steady,burst,scale,create,bulk] [--peers task-center,agenda,bullmq]
 *
 * Workloads (quick mode in brackets):
 *   steady  N repeating every-second schedules, N = 100 and 1,000 [100], `duration` s [20];
 *           lateness = handler start - the peer's own scheduled time of the fire.
 *   burst   `burst` one-shots [1,000] due in the same second; time until the last handler starts.
 *   scale   `scale-rate` every-second schedules measured like steady (`scale-duration` s [20])
 *           with `scale-base` and then `scale-stored` idle schedules stored beside them [not
 *           run unless --scale-stored is given]. Idle schedules are inserted once per size and
 *           peer, then reused by the runs.
 *   create  `creates` repeating schedules [1,000] through each peer's own API, per second (at
 *           most `create-max` seconds [120]).
 *   bulk    `bulk` one-shots [5,000] due in an hour through each peer's API for many at once
 *           (ours: POST /v1/api/create-tasks; BullMQ: addBulk; Agenda has none: schedule() 32 at
 *           a time), per second (at most `create-max` seconds).
 * Every number is the median of `runs` [1] runs, with min and max. Writes
 * docs/bench/peers[-quick]-<date>.{md,json} and -lateness.svg, -throughput.svg.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import * as prettier from 'prettier';
import { AgendaPeer } from './peers/agenda.peer';
import { BullmqPeer } from './peers/bullmq.peer';
import { latenessChart, throughputChart } from './peers/charts';
import { ChildPeer } from './peers/child-peer';
import { mongoBackendMiB, type Peer, type PeerMemory } from './peers/peer';
import {
  CURVE,
  headlineRatios,
  markdownTable,
  type Percentiles,
  type RunResult,
  summarize,
} from './peers/report';
import { TaskCenterPeer } from './peers/task-center.peer';
import {
  args,
  countLabel,
  describeMachine,
  indexFerretdbPostgres,
  latencyHistogram,
  requireEnv,
  ROOT,
  stackBackend,
  withDatabase,
} from './support';

const opts = args({
  quick: false,
  runs: 3,
  duration: 120,
  burst: 10_000,
  creates: 10_000,
  bulk: 50_000,
  /** Idle schedules stored for the large scale step (0: no scale workload). */
  'scale-stored': 1_000_000,
  /** Idle schedules stored for the small scale step, the baseline. */
  'scale-base': 10_000,
  /** Every-second schedules firing during the scale steps. */
  'scale-rate': 1000,
  /** Measured seconds of each scale step (6 steps per peer: 3 runs x 2 sizes). */
  'scale-duration': 60,
  /** A scale size is "cannot" for a peer when storing it would take longer (estimated). */
  'max-insert-min': 60,
  /** Give up on missing fires this long after the last new one. */
  'idle-give-up': 15,
  /** Stop waiting for missing fires this many seconds after a workload's last slot (quick: 30). */
  'settle-max': 300,
  /** Stop the create workload after this many seconds; its rate is over the creates done. */
  'create-max': 120,
  /** Comma-separated workloads to run (default: all). */
  only: '',
  /** Comma-separated systems to run (default: all). */
  peers: '',
});
const scaleGiven = process.argv.includes('--scale-stored');
if (opts.quick) {
  opts.runs = Math.min(opts.runs, 1);
  opts.duration = 20;
  opts['scale-duration'] = 20;
  opts.burst = 1000;
  opts.creates = 1000;
  opts.bulk = 5000;
  opts['idle-give-up'] = 5;
  // The scale workload alone takes longer than the 5 minutes --quick has: only on request.
  if (!scaleGiven) opts['scale-stored'] = 0;
}
const STEADY_SIZES = opts.quick ? [100] : [100, 1000];
const WORKLOADS = opts.only ? opts.only.split(',') : ['steady', 'burst', 'scale', 'create', 'bulk'];
const runs = (workload: string) => WORKLOADS.includes(workload);
/** After the last expected slot, stop waiting for stragglers after this long at the latest. */
const SETTLE_MAX_MS = (opts.quick ? Math.min(30, opts['settle-max']) : opts['settle-max']) * 1000;
/** Removing a workload's schedules: FerretDB 1.24 (PostgreSQL) can deadlock under Agenda (seen here). */
const REMOVE_LIMIT_MS = 120_000;
/** Schedules per createRepeating call of the create workload (checked against --create-max). */
const CREATE_STEP = 1000;
/** One-shots per createOneShots call of the bulk workload. */
const BULK_STEP = 10_000;
/** A scale step counts as "cannot" when fewer than this share of its fires started. */
const SCALE_MIN_SHARE = 0.5;

const started = Date.now();
const elapsed = () => {
  const s = Math.round((Date.now() - started) / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};
const log = (line: string) => process.stderr.write(`[+${elapsed()}] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const nextSecond = (ms: number) => Math.ceil(ms / 1000) * 1000;

// ------------------------------------------------------------------ what the handlers report

/** The fires one workload expects (keys x slots) and what the handlers reported. */
class Tally {
  private readonly seen = new Map<string, number>();
  readonly lateness = latencyHistogram();
  duplicates = 0;
  /** Fires for a slot outside the window (before it, or after it while being removed). */
  outside = 0;
  /** Fires whose scheduled time is not one of the expected slots (e.g. drifted repeats). */
  unaligned = 0;
  firstStart = Infinity;
  lastStart = 0;
  lastNewAt = 0;

  constructor(
    readonly keys: Set<string>,
    readonly slots: number[],
  ) {}

  get expected(): number {
    return this.keys.size * this.slots.length;
  }

  get received(): number {
    return this.seen.size;
  }

  take(key: string, scheduledAt: number, startedAt: number): void {
    const first = this.slots[0]!;
    const last = this.slots[this.slots.length - 1]!;
    if (!(scheduledAt >= first && scheduledAt <= last)) {
      this.outside++;
      return;
    }
    if (!this.slots.includes(scheduledAt)) {
      this.unaligned++;
      return;
    }
    const id = `${key}@${scheduledAt}`;
    const times = this.seen.get(id) ?? 0;
    this.seen.set(id, times + 1);
    if (times > 0) {
      this.duplicates++;
      return;
    }
    this.lateness.recordValue(Math.max(0, startedAt - scheduledAt));
    this.firstStart = Math.min(this.firstStart, startedAt);
    this.lastStart = Math.max(this.lastStart, startedAt);
    this.lastNewAt = Date.now();
  }

  /** What every workload's result row reports of its tally. */
  counts() {
    return {
      expected: this.expected,
      received: this.received,
      lost: this.expected - this.received,
      duplicates: this.duplicates,
      unaligned: this.unaligned,
      ...(this.received > 0 && { latenessMs: this.percentiles() }),
    };
  }

  percentiles(): Percentiles {
    const h = this.lateness;
    return Object.fromEntries(
      CURVE.map(([name, p]) => [name, p === 100 ? h.maxValue : h.getValueAtPercentile(p)]),
    ) as Percentiles;
  }

  /**
   * Resolves when every expected fire arrived, or none came for a while, or at the limit;
   * with a note when it stopped waiting while fires were still missing.
   */
  async settle(lastSlot: number): Promise<string | undefined> {
    while (Date.now() < lastSlot + 1000) await sleep(100);
    const limit = lastSlot + SETTLE_MAX_MS;
    this.lastNewAt = Math.max(this.lastNewAt, Date.now());
    while (
      this.received < this.expected &&
      // Idle only counts once something arrived: a slow first fire is waited for up to the limit.
      (this.received === 0 || Date.now() - this.lastNewAt < opts['idle-give-up'] * 1000) &&
      Date.now() < limit
    ) {
      await sleep(200);
    }
    // A duplicate can trail its original.
    await sleep(1000);
    if (this.received >= this.expected) return undefined;
    const waited = Math.round((Date.now() - lastSlot) / 1000);
    return Date.now() >= limit
      ? `stopped waiting ${waited} s after the last slot`
      : `no new fire for ${opts['idle-give-up']} s, stopped waiting ${waited} s after the last slot`;
  }
}

/** Routes handler reports to the workload that owns the key (keys are prefixed per workload). */
class Router {
  private readonly tallies = new Map<string, Tally>();
  /** Fires per key prefix that arrived after their workload stopped counting. */
  readonly late = new Map<string, number>();

  open(prefix: string, tally: Tally): void {
    this.tallies.set(prefix, tally);
  }

  close(prefix: string): void {
    this.tallies.delete(prefix);
  }

  take = (key: string, scheduledAt: number, startedAt: number): void => {
    const prefix = key.slice(0, key.indexOf(':'));
    const tally = this.tallies.get(prefix);
    if (tally) tally.take(key, scheduledAt, startedAt);
    else this.late.set(prefix, (this.late.get(prefix) ?? 0) + 1);
  };
}

// ------------------------------------------------------------------ workloads

/** Rejects with `what` when `promise` takes longer than `ms` (it keeps running). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(what)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function keysFor(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}:${i}`);
}

function maxMemory(a: PeerMemory | undefined, b: PeerMemory): PeerMemory {
  if (!a) return b;
  return {
    schedulerMiB: Math.max(a.schedulerMiB, b.schedulerMiB),
    backendMiB: Math.max(a.backendMiB, b.backendMiB),
    ...(b.brokerMiB !== undefined && { brokerMiB: Math.max(a.brokerMiB ?? 0, b.brokerMiB) }),
  };
}

async function steady(
  peer: Peer,
  router: Router,
  n: number,
  run: number,
  label = `steady ${n}`,
  prefix = `s${n}r${run}`,
  seconds = opts.duration,
): Promise<RunResult> {
  const keys = keysFor(prefix, n);
  // Room for the creates at >= 100/s; the window moves on if they take longer.
  const firstSlot = nextSecond(Date.now() + 5000 + n * 10);
  const scheduleEnd = firstSlot + (seconds + 60) * 1000;
  log(`${peer.name} ${label}: creating ${n} every-second schedules…`);
  const t0 = performance.now();
  // The tally is opened after the window is known; fires before it are outside anyway.
  await peer.createRepeating(keys, firstSlot, scheduleEnd);
  const createsPerSec = n / ((performance.now() - t0) / 1000);
  const windowStart = Math.max(firstSlot, nextSecond(Date.now() + 1000));
  const leadS = Math.round((firstSlot - Date.now()) / 100) / 10;
  const slots = Array.from({ length: seconds }, (_, k) => windowStart + k * 1000);
  const tally = new Tally(new Set(keys), slots);
  router.open(prefix, tally);
  log(
    `${peer.name} ${label}: ${createsPerSec.toFixed(0)} creates/s; measuring ${seconds} s from ${new Date(windowStart).toISOString()}…`,
  );
  let memory: PeerMemory | undefined;
  while (Date.now() < slots[slots.length - 1]! + 1000) {
    await sleep(1000);
    memory = maxMemory(memory, peer.memory());
  }
  const cutOff = await tally.settle(slots[slots.length - 1]!);
  log(`${peer.name} ${label}: ${tally.received}/${tally.expected} fires; removing schedules…`);
  // The window is measured; a failed removal is reported, not fatal (the schedules end anyway).
  const removeError = await within(
    peer.removeRepeating(keys),
    REMOVE_LIMIT_MS,
    'no answer in 2 min',
  ).then(
    () => '',
    (err: unknown) => `removing the schedules failed: ${String(err).slice(0, 160)}`,
  );
  if (removeError) log(`${peer.name} ${label}: ${removeError}`);
  router.close(prefix);
  const late = leadS < 0 ? `creates ended ${-leadS} s after the first slot; window moved` : '';
  const note = [late, cutOff, removeError].filter(Boolean).join('; ');
  return {
    peer: peer.name,
    workload: label,
    prefix,
    ...(note && { note }),
    ...tally.counts(),
    firesPerSec: Math.round(tally.received / seconds),
    leadS,
    createsPerSec: Math.round(createsPerSec),
    memory,
  };
}

async function burst(peer: Peer, router: Router, n: number, run: number): Promise<RunResult> {
  const label = `burst ${n}`;
  const prefix = `b${n}r${run}`;
  const keys = keysFor(prefix, n);
  // Room for the creates at >= 250/s, and 5 s more.
  const dueAt = nextSecond(Date.now() + 5000 + n * 4);
  const tally = new Tally(new Set(keys), [dueAt]);
  router.open(prefix, tally);
  log(`${peer.name} ${label}: creating ${n} one-shots due at ${new Date(dueAt).toISOString()}…`);
  const t0 = performance.now();
  await peer.createOneShots(keys, dueAt);
  const createsPerSec = n / ((performance.now() - t0) / 1000);
  const leadS = Math.round((dueAt - Date.now()) / 100) / 10;
  log(`${peer.name} ${label}: ${createsPerSec.toFixed(0)} creates/s; due in ${leadS} s…`);
  let memory: PeerMemory | undefined;
  while (Date.now() < dueAt + 2000) {
    await sleep(500);
    memory = maxMemory(memory, peer.memory());
  }
  const cutOff = await tally.settle(dueAt);
  memory = maxMemory(memory, peer.memory());
  router.close(prefix);
  log(`${peer.name} ${label}: ${tally.received}/${tally.expected} fires`);
  return {
    peer: peer.name,
    workload: label,
    prefix,
    ...((leadS < 0 || cutOff) && {
      note: [leadS < 0 ? `creates ended ${-leadS} s after the due second` : '', cutOff]
        .filter(Boolean)
        .join('; '),
    }),
    ...tally.counts(),
    ...(tally.received > 0 && {
      firstMs: tally.firstStart - dueAt,
      drainMs: tally.lastStart - dueAt,
      firesPerSec: Math.round(tally.received / (Math.max(1, tally.lastStart - dueAt) / 1000)),
    }),
    leadS,
    createsPerSec: Math.round(createsPerSec),
    memory,
  };
}

/**
 * Schedules created per second; they start in an hour, so nothing fires during the run. They
 * stay until teardown drops the database / Redis: deleting 1,000 tasks one by one on FerretDB's
 * SQLite backend takes minutes and is not what this workload measures.
 */
async function create(peer: Peer, n: number, run: number): Promise<RunResult> {
  const firstSlot = nextSecond(Date.now() + 3_600_000);
  return createInSteps(peer, 'create', `c${n}r${run}`, n, CREATE_STEP, (keys) =>
    peer.createRepeating(keys, firstSlot, firstSlot + 60_000),
  );
}

/**
 * One-shots created per second through each peer's API for many at once, in steps of
 * BULK_STEP; due in an hour, so nothing fires during the run. They stay until teardown, idle
 * beside the burst that follows, as in the scale workload.
 */
async function bulk(peer: Peer, n: number, run: number): Promise<RunResult> {
  const dueAt = nextSecond(Date.now() + 3_600_000);
  return createInSteps(peer, 'bulk', `b${n}r${run}`, n, BULK_STEP, (keys) =>
    peer.createOneShots(keys, dueAt),
  );
}

/**
 * `n` creates in steps of `step` keys, so that a peer slower than --create-max ends with the
 * rate it reached: the workload `<label> <n>`, its creates per second and memory.
 */
async function createInSteps(
  peer: Peer,
  label: string,
  prefix: string,
  n: number,
  step: number,
  createStep: (keys: string[]) => Promise<void>,
): Promise<RunResult> {
  const keys = keysFor(prefix, n);
  log(`${peer.name} ${label}: ${n}…`);
  const t0 = performance.now();
  let created = 0;
  while (created < n && performance.now() - t0 < opts['create-max'] * 1000) {
    const batch = keys.slice(created, created + step);
    await createStep(batch);
    created += batch.length;
    if (created < n && created % (step * 5) === 0) log(`${peer.name} ${label}: ${created}/${n}`);
  }
  const createsPerSec = created / ((performance.now() - t0) / 1000);
  const memory = peer.memory();
  const note =
    created < n ? `stopped after ${created} of ${n} (--create-max ${opts['create-max']} s)` : '';
  log(`${peer.name} ${label}: ${createsPerSec.toFixed(0)}/s${note ? `; ${note}` : ''}`);
  return {
    peer: peer.name,
    workload: `${label} ${n}`,
    ...(note && { note }),
    createsPerSec: Math.round(createsPerSec),
    memory,
  };
}

// ------------------------------------------------------------------ the bench

/**
 * Empties a bench database collection by collection. Not dropDatabase: on FerretDB's SQLite
 * backend that unlinks the database file, and during a smoke run here FerretDB died with
 * SIGBUS in SQLite's WAL code right after an Agenda database was dropped, leaving a file it
 * could not open on restart. Dropping tables keeps the file (a few KiB stay behind).
 */
async function emptyDatabase(uri: string): Promise<void> {
  const conn = await mongoose.createConnection(uri).asPromise();
  try {
    for (const { name } of await conn.db!.listCollections().toArray())
      await conn.db!.dropCollection(name);
  } finally {
    await conn.close();
  }
}

// ------------------------------------------------------------------ scale

function scaleLabel(stored: number): string {
  return `scale ${countLabel(stored)} stored + ${countLabel(opts['scale-rate'])}/s`;
}

/**
 * The scale workload for one peer, in one session: stores `scale-base` idle schedules, measures
 * `runs` times, stores up to `scale-stored`, measures again. Each size is stored once and
 * reused by its runs. Once a size fails (fewer than half the fires started, no result in time,
 * or storing would take too long) the larger sizes are rows saying "cannot" and why.
 */
async function scale(name: string, peer: Peer, results: RunResult[]): Promise<void> {
  const sizes = [...new Set([opts['scale-base'], opts['scale-stored']])].filter((n) => n > 0);
  const router = new Router();
  // Creates, the window, the longest settle and the removal, with room to spare.
  const stepLimitMs = (opts['scale-duration'] + 60) * 1000 + SETTLE_MAX_MS + 600_000;
  let cannot: string | undefined;
  let insertRate = 0;
  let stored = 0;
  try {
    await peer.setup(router.take);
    indexFerretdbPostgres(log);
    for (const size of sizes) {
      const workload = scaleLabel(size);
      const insertMin = insertRate > 0 ? (size - stored) / insertRate / 60 : 0;
      if (!cannot && insertMin > opts['max-insert-min'])
        cannot = `cannot: storing ${countLabel(size)} at the ${Math.round(insertRate)}/s measured would take ~${Math.round(insertMin)} min (--max-insert-min ${opts['max-insert-min']})`;
      if (cannot) {
        log(`${name} ${workload}: ${cannot}`);
        results.push({ peer: name, workload, stored: size, note: cannot });
        continue;
      }
      log(`${name} ${workload}: storing ${size - stored} more idle schedules…`);
      const rate = await peer.storeIdle(size);
      indexFerretdbPostgres(log); // the same GIN indexes for every peer's collections
      if (rate > 0) insertRate = rate;
      stored = size;
      log(`${name} ${workload}: ${size} stored (${Math.round(rate)}/s)`);
      for (let run = 1; run <= opts.runs && !cannot; run++) {
        log(`— scale ${countLabel(size)}, run ${run}/${opts.runs}: ${name}`);
        try {
          const prefix = `x${countLabel(size)}r${run}`;
          const r = await within(
            steady(peer, router, opts['scale-rate'], run, workload, prefix, opts['scale-duration']),
            stepLimitMs,
            `no result within ${Math.round(stepLimitMs / 60_000)} min`,
          );
          r.stored = size;
          if (run === 1 && rate > 0) r.insertPerSec = Math.round(rate);
          if ((r.received ?? 0) < SCALE_MIN_SHARE * (r.expected ?? 0)) {
            cannot = `cannot: with ${countLabel(size)} stored only ${r.received}/${r.expected} fires started (run ${run})`;
            r.note = [r.note, cannot].filter(Boolean).join('; ');
          }
          results.push(r);
        } catch (err) {
          cannot = `cannot: ${(err instanceof Error ? err.message : String(err)).slice(0, 200)} (${countLabel(size)} stored, run ${run})`;
          results.push({ peer: name, workload, stored: size, note: cannot });
        }
        if (cannot) log(`${name} ${workload}: ${cannot}`);
      }
    }
  } catch (err) {
    const note = `failed: ${(err instanceof Error ? err.message : String(err)).slice(0, 200)}`;
    log(`${name} scale: ${note}`);
    for (const size of sizes.filter((n) => n > stored || stored === 0))
      results.push({ peer: name, workload: scaleLabel(size), stored: size, note });
  } finally {
    await peer.teardown().catch((err: unknown) => log(`${name}: teardown: ${String(err)}`));
    countLateStarts(results, name, router);
  }
}

// ------------------------------------------------------------------ the bench

/** Handler starts after their workload's cut-off, per result of `peer`. */
function countLateStarts(results: RunResult[], peer: string, router: Router): void {
  for (const r of results)
    if (r.peer === peer && r.prefix && router.late.has(r.prefix))
      r.afterCutOff = router.late.get(r.prefix);
}

/**
 * A rough duration of the run with these options, from the smoke timings on a 2-core machine:
 * each steady window plus ~12 s of creates and settling plus ~20 ms per schedule (creates and
 * our batched removal); a burst ~15 s plus ~6 ms per one-shot; creates at ~100/s on average (Agenda ~40/s)
 * peer; idle schedules stored at ~6,000/s on average.
 */
function estimateSeconds(peers: number): { total: number; scale: number } {
  const steadyS = (n: number, seconds = opts.duration) => seconds + 12 + n * 0.02;
  const perRun =
    5 +
    (runs('steady') ? STEADY_SIZES.reduce((sum, n) => sum + steadyS(n), 0) : 0) +
    (runs('burst') ? 15 + opts.burst * 0.006 : 0) +
    (runs('create') ? Math.min(opts['create-max'], opts.creates / 100) : 0) +
    (runs('bulk') ? Math.min(opts['create-max'], opts.bulk / 1000) : 0);
  const sizes = [...new Set([opts['scale-base'], opts['scale-stored']])].filter((n) => n > 0);
  const scale =
    runs('scale') && opts['scale-stored'] > 0
      ? peers *
        (10 +
          opts['scale-stored'] / 6000 +
          sizes.length * opts.runs * steadyS(opts['scale-rate'], opts['scale-duration']))
      : 0;
  return { total: peers * opts.runs * perRun + scale, scale };
}

const minutes = (s: number) =>
  s >= 3600
    ? `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`
    : `${Math.round(s / 60)} min`;

/** "FerretDB 1.24.2 (PostgreSQL 15 backend)": the server the stack runs, from buildInfo and the stack. */
function mongoBackendName(machine: string): string {
  const server = machine.slice(machine.lastIndexOf(', ') + 2);
  const stack = stackBackend();
  if (stack === 'ferretdb-postgresql') {
    let version = '';
    try {
      version = ` ${readFileSync(join(ROOT, '.stack/postgres/data/PG_VERSION'), 'utf8').trim()}`;
    } catch {
      // not this repo's cluster
    }
    return `${server} (PostgreSQL${version} backend)`;
  }
  if (stack === 'ferretdb-sqlite') return `${server} (SQLite backend)`;
  return server;
}

/** docs/bench/<base> that does not overwrite an earlier report of the same day. */
function freeBase(dir: string, base: string): string {
  for (let i = 1; ; i++) {
    const candidate = i === 1 ? base : `${base}-${i}`;
    if (!existsSync(join(dir, `${candidate}.md`))) return candidate;
  }
}

async function main() {
  const stamp = `${started}`;
  const baseUri = requireEnv('MONGODB_URI');
  const brokers = requireEnv('KAFKA_BROKERS').split(',');
  const machine = await describeMachine(withDatabase(baseUri, 'admin'));
  const mongoBackend = mongoBackendName(machine);
  // Fails here, before anything runs, when redis-server is missing.
  const bullmqDescription = new BullmqPeer();
  const bullmqBackend = bullmqDescription.backend;
  const makers: Record<string, (session: string) => Peer> = {
    'task-center': (session) =>
      new TaskCenterPeer({
        mongoUri: withDatabase(baseUri, `bench_peers_tc_${stamp}_${session}`),
        brokers,
        stamp: `${stamp}-${session}`,
        backend: mongoBackend,
      }),
    agenda: (session) => {
      const uri = withDatabase(baseUri, `bench_peers_agenda_${stamp}_${session}`);
      return new ChildPeer(new AgendaPeer(uri, mongoBackend), {
        kind: 'agenda',
        args: [uri, mongoBackend],
        backendMiB: () => mongoBackendMiB(),
      });
    },
    bullmq: () => new ChildPeer(bullmqDescription, { kind: 'bullmq', args: [] }),
  };
  const names = opts.peers ? opts.peers.split(',') : Object.keys(makers);
  for (const name of names) if (!makers[name]) throw new Error(`unknown peer ${name}`);
  const emptySession = async (session: string) => {
    for (const db of [
      `bench_peers_tc_${stamp}_${session}`,
      `bench_peers_agenda_${stamp}_${session}`,
    ])
      await emptyDatabase(withDatabase(baseUri, db)).catch((err: unknown) =>
        log(`could not empty ${db}: ${String(err)}`),
      );
  };
  const results: RunResult[] = [];
  const settings: Record<string, { backend: string; settings: string[] }> = {};
  const estimate = estimateSeconds(names.length);
  // A peer that loses fires makes each of its workloads wait up to SETTLE_MAX_MS.
  const lossyS =
    (opts.runs * (STEADY_SIZES.length + 1 + (opts['scale-stored'] ? 1 : 0)) * SETTLE_MAX_MS) / 1000;
  log(
    `estimated duration: ~${minutes(estimate.total)}` +
      (estimate.scale ? ` (scale ~${minutes(estimate.scale)} of it)` : '') +
      `, up to ~${minutes(estimate.total + lossyS)} if one peer loses fires in every workload` +
      `; ${names.join(', ')}; workloads ${WORKLOADS.join(', ')}; ${opts.runs} run(s)`,
  );

  const perRun = WORKLOADS.filter((w) => w !== 'scale');
  for (let run = 1; run <= opts.runs && perRun.length > 0; run++) {
    for (const name of names) {
      log(`— run ${run}/${opts.runs}: ${name}`);
      const router = new Router();
      const peer = makers[name]!(String(run));
      settings[name] = { backend: peer.backend, settings: peer.settings };
      // A failed workload is a row that says so; the next one still runs.
      const attempt = async (workload: string, fn: () => Promise<RunResult>) => {
        try {
          results.push(await fn());
        } catch (err) {
          const message = (err instanceof Error ? err.message : String(err)).slice(0, 200);
          log(`${name} ${workload}: failed: ${message}`);
          results.push({ peer: name, workload, note: `failed: ${message}` });
        }
      };
      try {
        await attempt('setup', async () => {
          await within(peer.setup(router.take), REMOVE_LIMIT_MS, 'setup: no answer in 2 min');
          indexFerretdbPostgres(log);
          return { peer: name, workload: 'setup' };
        });
        if (results.at(-1)?.note) continue;
        results.pop();
        if (runs('steady'))
          for (const n of STEADY_SIZES)
            await attempt(`steady ${n}`, () => steady(peer, router, n, run));
        // Creates (single and bulk) before the burst: a peer still working through a burst it
        // could not keep up with (Agenda, seen here: its bulk step then took over 17 minutes)
        // would slow its creates down for a reason of its own.
        if (runs('create'))
          await attempt(`create ${opts.creates}`, () => create(peer, opts.creates, run));
        if (runs('bulk')) await attempt(`bulk ${opts.bulk}`, () => bulk(peer, opts.bulk, run));
        if (runs('burst'))
          await attempt(`burst ${opts.burst}`, () => burst(peer, router, opts.burst, run));
      } finally {
        await peer.teardown().catch((err: unknown) => log(`${name}: teardown: ${String(err)}`));
        countLateStarts(results, name, router);
      }
    }
    await emptySession(String(run));
  }

  if (runs('scale') && opts['scale-stored'] > 0) {
    for (const name of names) {
      log(`— scale: ${name}`);
      const peer = makers[name]!('scale');
      settings[name] ??= { backend: peer.backend, settings: peer.settings };
      await scale(name, peer, results);
    }
    await emptySession('scale');
  } else if (runs('scale')) {
    for (const name of names)
      results.push({
        peer: name,
        workload: scaleLabel(1_000_000),
        note: opts.quick
          ? 'not run in --quick (add --scale-stored N)'
          : 'not run (--scale-stored 0)',
      });
  }

  const summaries = summarize(results);
  const durationS = Math.round((Date.now() - started) / 1000);
  const cpu = cpus();
  const scaleText =
    opts['scale-stored'] > 0 && runs('scale')
      ? `, scale ${opts['scale-rate']}/s x ${opts['scale-duration']} s with ${countLabel(opts['scale-base'])} and ${countLabel(opts['scale-stored'])} stored`
      : '';
  const header = [
    `machine:  ${cpu.length} cores (${cpu[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`,
    `backends: task-center and agenda on ${mongoBackend}, task-center also on Kafka (between center and worker); bullmq on ${bullmqBackend}`,
    `mode:     ${opts.quick ? 'QUICK smoke run (--quick), not the comparison' : 'full'}; ${opts.runs} run(s), median (min–max); steady ${STEADY_SIZES.join(' and ')} schedules x ${opts.duration} s, burst ${opts.burst}, create ${opts.creates}, bulk ${opts.bulk}${scaleText}`,
    `took:     ${minutes(durationS)} (${durationS} s; estimated up front: ~${minutes(estimate.total)})`,
    `lateness: handler start − the scheduled time of the fire as each system records it (see settings)`,
    `memory:   peak during the workload; scheduler = VmRSS of the center (ours; its TaskWorker runs in the bench process) or of the peer's own node process (scheduler and handlers); backend = VmRSS of FerretDB/mongod + PSS of its PostgreSQL processes, or VmRSS of redis-server`,
  ];
  const table = markdownTable(summaries);
  const ratios = headlineRatios(summaries);
  console.log(`\n${header.join('\n')}\n\n${table}\n\nheadline ratios:\n${ratios.join('\n')}\n`);
  for (const [name, s] of Object.entries(settings))
    console.log(`${name} (${s.backend}):\n${s.settings.map((l) => `  - ${l}`).join('\n')}`);

  const dir = join(ROOT, 'docs/bench');
  mkdirSync(dir, { recursive: true });
  const base = freeBase(
    dir,
    `peers-${opts.quick ? 'quick-' : ''}${new Date(started).toISOString().slice(0, 10)}`,
  );
  const json = {
    date: new Date(started).toISOString(),
    machine,
    mongoBackend,
    bullmqBackend,
    options: opts,
    durationS,
    estimateS: Math.round(estimate.total),
    settings,
    summaries,
    runs: results,
  };
  // Formatted like the rest of the repo, so `npm run lint` (prettier --check .) stays clean.
  const write = async (file: string, text: string) => {
    const path = join(dir, file);
    const config = (await prettier.resolveConfig(path)) ?? {};
    writeFileSync(path, await prettier.format(text, { ...config, filepath: path }));
  };
  await write(`${base}.json`, JSON.stringify(json, null, 2));
  const md = [
    `# Peer comparison${opts.quick ? ': quick smoke run' : ''}, ${json.date.slice(0, 10)}`,
    '',
    '```text',
    ...header,
    '```',
    '',
    table,
    '',
    '## Headline ratios',
    '',
    'Computed from the medians above (ours = task-center; ×N = how many times better the leader is).',
    '',
    ...(ratios.length ? ratios : ['- nothing to compare']),
    '',
    '## Charts',
    '',
    `![lateness by percentile](${base}-lateness.svg)`,
    '',
    `![throughput per workload](${base}-throughput.svg)`,
    '',
    '## Settings',
    '',
    ...Object.entries(settings).flatMap(([name, s]) => [
      `**${name}** (${s.backend}):`,
      '',
      ...s.settings.map((l) => `- ${l}`),
      '',
    ]),
    `Machine-readable: [${base}.json](${base}.json).`,
    '',
  ].join('\n');
  await write(`${base}.md`, md);
  writeFileSync(join(dir, `${base}-lateness.svg`), latenessChart(summaries));
  writeFileSync(join(dir, `${base}-throughput.svg`), throughputChart(summaries));
  console.log(
    `\nwritten:  docs/bench/${base}.{md,json}, ${base}-lateness.svg, ${base}-throughput.svg`,
  );
}

main().then(
  // Exit explicitly: after their own stop()/close() a peer client can still hold a handle
  // (a quick run here stayed alive after printing its results), and the bench must end.
  () => process.exit(0),
  (err: unknown) => {
    console.error(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
