/**
 * Task Center side by side with Agenda (MongoDB) and BullMQ job schedulers (Redis), same
 * machine, same workloads, each peer configured the way its docs recommend for low latency
 * (bench/peers/*.peer.ts say what and why).
 *
 *   npm run bench -- [--quick] [--runs 3] [--duration 120] [--burst 10000] [--creates 10000]
 *
 * Workloads (quick mode in brackets):
 *   steady  N repeating every-second schedules, N = 100 and 1,000 [100], `duration` s [20];
 *           lateness = handler start - the peer's own scheduled time of the fire.
 *   burst   `burst` one-shots [1,000] due in the same second; time until the last handler starts.
 *   scale   1,000,000 stored idle + 1,000 firing per second [not run].
 *   create  `creates` repeating schedules [1,000] through each peer's own API, per second.
 * Every number is the median of `runs` [1] runs, with min and max. Writes
 * docs/bench/peers-<date>.json and .md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import * as hdr from 'hdr-histogram-js';
import * as prettier from 'prettier';
import { AgendaPeer } from './peers/agenda.peer';
import { BullmqPeer } from './peers/bullmq.peer';
import { type Peer, type PeerMemory } from './peers/peer';
import { TaskCenterPeer } from './peers/task-center.peer';
import mongoose from 'mongoose';
import { args, describeMachine, requireEnv, ROOT, stackBackend, withDatabase } from './support';

const opts = args({
  quick: false,
  runs: 3,
  duration: 120,
  burst: 10_000,
  creates: 10_000,
  /** Give up on missing fires this long after the last new one. */
  'idle-give-up': 15,
});
if (opts.quick) {
  opts.runs = Math.min(opts.runs, 1);
  opts.duration = 20;
  opts.burst = 1000;
  opts.creates = 1000;
  opts['idle-give-up'] = 5;
}
const STEADY_SIZES = opts.quick ? [100] : [100, 1000];
const SCALE_STORED = 1_000_000;
/** After the last expected slot, stop waiting for stragglers after this long at the latest. */
const SETTLE_MAX_MS = opts.quick ? 30_000 : 300_000;

const log = (line: string) => process.stderr.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const nextSecond = (ms: number) => Math.ceil(ms / 1000) * 1000;

// ------------------------------------------------------------------ what the handlers report

interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/** The fires one workload expects (keys x slots) and what the handlers reported. */
class Tally {
  private readonly seen = new Map<string, number>();
  readonly lateness = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000,
    numberOfSignificantValueDigits: 3,
  });
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

  percentiles(): Percentiles {
    const h = this.lateness;
    return {
      p50: h.getValueAtPercentile(50),
      p90: h.getValueAtPercentile(90),
      p99: h.getValueAtPercentile(99),
      p999: h.getValueAtPercentile(99.9),
      max: h.maxValue,
    };
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

// ------------------------------------------------------------------ results

interface RunResult {
  peer: string;
  workload: string;
  /** Key prefix of the workload's schedules (routes late fires back to it). */
  prefix?: string;
  /** Handler starts that came after the workload stopped counting (not in the figures). */
  afterCutOff?: number;
  /** Set when the peer could not do the workload, or it was not run: the row says why. */
  note?: string;
  expected?: number;
  received?: number;
  lost?: number;
  duplicates?: number;
  unaligned?: number;
  latenessMs?: Percentiles;
  /** Burst: from the due second to the first / last handler start. */
  firstMs?: number;
  drainMs?: number;
  /** Seconds between the end of the creates and the first slot (burst: the due second). */
  leadS?: number;
  createsPerSec?: number;
  memory?: PeerMemory;
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

async function steady(peer: Peer, router: Router, n: number, run: number): Promise<RunResult> {
  const label = `steady ${n}`;
  const prefix = `s${n}r${run}`;
  const keys = keysFor(prefix, n);
  // Room for the creates at >= 100/s; the window moves on if they take longer.
  const firstSlot = nextSecond(Date.now() + 5000 + n * 10);
  const scheduleEnd = firstSlot + (opts.duration + 60) * 1000;
  log(`${peer.name} ${label}: creating ${n} every-second schedules…`);
  const t0 = performance.now();
  // The tally is opened after the window is known; fires before it are outside anyway.
  await peer.createRepeating(keys, firstSlot, scheduleEnd);
  const createsPerSec = n / ((performance.now() - t0) / 1000);
  const windowStart = Math.max(firstSlot, nextSecond(Date.now() + 1000));
  const leadS = Math.round((firstSlot - Date.now()) / 100) / 10;
  const slots = Array.from({ length: opts.duration }, (_, k) => windowStart + k * 1000);
  const tally = new Tally(new Set(keys), slots);
  router.open(prefix, tally);
  log(
    `${peer.name} ${label}: ${createsPerSec.toFixed(0)} creates/s; measuring ${opts.duration} s from ${new Date(windowStart).toISOString()}…`,
  );
  let memory: PeerMemory | undefined;
  while (Date.now() < slots[slots.length - 1]! + 1000) {
    await sleep(1000);
    memory = maxMemory(memory, peer.memory());
  }
  const cutOff = await tally.settle(slots[slots.length - 1]!);
  log(`${peer.name} ${label}: ${tally.received}/${tally.expected} fires; removing schedules…`);
  // The window is measured; a failed removal is reported, not fatal (the schedules end anyway).
  const removeError = await peer.removeRepeating(keys).then(
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
    expected: tally.expected,
    received: tally.received,
    lost: tally.expected - tally.received,
    duplicates: tally.duplicates,
    unaligned: tally.unaligned,
    ...(tally.received > 0 && { latenessMs: tally.percentiles() }),
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
    expected: tally.expected,
    received: tally.received,
    lost: tally.expected - tally.received,
    duplicates: tally.duplicates,
    unaligned: tally.unaligned,
    ...(tally.received > 0 && { latenessMs: tally.percentiles() }),
    ...(tally.received > 0 && {
      firstMs: tally.firstStart - dueAt,
      drainMs: tally.lastStart - dueAt,
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
  const keys = keysFor(`c${n}r${run}`, n);
  const firstSlot = nextSecond(Date.now() + 3_600_000);
  log(`${peer.name} create: ${n} repeating schedules…`);
  const t0 = performance.now();
  await peer.createRepeating(keys, firstSlot, firstSlot + 60_000);
  const createsPerSec = n / ((performance.now() - t0) / 1000);
  const memory = peer.memory();
  log(`${peer.name} create: ${createsPerSec.toFixed(0)}/s`);
  return {
    peer: peer.name,
    workload: `create ${n}`,
    createsPerSec: Math.round(createsPerSec),
    memory,
  };
}

// ------------------------------------------------------------------ aggregation and output

interface Summary {
  peer: string;
  workload: string;
  runs: number;
  notes: string[];
  /** metric path -> [median, min, max] over the runs that have it */
  metrics: Record<string, [number, number, number]>;
}

function flatten(r: RunResult): Record<string, number> {
  const out: Record<string, number> = {};
  const put = (k: string, v: number | undefined) => {
    if (v !== undefined && Number.isFinite(v)) out[k] = v;
  };
  put('expected', r.expected);
  put('received', r.received);
  put('lost', r.lost);
  put('duplicates', r.duplicates);
  put('unaligned', r.unaligned);
  for (const [k, v] of Object.entries(r.latenessMs ?? {})) put(`lateness.${k}`, v as number);
  put('firstMs', r.firstMs);
  put('drainMs', r.drainMs);
  put('leadS', r.leadS);
  put('createsPerSec', r.createsPerSec);
  put('afterCutOff', r.afterCutOff);
  put('rss.schedulerMiB', r.memory?.schedulerMiB);
  put('rss.backendMiB', r.memory?.backendMiB);
  put('rss.brokerMiB', r.memory?.brokerMiB);
  return out;
}

function summarize(results: RunResult[]): Summary[] {
  const groups = new Map<string, RunResult[]>();
  for (const r of results) {
    const k = `${r.peer}\u0000${r.workload}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  return [...groups.values()].map((runs) => {
    const flat = runs.map(flatten);
    const names = [...new Set(flat.flatMap((f) => Object.keys(f)))];
    const metrics: Summary['metrics'] = {};
    for (const name of names) {
      const values = flat
        .map((f) => f[name])
        .filter((v): v is number => v !== undefined)
        .sort((a, b) => a - b);
      metrics[name] = [values[Math.floor(values.length / 2)]!, values[0]!, values.at(-1)!];
    }
    return {
      peer: runs[0]!.peer,
      workload: runs[0]!.workload,
      runs: runs.length,
      notes: [...new Set(runs.map((r) => r.note).filter((n): n is string => !!n))],
      metrics,
    };
  });
}

function ms(v: number): string {
  return v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`;
}

/** "median" or "median (min–max)" when the runs differ. */
function cell(s: Summary, name: string, format: (v: number) => string = String): string {
  const m = s.metrics[name];
  if (!m) return '-';
  const [median, min, max] = m;
  return min === max ? format(median) : `${format(median)} (${format(min)}–${format(max)})`;
}

function markdownTable(summaries: Summary[]): string {
  const header = [
    'workload',
    'system',
    'fires received / expected',
    'lost',
    'dup',
    'late starts after cut-off',
    'lateness p50',
    'p90',
    'p99',
    'p99.9',
    'max',
    'burst last start',
    'creates/s',
    'RSS scheduler',
    'RSS backend',
  ];
  const rows = summaries.map((s) => {
    if (Object.keys(s.metrics).length === 0)
      return [s.workload, s.peer, s.notes.join('; ') || '-', ...header.slice(3).map(() => '')];
    const mib = (v: number) => `${v} MiB`;
    const backend =
      cell(s, 'rss.backendMiB', mib) +
      (s.metrics['rss.brokerMiB'] ? ` + Kafka ${cell(s, 'rss.brokerMiB', mib)}` : '');
    return [
      s.workload + (s.notes.length ? ` (${s.notes.join('; ')})` : ''),
      s.peer,
      s.metrics.expected ? `${cell(s, 'received')} / ${cell(s, 'expected')}` : '-',
      cell(s, 'lost'),
      cell(s, 'duplicates'),
      cell(s, 'afterCutOff'),
      cell(s, 'lateness.p50', ms),
      cell(s, 'lateness.p90', ms),
      cell(s, 'lateness.p99', ms),
      cell(s, 'lateness.p999', ms),
      cell(s, 'lateness.max', ms),
      cell(s, 'drainMs', ms),
      cell(s, 'createsPerSec'),
      cell(s, 'rss.schedulerMiB', mib),
      s.metrics['rss.backendMiB'] ? backend : '-',
    ];
  });
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** A hand-rolled horizontal bar chart of p99 lateness per system and workload (log scale). */
function p99Chart(summaries: Summary[]): string {
  const bars = summaries.filter((s) => s.metrics['lateness.p99']);
  const rowH = 22;
  const left = 190;
  const width = 760;
  const plotW = width - left - 90;
  const height = bars.length * rowH + 50;
  const maxV = Math.max(10, ...bars.map((s) => s.metrics['lateness.p99']![0]));
  const x = (v: number) => (Math.log10(Math.max(1, v)) / Math.log10(maxV)) * plotW;
  const colors: Record<string, string> = {
    'task-center': '#2b6cb0',
    agenda: '#c05621',
    bullmq: '#2f855a',
  };
  const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const rects = bars.map((s, i) => {
    const v = s.metrics['lateness.p99']![0];
    const y = 30 + i * rowH;
    return [
      `<text x="${left - 8}" y="${y + 14}" text-anchor="end">${esc(`${s.workload} · ${s.peer}`)}</text>`,
      `<rect x="${left}" y="${y + 3}" width="${Math.max(1, x(v)).toFixed(1)}" height="${rowH - 6}" fill="${colors[s.peer] ?? '#718096'}"/>`,
      `<text x="${(left + Math.max(1, x(v)) + 6).toFixed(1)}" y="${y + 14}">${esc(ms(v))}</text>`,
    ].join('');
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<text x="10" y="18" font-weight="bold">Lateness p99 (handler start − scheduled time), log scale; lower is better</text>`,
    ...rects,
    '</svg>',
    '',
  ].join('\n');
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

async function main() {
  const started = Date.now();
  const stamp = `${started}`;
  const baseUri = requireEnv('MONGODB_URI');
  const brokers = requireEnv('KAFKA_BROKERS').split(',');
  const machine = await describeMachine(withDatabase(baseUri, 'admin'));
  const mongoBackend = stackBackend() ?? machine.slice(machine.lastIndexOf(', ') + 2);
  // Fails here, before anything runs, when redis-server is missing.
  const bullmqBackend = new BullmqPeer().backend;
  const results: RunResult[] = [];
  const settings: Record<string, { backend: string; settings: string[] }> = {};

  for (let run = 1; run <= opts.runs; run++) {
    const peers: [string, () => Peer, string?][] = [
      [
        'task-center',
        () =>
          new TaskCenterPeer({
            mongoUri: withDatabase(baseUri, `bench_peers_tc_${stamp}_${run}`),
            brokers,
            stamp: `${stamp}-${run}`,
            backend: mongoBackend,
          }),
      ],
      [
        'agenda',
        () =>
          new AgendaPeer(withDatabase(baseUri, `bench_peers_agenda_${stamp}_${run}`), mongoBackend),
      ],
      ['bullmq', () => new BullmqPeer()],
    ];
    for (const [name, make] of peers) {
      log(`— run ${run}/${opts.runs}: ${name}`);
      const router = new Router();
      const peer = make();
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
          await peer.setup(router.take);
          return { peer: name, workload: 'setup' };
        });
        if (results.at(-1)?.note) continue;
        results.pop();
        for (const n of STEADY_SIZES)
          await attempt(`steady ${n}`, () => steady(peer, router, n, run));
        await attempt(`burst ${opts.burst}`, () => burst(peer, router, opts.burst, run));
        results.push({
          peer: name,
          workload: `scale ${SCALE_STORED / 1e6}M stored + 1k/s`,
          note: opts.quick ? 'not run in --quick' : 'not implemented yet (issue 7, next session)',
        });
        await attempt(`create ${opts.creates}`, () => create(peer, opts.creates, run));
      } finally {
        await peer.teardown().catch((err: unknown) => log(`${name}: teardown: ${String(err)}`));
        for (const r of results)
          if (r.peer === name && r.prefix && router.late.has(r.prefix))
            r.afterCutOff = router.late.get(r.prefix);
      }
    }
    for (const db of [`bench_peers_tc_${stamp}_${run}`, `bench_peers_agenda_${stamp}_${run}`])
      await emptyDatabase(withDatabase(baseUri, db)).catch((err: unknown) =>
        log(`could not empty ${db}: ${String(err)}`),
      );
  }

  const summaries = summarize(results);
  const order = (s: Summary) =>
    ['setup', 'steady', 'burst', 'scale', 'create'].findIndex((w) => s.workload.startsWith(w));
  summaries.sort((a, b) => order(a) - order(b) || a.workload.localeCompare(b.workload));
  const durationS = Math.round((Date.now() - started) / 1000);
  const cpu = cpus();
  const header = [
    `machine:  ${cpu.length} cores (${cpu[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`,
    `backends: task-center and agenda on ${mongoBackend} (Kafka between center and worker); bullmq on ${bullmqBackend}`,
    `mode:     ${opts.quick ? 'QUICK smoke run (--quick), not the comparison' : 'full'}; ${opts.runs} run(s), median (min–max); steady ${STEADY_SIZES.join(' and ')} schedules x ${opts.duration} s, burst ${opts.burst}, create ${opts.creates}; took ${durationS} s`,
    `lateness: handler start − the scheduled time of the fire as each system records it (see settings)`,
    `memory:   peak VmRSS; agenda and bullmq run inside the bench process, so their scheduler RSS includes the bench's bookkeeping`,
  ];
  const table = markdownTable(summaries);
  console.log(`\n${header.join('\n')}\n\n${table}\n`);
  for (const [name, s] of Object.entries(settings))
    console.log(`${name} (${s.backend}):\n${s.settings.map((l) => `  - ${l}`).join('\n')}`);

  const dir = join(ROOT, 'docs/bench');
  mkdirSync(dir, { recursive: true });
  const base = `peers-${opts.quick ? 'quick-' : ''}${new Date(started).toISOString().slice(0, 10)}`;
  const json = {
    date: new Date(started).toISOString(),
    machine,
    mongoBackend,
    bullmqBackend,
    options: opts,
    durationS,
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
    `![p99 lateness](${base}-p99.svg)`,
    '',
    '## Settings',
    '',
    ...Object.entries(settings).flatMap(([name, s]) => [
      `**${name}** (${s.backend}):`,
      '',
      ...s.settings.map((l) => `- ${l}`),
      '',
    ]),
  ].join('\n');
  await write(`${base}.md`, md);
  writeFileSync(join(dir, `${base}-p99.svg`), p99Chart(summaries));
  console.log(`\nwritten:  docs/bench/${base}.{md,json} and ${base}-p99.svg`);
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
