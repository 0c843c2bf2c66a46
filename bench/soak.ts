/**
 * The soak: a task center (production bundle) and two real SDK worker processes under a
 * steady mixed load for `minutes`, with a retention short enough to purge during the run.
 *
 *   npm run bench:soak -- --minutes 30 --rate 1000
 *
 * Load, `rate` fires per second: 70 % loop tasks (loop_time 1 s), 20 % seconds-crontabs
 * (`*∕2 * * * * *`, so 0.4 × rate tasks), 10 % one-shots created continuously over HTTP,
 * each due `lead` seconds after its create. 1 in `fail-one-in` slots fails its first attempt
 * (retry policy: 3 attempts, 1 s apart), so retries flow. Every minute it prints and records:
 * due → handler start lateness (first attempts started that minute), due → Kafka ack lateness
 * (the center's own histogram), center and worker RSS and heap, each collection's document
 * count, the consumer lag of the workers' and the center's results group, FerretDB's and
 * PostgreSQL's memory. Pass: no (task, slot) lost, none handled beyond at-least-once of one
 * message id (slots the misfire policy skipped, the dispatcher being > 5 s late, are counted
 * apart), center and worker RSS growing ≤ 10 % after minute 5, the collections that
 * retention purges levelling off (≤ 15 % growth after the purge reached steady state).
 * Writes soak-<date>.json and one SVG per series under `out` (docs/bench).
 * Meant for FerretDB's PostgreSQL backend (STACK_MONGO_BACKEND=postgresql); on FerretDB's
 * PostgreSQL backend STACK_PG_PORT must name the stack's PostgreSQL (for its indexes).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type * as hdr from 'hdr-histogram-js';
import { Kafka, logLevel } from 'kafkajs';
import mongoose from 'mongoose';
import { type AckLateness, ackLateness, type Buckets, scrapeBuckets } from './ack-lateness';
import { lineChart, type Series } from './line-chart';
import {
  centerMemory,
  collectionCounts,
  consumerLag,
  type CenterMemory,
  memoryOf,
  stackMemory,
} from './samplers';
import { HandlerLedger, type LedgerSummary, parseRunLine } from './soak/handler-ledger';
import {
  args,
  describeMachine,
  dropDatabase,
  indexFerretdbPostgres,
  latencyHistogram,
  postJson,
  requireEnv,
  ROOT,
  stackBackend,
  startCenter,
  stopCenter,
  withDatabase,
} from './support';

const opts = args({
  minutes: 30,
  rate: 1000,
  /** 1 in this many slots fails its first attempt. */
  'fail-one-in': 100,
  /** One-shots created per second; -1: 10 % of the rate. */
  'one-shots': -1,
  /** RETENTION_HISTORY_S and RETENTION_FINISHED_TASKS_S of the center. */
  'history-s': 120,
  /** RETENTION_BUCKET_S of the center. */
  'bucket-s': 10,
  /** Seconds between a one-shot's create and its due time. */
  lead: 5,
  /** Where the JSON and the charts go, relative to the repository. */
  out: 'docs/bench',
});

const PARTITIONS = 6;
const SHARDS = 16;
const RSS_GROWTH_LIMIT = 0.1;
const MISFIRE_THRESHOLD_MS = 5000;
const LEVEL_GROWTH_LIMIT = 0.15;
/** Collections retention purges: their counts must level off. */
const PURGED = ['fires', 'run_events', 'tasks'];
/** Settling after the last slot: give up once no run came for this long. */
const SETTLE_IDLE_MS = 30_000;

const log = (line: string) => process.stderr.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const nowSec = () => Math.floor(Date.now() / 1000);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

// ------------------------------------------------------------------ worker processes

/** A soak worker (soak/soak-worker.ts) and the runs it appended to its file so far. */
class SoakWorker {
  readonly file: string;
  readonly child: ChildProcess;
  heapUsedMb = 0;
  ready = false;
  private offset = 0;
  private partial = '';
  private out = '';

