/**
 * HTTP target deliveries: a real task center process (production bundle) on the local stack,
 * with a fresh database and fresh topics, delivering the fires of `rate` loop tasks
 * (loop_time 1 s) to a no-op HTTP server on loopback, which counts what arrives.
 *
 *   npm run bench:http -- [--quick] [--rate 2000] [--seconds 60] [--warmup 10] [--standalone]
 *                         [--direct]
 *
 * `rate` loop tasks share one start second (like bench/dispatch.ts: start_time is whole
 * seconds, so every slot is a burst of `rate` fires); the `warmup` slots after the last
 * create are left out, the next `seconds` slots are measured. --standalone runs the delivery worker as its own
 * process (`main.js http-targets`) next to a center with HTTP_TARGETS_ENABLED=false.
 * --direct publishes the same fire records to the HTTP topic from the bench at each second
 * (with --spread: each task at its own 10 ms step of the second, a steady stream) instead of
 * creating tasks: the delivery path alone (Kafka -> worker -> HTTP -> outcome ->
 * run history), without the dispatcher's database reads and writes.
 * Requests are signed (HTTP_TARGET_SIGNING_SECRETS set) and the center's outcome consumer
 * writes the run history, as in production. DISPATCH_* and HTTP_TARGET_* variables in the
 * bench's environment reach the center and the worker (e.g. HTTP_TARGET_MAX_PER_HOST=64).
 * BENCH_CENTER_NODE_ARGS / BENCH_WORKER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/p")
 * profile them.
 *
 * Lateness = the server's receive time (request headers parsed) - tc-scheduled-at; ack =
 * the center's own due -> Kafka ack histogram (the dispatch share of it). The server runs in
 * this process: the center and the worker are processes of their own, so it shares no event
 * loop with them (its CPU is printed as "bench"). Writes bench/results/http-targets-<backend>-<date>.json.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import * as hdr from 'hdr-histogram-js';
import { type HttpTarget } from '@task-center/contracts';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { Types } from 'mongoose';
import { type FireSource, fireMessage } from '../apps/task-center/src/kafka/fire-message';
import { type AckLateness, ackLateness, scrapeBuckets } from './ack-lateness';
import {
  args,
  cpuMeter,
  describeMachine,
  dispatchSettings,
  dropDatabase,
  forEachConcurrent,
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
  rate: 2000,
  seconds: 60,
  /** Slots left out at the start (a fresh process, fresh topics, cold connections). */
  warmup: 10,
  quick: false,
  standalone: false,
  /** The bench publishes the fires to the HTTP topic itself: the delivery path alone. */
  direct: false,
  /**
   * With --direct: each task's fires at its own offset within the second (10 ms steps), a
   * steady stream instead of one burst of `rate` fires per second.
   */
  spread: false,
  /** Concurrent creates. */
  concurrency: 32,
  /** Seconds from the first create to the tasks' start second. */
  lead: 3,
  partitions: 6,
});
if (opts.quick) Object.assign(opts, { rate: 500, seconds: 15, warmup: 5 });

const SIGNING_SECRET = 'bench-http-targets-signing-secret';
/** Creates/s the start second is planned for (~150 here on FerretDB/SQLite under load). */
const CREATES_PER_S_PLAN = 100;
/** Give up waiting for missing requests after this long without a new one. */
const IDLE_GIVE_UP_MS = 10_000;

const log = (line: string) => process.stderr.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const nowSec = () => Math.floor(Date.now() / 1000);

/** DISPATCH_* and HTTP_TARGET_* of the bench's environment: passed to the center and worker. */
function tunedSettings(): Record<string, string> {
  const out: Record<string, string> = { ...dispatchSettings() };
  for (const [name, value] of Object.entries(process.env))
    if (name.startsWith('HTTP_TARGET_') && value !== undefined) out[name] = value;
  return out;
}

// ------------------------------------------------------------------ the no-op server

interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

const percentiles = (h: hdr.Histogram): Percentiles => ({
  p50: h.getValueAtPercentile(50),
  p90: h.getValueAtPercentile(90),
  p99: h.getValueAtPercentile(99),
  max: h.maxValue,
});

/**
 * Answers 204 to everything and counts, per (task, slot), what arrives; lateness is recorded
 * for the measured slots only.
 */