  constructor(spec: Record<string, unknown>, file: string) {
    this.file = file;
    writeFileSync(file, '');
    this.child = spawn(
      process.execPath,
      ['-r', '@swc-node/register', join(ROOT, 'bench/soak/soak-worker.ts')],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          NO_COLOR: '1',
          SOAK_WORKER_SPEC: JSON.stringify({ ...spec, file }),
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    this.child.stdout?.on('data', (chunk: Buffer) => {
      this.out += chunk.toString();
      const lines = this.out.split('\n');
      this.out = lines.pop() ?? '';
      for (const line of lines) {
        const m = /^MEM (\S+) (\S+)$/.exec(line);
        if (m) this.heapUsedMb = Number(m[2]);
        else if (line === 'READY') this.ready = true;
      }
    });
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** Lines appended since the last call. */
  newLines(): string[] {
    const size = statSync(this.file).size;
    if (size <= this.offset) return [];
    const buf = Buffer.alloc(size - this.offset);
    const fd = openSync(this.file, 'r');
    try {
      readSync(fd, buf, 0, buf.length, this.offset);
    } finally {
      closeSync(fd);
    }
    this.offset = size;
    const lines = (this.partial + buf.toString('utf8')).split('\n');
    this.partial = lines.pop() ?? '';
    return lines;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await Promise.race([exited, sleep(20_000)]);
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

// ------------------------------------------------------------------ per-minute samples

interface Percentiles {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

function percentiles(h: hdr.Histogram): Percentiles {
  return {
    count: h.totalCount,
    p50: h.getValueAtPercentile(50),
    p90: h.getValueAtPercentile(90),
    p99: h.getValueAtPercentile(99),
    max: h.maxValue,
  };
}

interface MinuteSample {
  minute: number;
  at: string;
  /** Handler starts read this minute (all attempts), and first attempts failed by design. */
  runs: number;
  failedByDesign: number;
  /** Due → handler start of the first attempts started this minute, ms. */
  handlerStartMs: Percentiles;
  /** Due → Kafka ack this minute (the center's histogram, interpolated in its buckets), ms. */
  ackMs?: AckLateness;
  center: CenterMemory;
  workers: { pid: number; rssMb: number; heapUsedMb: number }[];
  /** PSS summed per stack role, MB. */
  stackMb: Record<string, number>;
  collections: Record<string, number>;
  lag: { workers: number; results: number };
  /** One-shots created so far. */
  oneShots: number;
}

// ------------------------------------------------------------------ verdicts

/** Mean of the samples at minutes [from, from+1] vs the mean of the last two, as a ratio - 1. */
function growth(samples: MinuteSample[], from: number, value: (s: MinuteSample) => number) {
  const base = samples.filter((s) => s.minute >= from && s.minute <= from + 1).map(value);
  const last = samples.slice(-2).map(value);
  if (base.length === 0 || last.length === 0) return undefined;
  return {
    fromMb: Math.round(mean(base)),
    toMb: Math.round(mean(last)),
    maxMb: Math.round(Math.max(...samples.filter((s) => s.minute >= from).map(value))),
    growth: Math.round((mean(last) / mean(base) - 1) * 1000) / 1000,
  };
}

// ------------------------------------------------------------------ the bench

async function main() {
  const stamp = `${Date.now()}`;
  const mongoUri = withDatabase(requireEnv('MONGODB_URI'), `bench_soak_${stamp}`);
  const brokers = requireEnv('KAFKA_BROKERS').split(',');
  const topics = {
    KAFKA_TOPIC_TASKS: `bench.soak.${stamp}.tasks`,
    KAFKA_TOPIC_RESULTS: `bench.soak.${stamp}.results`,
    KAFKA_TOPIC_DEAD_LETTER: `bench.soak.${stamp}.dead-letter`,
  };
  const resultsGroup = `bench-soak-${stamp}-results`;
  const workerGroup = `bench-soak-${stamp}-workers`;
  const retention = {
    RETENTION_HISTORY_S: String(opts['history-s']),
    RETENTION_FINISHED_TASKS_S: String(opts['history-s']),
    RETENTION_DEAD_LETTERS_S: String(opts['history-s']),
    RETENTION_WORKERS_S: String(opts['history-s']),
    RETENTION_BUCKET_S: String(opts['bucket-s']),
  };
  const machine = await describeMachine(mongoUri);
  const backend = stackBackend() ?? machine.slice(machine.lastIndexOf(', ') + 2);
  if (backend !== 'ferretdb-postgresql')
    log(`note: the backend is ${backend}; the soak is meant for FerretDB's PostgreSQL backend`);
  const loops = Math.round(opts.rate * 0.7);
  const crons = Math.round(opts.rate * 0.4);
  const oneShotsPerSec =
    opts['one-shots'] >= 0 ? opts['one-shots'] : Math.max(1, Math.round(opts.rate * 0.1));
  const kafka = new Kafka({ clientId: 'bench-soak', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const ledger = new HandlerLedger(MISFIRE_THRESHOLD_MS);
  const samples: MinuteSample[] = [];
  const workers: SoakWorker[] = [];
  let conn: mongoose.Connection | undefined;
  let summary: LedgerSummary | undefined;
  let firstSlot = 0;
  let lastSlot = 0;

  log(`starting a task center (topics bench.soak.${stamp}.*, retention ${opts['history-s']} s)…`);
  const { child, url } = await startCenter({
    MONGODB_URI: mongoUri,
    KAFKA_BROKERS: brokers.join(','),
    KAFKA_TOPIC_PARTITIONS: String(PARTITIONS),
    DISPATCH_SHARDS: String(SHARDS),
    RUNS_RESULTS_GROUP: resultsGroup,
    // Its default, stated: a slot the dispatcher reaches later than this is skipped by the
    // tasks' policy (fire_once); the ledger counts those apart from lost ones.
    MISFIRE_THRESHOLD_S: String(MISFIRE_THRESHOLD_MS / 1000),
    ...retention,
    ...topics,
  });
  try {
    indexFerretdbPostgres(log);
    conn = await mongoose.createConnection(mongoUri).asPromise();
    await admin.connect();
    const dir = join(tmpdir(), `bench-soak-${stamp}`);
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < 2; i++)
      workers.push(
        new SoakWorker(
          {
            brokers,
            groupId: workerGroup,
            topic: topics.KAFKA_TOPIC_TASKS,
            resultsTopic: topics.KAFKA_TOPIC_RESULTS,
            partitions: PARTITIONS,
            failOneIn: opts['fail-one-in'],
          },
          join(dir, `worker-${i + 1}.runs`),
        ),
      );
    const readyBy = Date.now() + 90_000;
    while (!workers.every((w) => w.ready)) {
      if (Date.now() > readyBy) throw new Error('the soak workers did not start within 90 s');
      if (workers.some((w) => w.child.exitCode !== null)) throw new Error('a soak worker exited');
      await sleep(200);
    }

    // ---------------------------------------------------------------- the tasks
    const retry = { max_attempts: 3, backoff: 'fixed', delay: 1 };
    const create = async (body: Record<string, unknown>): Promise<string> => {
      const { status, json } = await postJson(agent, `${url}/v1/api/task`, body);
      const id = (json as { taskid?: string } | undefined)?.taskid;
      if (status !== 200 || !id)
        throw new Error(`create failed: ${status} ${JSON.stringify(json)}`);
      return id;
    };
    // Creates at 50/s at least, even on a busy machine; even second for the crontabs' first slot.
    let start = nowSec() + Math.ceil((loops + crons) / 50) + 15;
    if (start % 2 === 1) start++;
    const minutes = opts.minutes;
    const end = start + minutes * 60 - 1;
    firstSlot = start * 1000;
    lastSlot = end * 1000;
    log(
      `creating ${loops} loops (1 s) and ${crons} crontabs (*/2 s) from ${new Date(firstSlot).toISOString()} to ${new Date(lastSlot).toISOString()}…`,
    );
    const specs: [Record<string, unknown>, number, number][] = [
      ...Array.from({ length: loops }, (_, i): [Record<string, unknown>, number, number] => [
        { name: 'bench.soak.loop', type: 2, loop_time: 1, data: `{"i":${i}}` },
        1000,
        end - start + 1,
      ]),
      ...Array.from({ length: crons }, (_, i): [Record<string, unknown>, number, number] => [
        { name: 'bench.soak.cron', type: 3, crontab: '*/2 * * * * *', data: `{"i":${i}}` },
        2000,
        Math.floor((end - start) / 2) + 1,
      ]),
    ];
    for (let i = 0; i < specs.length; i += 16)
      await Promise.all(
        specs.slice(i, i + 16).map(async ([body, step, count]) => {
          const id = await create({ ...body, start_time: start, end_time: end, retry });
          ledger.expect(id, firstSlot, step, count);
        }),
      );
    if (Date.now() > firstSlot - 1000)
      throw new Error(`the creates ended ${Date.now() - firstSlot} ms after the first slot`);

    // One-shots, created continuously: `oneShotsPerSec` a second, each due `lead` s later.
    let oneShots = 0;
    let creating = true;
    let oneShotError: Error | undefined;
    const oneShotLoop = (async () => {
      await sleep(firstSlot - opts.lead * 1000 - Date.now());
      for (
        let second = start - opts.lead;
        creating && oneShotsPerSec > 0 && second <= end - opts.lead;
        second++
      ) {
        await sleep(second * 1000 - Date.now());
        const due = second + opts.lead;
        await Promise.all(
          Array.from({ length: oneShotsPerSec }, async (_, i) => {
            const id = await create({
              name: 'bench.soak.once',
              type: 1,
              start_time: due,
              data: `{"i":${i}}`,
              retry,
            });
            ledger.expect(id, due * 1000, 1000, 1);
            oneShots++;
          }),
        );
      }
    })().catch((err: unknown) => {
      oneShotError = err instanceof Error ? err : new Error(String(err));
    });

    // ---------------------------------------------------------------- every minute
    const ingest = () => {
      let runs = 0;
      let failed = 0;
      const starts = latencyHistogram();
      for (const w of workers)
        for (const line of w.newLines()) {
          const run = parseRunLine(line);
          if (!run) continue;
          ledger.take(run);
          runs++;
          if (run.failed) failed++;
          if (run.attempt === 1) starts.recordValue(Math.max(1, run.startedAt - run.scheduledAt));
        }
      return { runs, failed, starts };
    };
    let buckets: Buckets = await scrapeBuckets(url);
    log(
      `running ${minutes} min at ${opts.rate} fires/s (${loops} loops, ${crons} crontabs, ${oneShotsPerSec} one-shots/s); progress every minute`,
    );
    // Ctrl-C ends the run after the current minute, with its results and its cleanup.
    let interrupted = false;
    process.once('SIGINT', () => {
      interrupted = true;
      log('interrupted: ending after this minute…');
    });
    for (let minute = 1; minute <= minutes && !interrupted; minute++) {
      await sleep(firstSlot + minute * 60_000 - Date.now());
      const read = ingest();
      const nextBuckets = await scrapeBuckets(url);
      const [center, collections, lagWorkers, lagResults] = await Promise.all([
        centerMemory(url),
        collectionCounts(conn.db!),
        consumerLag(admin, workerGroup, topics.KAFKA_TOPIC_TASKS),
        consumerLag(admin, resultsGroup, topics.KAFKA_TOPIC_RESULTS),
      ]);
      const sample: MinuteSample = {
        minute,
        at: new Date().toISOString(),
        runs: read.runs,
        failedByDesign: read.failed,
        handlerStartMs: percentiles(read.starts),
        ackMs: ackLateness(buckets, nextBuckets),
        center,
        workers: workers.map((w) => ({
          pid: w.pid,
          rssMb: memoryOf(w.pid).rssMb,
          heapUsedMb: w.heapUsedMb,
        })),
        stackMb: stackMemory(),
        collections,
        lag: { workers: lagWorkers, results: lagResults },
        oneShots,
      };
      buckets = nextBuckets;
      samples.push(sample);
      const so = ledger.summary(Date.now() - 30_000);
      console.log(
        `minute ${minute}/${minutes}: ${read.runs} runs (${(read.runs / 60).toFixed(0)}/s, ${read.failed} failed by design), ` +
          `start p50/p99 ${sample.handlerStartMs.p50}/${sample.handlerStartMs.p99} ms, ` +
          `ack p50/p99 ${sample.ackMs?.p50 ?? '-'}/${sample.ackMs?.p99 ?? '-'} ms, ` +
          `RSS center ${center.rssMb} MB (heap ${center.heapUsedMb}), workers ${sample.workers.map((w) => w.rssMb).join('/')} MB, ` +
          `ferretdb ${sample.stackMb.ferretdb ?? '-'} MB, postgres ${sample.stackMb.postgres ?? '-'} MB; ` +
          `fires ${collections.fires ?? 0}, run_events ${collections.run_events ?? 0}, tasks ${collections.tasks ?? 0}; ` +
          `lag ${lagWorkers}/${lagResults}; lost so far (slots > 30 s old) ${so.lost} (${so.skipped} skipped by misfire), duplicates ${so.duplicates}`,
      );
    }
    creating = false;
    // Interrupted: only the slots of the minutes run count.
    if (interrupted) lastSlot = Math.min(lastSlot, firstSlot + samples.length * 60_000 - 1000);
    await oneShotLoop;
    if (oneShotError) throw new Error(`creating one-shots failed: ${oneShotError.message}`);

    // ---------------------------------------------------------------- settle
    log('settling: waiting for the last slots and retries…');
    let lastNew = Date.now();
    for (;;) {
      if (ingest().runs > 0) lastNew = Date.now();
      summary = ledger.summary(lastSlot);
      if (summary.lost === 0 || Date.now() - lastNew > SETTLE_IDLE_MS) break;
      await sleep(2000);
    }
    await sleep(3000);
    ingest();
    summary = ledger.summary(lastSlot);
  } finally {
    log('cleaning up…');
    for (const w of workers) await w.stop();
    await stopCenter(child);
    await conn?.close();
    await dropDatabase(mongoUri).catch(() => undefined);
    await admin
      .deleteTopics({ topics: Object.values(topics) })
      .catch((err: unknown) => log(`could not delete the topics: ${String(err)}`));
    await admin.disconnect();
    agent.destroy();
    rmSync(join(tmpdir(), `bench-soak-${stamp}`), { recursive: true, force: true });
  }

  // ---------------------------------------------------------------- verdict
  const from = Math.min(5, Math.max(1, Math.floor(opts.minutes / 2)));
  const rss = {
    center: growth(samples, from, (s) => s.center.rssMb),
    ...Object.fromEntries(
      workers.map((_, i) => [`worker${i + 1}`, growth(samples, from, (s) => s.workers[i]!.rssMb)]),
    ),
  };
  // The purge removes a bucket once it is entirely older than the retention, a pass every
  // bucket: from this minute on the purged collections hold a steady window.
  const purgeFrom = Math.ceil((opts['history-s'] + 2 * opts['bucket-s']) / 60) + 1;
  const levels = Object.fromEntries(
    PURGED.map((name) => {
      const after = samples.filter((s) => s.minute >= purgeFrom).map((s) => s.collections[name]);
      const first = after[0] ?? 0;
      const last = after[after.length - 1] ?? 0;
      return [
        name,
        after.length < 2
          ? { checked: false }
          : {
              checked: true,
              fromMinute: purgeFrom,
              from: first,
              to: last,
              max: Math.max(...after.map((n) => n ?? 0)),
              growth: first ? Math.round((last / first - 1) * 1000) / 1000 : 0,
            },
      ];
    }),
  );
  const s = summary;
  const failures: string[] = [];
  if (s.lost > 0) failures.push(`${s.lost} slots lost`);
  if (s.duplicates > 0) failures.push(`${s.duplicates} slots handled beyond at-least-once`);
  if (s.unexpected > 0) failures.push(`${s.unexpected} runs of unexpected slots`);
  for (const [who, g] of Object.entries(rss))
    if (g && g.growth > RSS_GROWTH_LIMIT)
      failures.push(`${who} RSS grew ${(g.growth * 100).toFixed(1)} % after minute ${from}`);
  for (const [name, l] of Object.entries(levels))
    if ('growth' in l && l.growth! > LEVEL_GROWTH_LIMIT)
      failures.push(`${name} grew ${(l.growth! * 100).toFixed(1)} % after minute ${purgeFrom}`);
  const levelChecked = Object.values(levels).some((l) => l.checked);
  const verdict = failures.length === 0 ? 'PASS' : `FAIL: ${failures.join('; ')}`;

  const command = `npm run bench:soak -- --minutes ${opts.minutes} --rate ${opts.rate}`;
  console.log(`\nsoak: ${command}`);
  console.log(`machine:   ${machine}`);
  console.log(`backend:   ${backend}`);
  console.log(
    `load:      ${opts.rate} fires/s for ${opts.minutes} min: ${loops} loops (1 s), ${crons} crontabs (*/2 s), ` +
      `${oneShotsPerSec} one-shots/s; 2 SDK worker processes; 1 in ${opts['fail-one-in']} first attempts fail`,
  );
  console.log(
    `retention: history and finished tasks ${opts['history-s']} s, buckets of ${opts['bucket-s']} s`,
  );
  console.log(
    `slots:     ${s.expected} expected, ${s.handled} handled, ${s.lost} lost, ` +
      `${s.skipped} skipped by the misfire policy (the dispatcher > ${MISFIRE_THRESHOLD_MS / 1000} s late), ${s.duplicates} beyond at-least-once, ` +
      `${s.retried} retried after a failed first attempt, ${s.redelivered} redelivered (same message id), ${s.unexpected} unexpected`,
  );
  for (const line of s.samples) console.log(`           ${line}`);
  for (const [who, g] of Object.entries(rss))
    if (g)
      console.log(
        `RSS ${who.padEnd(8)} minute ${from}-${from + 1}: ${g.fromMb} MB, last two: ${g.toMb} MB (${(g.growth * 100).toFixed(1)} %), max ${g.maxMb} MB`,
      );
  for (const [name, l] of Object.entries(levels))
    console.log(
      'growth' in l
        ? `${name.padEnd(12)} from minute ${l.fromMinute}: ${l.from} -> ${l.to} (${(l.growth! * 100).toFixed(1)} %), max ${l.max}`
        : `${name.padEnd(12)} not checked: the run ends before the purge reaches steady state (minute ${purgeFrom})`,
    );
  console.log(
    `verdict:   ${verdict}${levelChecked ? '' : ' (collection levels not checked: run too short)'}`,
  );

  const outDir = join(ROOT, opts.out);
  mkdirSync(outDir, { recursive: true });
  const base = `soak-${opts.minutes}min-${new Date().toISOString().replace(/[:]/g, '-').slice(0, 19)}`;
  const charts = writeCharts(outDir, base, samples);
  const file = join(outDir, `${base}.json`);
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        command,
        machine,
        backend,
        options: opts,
        load: { loops, crons, oneShotsPerSec, partitions: PARTITIONS, shards: SHARDS },
        retention,
        firstSlot: new Date(firstSlot).toISOString(),
        lastSlot: new Date(lastSlot).toISOString(),
        slots: s,
        rssGrowth: { fromMinute: from, limit: RSS_GROWTH_LIMIT, ...rss },
        collectionLevels: { limit: LEVEL_GROWTH_LIMIT, ...levels },
        verdict,
        charts: charts.map((c) => relative(outDir, c)),
        samples,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`written:   ${relative(ROOT, file)} and ${charts.length} charts`);
  if (failures.length > 0) process.exitCode = 1;
}

/** One SVG per series: lateness, RSS, heap, collection counts, consumer lag. */
function writeCharts(dir: string, base: string, samples: MinuteSample[]): string[] {
  const pts = (value: (s: MinuteSample) => number | undefined): [number, number][] =>
    samples.flatMap((s) => {
      const v = value(s);
      return v === undefined ? [] : [[s.minute, v] as [number, number]];
    });
  const workerSeries = (value: (w: MinuteSample['workers'][number]) => number): Series[] =>
    (samples[0]?.workers ?? []).map((_, i) => ({
      name: `worker ${i + 1}`,
      points: pts((s) => (s.workers[i] ? value(s.workers[i]) : undefined)),
    }));
  const collections = [...new Set(samples.flatMap((s) => Object.keys(s.collections)))].filter(
    (name) => samples.some((s) => (s.collections[name] ?? 0) >= 100),
  );
  const charts: [string, string][] = [
    [
      'lateness',
      lineChart({
        title: 'Lateness per minute: due → handler start (first attempts), due → Kafka ack',
        xLabel: 'minute',
        yLabel: 'ms',
        series: [
          { name: 'start p50', points: pts((s) => s.handlerStartMs.p50) },
          { name: 'start p99', points: pts((s) => s.handlerStartMs.p99) },
          { name: 'ack p50', points: pts((s) => s.ackMs?.p50) },
          { name: 'ack p99', points: pts((s) => s.ackMs?.p99) },
        ],
      }),
    ],
    [
      'rss',
      lineChart({
        title: 'Memory per minute: RSS of the center and the workers, PSS of the stack',
        xLabel: 'minute',
        yLabel: 'MB',
        series: [
          { name: 'center', points: pts((s) => s.center.rssMb) },
          ...workerSeries((w) => w.rssMb),
          { name: 'ferretdb', points: pts((s) => s.stackMb.ferretdb) },
          { name: 'postgres', points: pts((s) => s.stackMb.postgres) },
        ],
      }),
    ],
    [
      'heap',
      lineChart({
        title: 'Heap used per minute',
        xLabel: 'minute',
        yLabel: 'MB',
        series: [
          { name: 'center', points: pts((s) => s.center.heapUsedMb) },
          ...workerSeries((w) => w.heapUsedMb),
        ],
      }),
    ],
    [
      'collections',
      lineChart({
        title: 'Documents per collection (retention purges fires, run_events, finished tasks)',
        xLabel: 'minute',
        yLabel: 'documents',
        series: collections.map((name) => ({
          name,
          points: pts((s) => s.collections[name] ?? 0),
        })),
      }),
    ],
    [
      'lag',
      lineChart({
        title: 'Kafka consumer lag at each minute (messages not committed)',
        xLabel: 'minute',
        yLabel: 'messages',
        series: [
          { name: 'workers (tasks)', points: pts((s) => s.lag.workers) },
          { name: 'center (results)', points: pts((s) => s.lag.results) },
        ],
      }),
    ],
  ];
  return charts.map(([name, svg]) => {
    const file = join(dir, `${base}-${name}.svg`);
    writeFileSync(file, svg);
    return file;
  });
}

main().catch((err: unknown) => {
  console.error(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