class NoopSink {
  readonly lateness = latencyHistogram();
  /** `${task}:${slot}` -> requests */
  private readonly seen = new Map<string, number>();
  readonly perSecond = new Map<number, number>();
  requests = 0;
  duplicates = 0;
  /** Requests with tc-attempt > 1: an earlier attempt of that fire failed. */
  retries = 0;
  unsigned = 0;
  inWindow = 0;
  lastInWindowAt = 0;
  private firstSlot = Infinity;
  private lastSlot = -Infinity;
  private server: Server | undefined;

  /** The slots to measure (epoch ms, both included). */
  measure(firstSlot: number, lastSlot: number): void {
    this.firstSlot = firstSlot;
    this.lastSlot = lastSlot;
  }

  async start(): Promise<string> {
    const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
      const at = Date.now();
      this.take(
        String(req.headers['tc-task-id']),
        Number(req.headers['tc-scheduled-at']),
        Number(req.headers['tc-attempt']),
        req.headers['tc-signature'] !== undefined,
        at,
      );
      req.resume();
      req.on('end', () => {
        res.writeHead(204);
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  }

  private take(task: string, slot: number, attempt: number, signed: boolean, at: number): void {
    this.requests++;
    if (attempt > 1) this.retries++;
    if (!signed) this.unsigned++;
    const key = `${task}:${slot}`;
    const n = this.seen.get(key) ?? 0;
    this.seen.set(key, n + 1);
    if (n > 0) {
      this.duplicates++;
      return;
    }
    if (slot < this.firstSlot || slot > this.lastSlot) return;
    this.inWindow++;
    this.lastInWindowAt = at;
    this.lateness.recordValue(Math.max(0, at - slot));
    const second = Math.floor(at / 1000);
    this.perSecond.set(second, (this.perSecond.get(second) ?? 0) + 1);
  }

  /** Resolves when `expected` measured fires arrived, or none came for a while. */
  async settle(expected: number): Promise<void> {
    const since = Date.now();
    const idle = () => Date.now() - Math.max(since, this.lastInWindowAt);
    while (this.inWindow < expected && idle() < IDLE_GIVE_UP_MS) await sleep(100);
    await sleep(1000); // a duplicate can trail its original
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

// ------------------------------------------------------------------ where the fires come from

/**
 * `rate` loop tasks (loop_time 1 s) through the API; resolves with the creates/s. No end_time:
 * they fire until the center stops. They start after the creates are planned to end: while
 * due tasks fire, creates slow down a lot on FerretDB/SQLite (and the first fires with them);
 * tasks created after their start second anyway only cost warm-up fires, as the measured
 * slots start after the last create.
 */
async function createTasks(
  url: string,
  agent: Agent,
  n: number,
  target: string,
): Promise<{ createsPerSec: number; start: number }> {
  const start = nowSec() + Math.ceil(n / CREATES_PER_S_PLAN) + opts.lead;
  log(`creating ${n} loop tasks (loop_time 1 s from ${new Date(start * 1000).toISOString()})…`);
  let failures = 0;
  let lastError = '';
  const took = await forEachConcurrent(n, opts.concurrency, async (i) => {
    const { status, json } = await postJson(agent, `${url}/v1/api/task`, {
      name: 'bench.http',
      type: 2,
      loop_time: 1,
      start_time: start,
      data: JSON.stringify({ i, pad: 'x'.repeat(64) }),
      target: { type: 'http', url: target, headers: { 'content-type': 'application/json' } },
    });
    if (status !== 200) {
      failures++;
      lastError = `${status} ${JSON.stringify(json)}`;
    }
  });
  if (failures > 0) throw new Error(`${failures} of ${n} creates failed, e.g. ${lastError}`);
  log(`${(n / took).toFixed(0)} creates/s`);
  return { createsPerSec: Math.round(n / took), start };
}

/**
 * --direct: the fires of `n` loop tasks published by the bench at each second, as the
 * dispatcher would (same record: fireMessage, key = task id, acks all), so the numbers are
 * the delivery path's alone: no database read, no dispatch planning.
 */
class DirectFires {
  private readonly producer: Producer;
  private readonly tasks: FireSource[];
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(
    kafka: Kafka,
    private readonly topic: string,
    n: number,
    url: string,
    private readonly spread: boolean,
  ) {
    this.producer = kafka.producer();
    const target: HttpTarget = {
      type: 'http',
      url,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      timeoutS: 10,
    };
    this.tasks = Array.from({ length: n }, (_, i) => ({
      id: new Types.ObjectId().toHexString(),
      name: 'bench.http',
      type: 2,
      data: JSON.stringify({ i, pad: 'x'.repeat(64) }),
      target,
      ack: false,
    }));
  }

  /** Publishes from `startSec` on, every second; resolves with the first slot (epoch ms). */
  async start(startSec: number): Promise<number> {
    await this.producer.connect();
    const topics = { tasks: this.topic, http: this.topic };
    // Burst: every task at the whole second. Spread: task i at step floor(i * 100 / n) of
    // the second's hundred 10 ms steps, so a step holds n / 100 fires.
    const steps = this.spread ? 100 : 1;
    const byStep = Array.from({ length: steps }, (_, s) =>
      this.tasks.filter((_, i) => Math.floor((i * steps) / this.tasks.length) === s),
    );
    const tick = (second: number, step: number) => {
      if (this.stopped) return;
      const slot = second + step * (1000 / steps);
      const now = Date.now();
      const messages = byStep[step]!.map((t) => fireMessage(t, slot, 1, now, topics));
      this.sending = this.producer
        .send({ topic: this.topic, acks: -1, messages })
        .catch((err: unknown) => log(`direct: publish failed (${String(err)})`));
      const next = step + 1 === steps ? [second + 1000, 0] : [second, step + 1];
      const at = next[0]! + next[1]! * (1000 / steps);
      this.timer = setTimeout(() => tick(next[0]!, next[1]!), at - Date.now());
    };
    const first = startSec * 1000;
    this.timer = setTimeout(() => tick(first, 0), first - Date.now());
    log(
      `publishing ${this.tasks.length} fires/s to ${this.topic} from ${new Date(first).toISOString()}`,
    );
    return first;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    await this.sending;
    await this.producer.disconnect();
  }
}

// ------------------------------------------------------------------ processes

/** `main.js http-targets`: the delivery worker on its own. */
function startWorker(env: Record<string, string>): ChildProcess {
  const nodeArgs = (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  return spawn(
    process.execPath,
    [...nodeArgs, join(ROOT, 'dist/apps/task-center/main.js'), 'http-targets'],
    {
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'production',
        LOG_LEVEL: process.env.BENCH_CENTER_LOG_LEVEL ?? 'warn',
        ...env,
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
}

/** Resident memory of a process in MiB (Linux /proc; 0 when unknown). */
function rssMiB(pid: number | undefined): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

/** Samples the largest RSS of each process every second until stopped. */
function rssPeaks(pids: Record<string, number | undefined>) {
  const peak: Record<string, number> = {};
  const sample = () => {
    for (const [role, pid] of Object.entries(pids))
      if (pid) peak[role] = Math.max(peak[role] ?? 0, rssMiB(pid));
  };
  sample();
  const timer = setInterval(sample, 1000);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

// ------------------------------------------------------------------ the bench

interface Result {
  mode: 'in-process' | 'standalone';
  /** Who published the fires: the center's dispatcher, or the bench (--direct). */
  source: 'dispatcher' | 'direct';
  rate: number;
  seconds: number;
  tasks: number;
  createsPerSec: number;
  expected: number;
  received: number;
  /** Every request, warm-up and after the window included. */
  requestsTotal: number;
  /** Expected measured fires that never arrived (with the dispatcher: misfire skips too). */
  missing: number;
  duplicates: number;
  retries: number;
  unsigned: number;
  requestsPerSec: number;
  perSecondMin?: number;
  perSecondMedian?: number;
  latenessMs: Percentiles;
  ackMs?: AckLateness;
  cpuPercent: Record<string, number>;
  rssMiB: Record<string, number>;
  loadAverage: { before: number[]; after: number[] };
}

const fmt = (n: number | undefined) => (n === undefined ? '-' : String(n));
const loads = () => loadavg().map((l) => Math.round(l * 100) / 100);

function printTable(r: Result): void {
  const rows: [string, string][] = [
    ['mode', r.mode],
    ['fires published by', r.source],
    ['tasks x measured slots', `${r.tasks} x ${r.seconds}`],
    ['creates/s (HTTP)', fmt(r.createsPerSec)],
    ['received / expected', `${r.received}/${r.expected}`],
    ['requests (all slots)', fmt(r.requestsTotal)],
    ['requests/s', fmt(r.requestsPerSec)],
    ['requests per second min/med', `${fmt(r.perSecondMin)}/${fmt(r.perSecondMedian)}`],
    ['lateness ms p50', fmt(r.latenessMs.p50)],
    ['  p90', fmt(r.latenessMs.p90)],
    ['  p99', fmt(r.latenessMs.p99)],
    ['  max', fmt(r.latenessMs.max)],
    ['ack ms p50 (center histogram)', fmt(r.ackMs?.p50)],
    ['  p99', fmt(r.ackMs?.p99)],
    ['missing (expected - distinct)', fmt(r.missing)],
    ['duplicates', fmt(r.duplicates)],
    ['retries (tc-attempt > 1)', fmt(r.retries)],
    ['unsigned requests', fmt(r.unsigned)],
    ...Object.entries(r.cpuPercent).map(([k, v]): [string, string] => [`cpu % ${k}`, fmt(v)]),
    ...Object.entries(r.rssMiB).map(([k, v]): [string, string] => [`rss MiB ${k} (peak)`, fmt(v)]),
    ['load average before', r.loadAverage.before.join(' ')],
    ['load average after', r.loadAverage.after.join(' ')],
  ];
  for (const [label, cell] of rows) console.log(`${label.padEnd(30)}${cell.padStart(20)}`);
}

async function main() {
  const stamp = `${Date.now()}`;
  const mongoUri = withDatabase(requireEnv('MONGODB_URI'), `bench_http_${stamp}`);
  const brokers = requireEnv('KAFKA_BROKERS').split(',');
  const topics = {
    KAFKA_TOPIC_TASKS: `bench.http.${stamp}.tasks`,
    KAFKA_TOPIC_RESULTS: `bench.http.${stamp}.results`,
    KAFKA_TOPIC_DEAD_LETTER: `bench.http.${stamp}.dead-letter`,
    KAFKA_TOPIC_HTTP: `bench.http.${stamp}.http`,
  };
  const group = `bench.http.${stamp}.http-targets`;
  const machine = await describeMachine(mongoUri);
  const backend = stackBackend() ?? machine.slice(machine.lastIndexOf(', ') + 2);
  const mode = opts.standalone ? 'standalone' : 'in-process';
  const kafka = new Kafka({ clientId: 'bench-http', brokers, logLevel: logLevel.ERROR });
  const admin = kafka.admin();
  await admin.connect();
  const agent = new Agent({ keepAlive: true, maxSockets: opts.concurrency });

  const env = {
    MONGODB_URI: mongoUri,
    KAFKA_BROKERS: brokers.join(','),
    KAFKA_TOPIC_PARTITIONS: String(opts.partitions),
    HTTP_TARGET_GROUP: group,
    HTTP_TARGET_ALLOW: '127.0.0.1/32',
    HTTP_TARGET_SIGNING_SECRETS: SIGNING_SECRET,
    ...tunedSettings(),
    ...topics,
  };
  log(`starting a task center (${mode} delivery, topics bench.http.${stamp}.*)…`);
  const { child, url } = await startCenter({
    ...env,
    HTTP_TARGETS_ENABLED: opts.standalone ? 'false' : 'true',
  });
  const worker = opts.standalone ? startWorker(env) : undefined;
  let sink: NoopSink | undefined;
  let direct: DirectFires | undefined;
  let result: Result | undefined;
  try {
    // The delivery worker joins its group in the background: wait for it before the slots.
    for (const deadline = Date.now() + 60_000; ; await sleep(250)) {
      const [g] = (await admin.describeGroups([group])).groups;
      if (g?.state === 'Stable' && g.members.length > 0) break;
      if (Date.now() > deadline) throw new Error(`the delivery worker did not join ${group}`);
    }
    const n = opts.rate;
    sink = new NoopSink();
    const target = await sink.start();
    let createsPerSec = 0;
    let start = 0;
    let first: number;
    if (opts.direct) {
      direct = new DirectFires(kafka, topics.KAFKA_TOPIC_HTTP, n, target, opts.spread);
      first = (await direct.start(nowSec() + opts.lead)) + opts.warmup * 1000;
    } else {
      ({ createsPerSec, start } = await createTasks(url, agent, n, target));
      first = (Math.max(start, nowSec() + 1) + opts.warmup) * 1000;
    }
    const last = first + (opts.seconds - 1) * 1000;
    // The measured slots: whole seconds, or every step of them with --spread.
    sink.measure(first, last + 999);
    log(`warming up for ${opts.warmup} slots…`);

    const pids = { center: child.pid, ...(worker && { worker: worker.pid }) };
    const meter = cpuMeter({
      center: [child.pid ?? 0],
      ...(worker && { worker: [worker.pid ?? 0] }),
      ...stackProcesses(),
    });
    await sleep(first - 500 - Date.now());
    const loadBefore = loads();
    const before = await scrapeBuckets(url);
    const rss = rssPeaks(pids);
    meter.start();
    log(`measuring ${opts.seconds} slots…`);
    await sleep(last + 1000 - Date.now());
    const cpu = meter.stop();
    await direct?.stop();
    const rssPeak = rss.stop();
    const ack = ackLateness(before, await scrapeBuckets(url));
    const loadAfter = loads();
    const expected = n * opts.seconds;
    await sink.settle(expected);

    const span = Math.max(last + 1000, sink.lastInWindowAt) - first;
    const inWindow = [...sink.perSecond.entries()]
      .filter(([s]) => s * 1000 >= first && s * 1000 <= last)
      .map(([, c]) => c)
      .sort((a, b) => a - b);
    result = {
      mode,
      source: opts.direct ? 'direct' : 'dispatcher',
      rate: n,
      seconds: opts.seconds,
      tasks: n,
      createsPerSec,
      expected,
      received: sink.inWindow,
      requestsTotal: sink.requests,
      missing: expected - sink.inWindow,
      duplicates: sink.duplicates,
      retries: sink.retries,
      unsigned: sink.unsigned,
      requestsPerSec: Math.round(sink.inWindow / (span / 1000)),
      ...(inWindow.length > 0 && {
        perSecondMin: inWindow[0],
        perSecondMedian: inWindow[Math.floor(inWindow.length / 2)],
      }),
      latenessMs: percentiles(sink.lateness),
      ...(ack && { ackMs: ack }),
      cpuPercent: cpu,
      rssMiB: rssPeak,
      loadAverage: { before: loadBefore, after: loadAfter },
    };
  } finally {
    log('cleaning up…');
    await direct?.stop();
    if (worker) await stopCenter(worker);
    await stopCenter(child);
    await sink?.close();
    agent.destroy();
    await dropDatabase(mongoUri);
    await admin
      .deleteTopics({ topics: Object.values(topics) })
      .catch((err: unknown) => log(`could not delete the topics: ${String(err)}`));
    await admin.disconnect();
  }

  const settings = tunedSettings();
  console.log(`\nHTTP targets: deliveries to a no-op server on loopback (204, signed requests)`);
  console.log(`machine:   ${machine}`);
  console.log(`backend:   ${backend}`);
  console.log(
    `setup:     ${opts.partitions} partitions, ${opts.rate} loop tasks (1 s, same start second) x ` +
      `${opts.warmup} warm-up + ${opts.seconds} measured slots, ${
        Object.entries(settings)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ') || 'default settings'
      }; everything shares the machine`,
  );
  console.log(`lateness:  server receive - tc-scheduled-at\n`);
  printTable(result);

  const dir = join(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const file = join(
    dir,
    `http-targets-${backend.replace(/[^\w.-]+/g, '_')}-${new Date().toISOString().replace(/[:]/g, '-').slice(0, 19)}.json`,
  );
  writeFileSync(
    file,
    `${JSON.stringify({ date: new Date().toISOString(), machine, backend, options: opts, settings, result }, null, 2)}\n`,
  );
  console.log(`\nwritten:   ${file}`);
  if (result.missing > 0 || result.duplicates > 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
