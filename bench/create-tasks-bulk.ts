/**
 * Bulk-create throughput: POST /v1/api/create-tasks (1,000 tasks a request, a few requests at
 * once) against a real task center process, beside single creates (POST /v1/api/task at
 * concurrency 32) and BullMQ's Queue.addBulk on a throwaway redis-server in the same run.
 * Every task is a one-shot due in an hour with a unique key (the idempotent form a "remind me"
 * feature uses); every BullMQ job a delayed job with the same key as its jobId. Prints tasks/s
 * and request latency percentiles; checks that every task was created.
 *
 *   npm run bench:create-tasks -- [--tasks 50000] [--batch 1000] [--concurrency 4]
 *     [--single 5000] [--single-concurrency 32] [--rounds 3] [--no-bullmq] [--quick]
 *
 * On FerretDB's PostgreSQL backend the GIN indexes of stack/ferretdb-pg-indexes.sql are
 * applied once the center has created its collections, as in production.
 */
import { type ChildProcess } from 'node:child_process';
import { Agent } from 'node:http';
import { type Queue as BullQueue } from 'bullmq';
import type * as hdr from 'hdr-histogram-js';
import mongoose from 'mongoose';
import { startRedis, stopRedis } from './peers/redis-server';
import {
  args,
  describeMachine,
  dropDatabase,
  forEachConcurrent,
  indexFerretdbPostgres,
  latencyHistogram,
  postJson,
  requireEnv,
  startCenter,
  stopCenter,
  withDatabase,
} from './support';

const opts = args({
  tasks: 50_000,
  batch: 1000,
  concurrency: 4,
  single: 5000,
  'single-concurrency': 32,
  rounds: 3,
  'no-bullmq': false,
  quick: false,
});
if (opts.quick) Object.assign(opts, { tasks: 20_000, single: 3000, rounds: 1 });

const log = (line: string) => process.stderr.write(`${line}\n`);
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

interface Measured {
  label: string;
  tasks: number;
  seconds: number;
  /** Per request (bulk: per 1,000 tasks), ms. */
  latency: hdr.Histogram;
  failures: number;
}

const taskBody = (run: string, i: number, start: number) => ({
  name: 'bench.bulk',
  type: 1,
  data: JSON.stringify({ i, pad: 'x'.repeat(64) }),
  start_time: start,
  key: `${run}:${i}`,
});

/** `count` tasks in requests of `opts.batch`, `opts.concurrency` requests at once. */
async function bulk(url: string, run: string, count: number): Promise<Measured> {
  const start = Math.floor(Date.now() / 1000) + 3600;
  const latency = latencyHistogram();
  let failures = 0;
  const requests = Math.ceil(count / opts.batch);
  const seconds = await forEachConcurrent(requests, opts.concurrency, async (r) => {
    const from = r * opts.batch;
    const tasks = Array.from({ length: Math.min(opts.batch, count - from) }, (_, j) =>
      taskBody(run, from + j, start),
    );
    const t0 = performance.now();
    const { status, json } = await postJson(agent, `${url}/v1/api/create-tasks`, { tasks });
    latency.recordValue(Math.max(1, Math.round(performance.now() - t0)));
    const answer = json as { created?: number } | undefined;
    if (status !== 200) failures += tasks.length;
    else failures += tasks.length - (answer?.created ?? 0);
  });
  return {
    label: `bulk, ${opts.batch}/request x${opts.concurrency}`,
    tasks: count,
    seconds,
    latency,
    failures,
  };
}

/** `count` single creates at `single-concurrency`. */
async function single(url: string, run: string, count: number): Promise<Measured> {
  const start = Math.floor(Date.now() / 1000) + 3600;
  const latency = latencyHistogram();
  let failures = 0;
  const seconds = await forEachConcurrent(count, opts['single-concurrency'], async (i) => {
    const t0 = performance.now();
    const { status } = await postJson(agent, `${url}/v1/api/task`, taskBody(run, i, start));
    latency.recordValue(Math.max(1, Math.round(performance.now() - t0)));
    if (status !== 200) failures++;
  });
  return {
    label: `single, x${opts['single-concurrency']}`,
    tasks: count,
    seconds,
    latency,
    failures,
  };
}

/** BullMQ: delayed jobs with the key as jobId, addBulk of `opts.batch`, `opts.concurrency` at once. */
async function bullmqBulk(queue: BullQueue, run: string, count: number): Promise<Measured> {
  const latency = latencyHistogram();
  const before = await queue.getDelayedCount();
  const requests = Math.ceil(count / opts.batch);
  const seconds = await forEachConcurrent(requests, opts.concurrency, async (r) => {
    const from = r * opts.batch;
    const jobs = Array.from({ length: Math.min(opts.batch, count - from) }, (_, j) => ({
      name: 'bench.bulk',
      data: { i: from + j, pad: 'x'.repeat(64) },
      // BullMQ refuses ":" in a custom id.
      opts: { delay: 3_600_000, jobId: `${run}-${from + j}` },
    }));
    const t0 = performance.now();
    await queue.addBulk(jobs);
    latency.recordValue(Math.max(1, Math.round(performance.now() - t0)));
  });
  const stored = (await queue.getDelayedCount()) - before;
  return {
    label: `BullMQ addBulk, ${opts.batch}/call x${opts.concurrency}`,
    tasks: count,
    seconds,
    latency,
    failures: Math.max(0, count - stored),
  };
}

function line(m: Measured): string {
  const rate = (m.tasks / m.seconds).toFixed(0).padStart(7);
  const p = (q: number) => String(m.latency.getValueAtPercentile(q)).padStart(5);
  return `${m.label.padEnd(36)} ${rate} tasks/s   request ms p50 ${p(50)} p99 ${p(99)} max ${String(m.latency.maxValue).padStart(5)}   not created ${m.failures}`;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function withBullmq<T>(fn: (queue: BullQueue) => Promise<T>): Promise<T> {
  const { Queue } = await import('bullmq');
  const { child, port } = await startRedis();
  const queue = new Queue('bench-create', {
    connection: { host: '127.0.0.1', port, maxRetriesPerRequest: null },
  });
  try {
    await queue.waitUntilReady();
    return await fn(queue);
  } finally {
    await queue.close();
    await stopRedis(child);
  }
}

async function main() {
  const mongoUri = withDatabase(requireEnv('MONGODB_URI'), `bench_create_bulk_${Date.now()}`);
  const machine = await describeMachine(mongoUri);
  let center: ChildProcess | undefined;
  const results: Measured[][] = [];
  try {
    const started = await startCenter({
      MONGODB_URI: mongoUri,
      KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'),
    });
    center = started.child;
    indexFerretdbPostgres(log);
    log('warming up…');
    await bulk(started.url, 'warm-bulk', 5000);
    await single(started.url, 'warm-single', 500);
    for (let round = 1; round <= opts.rounds; round++) {
      log(`round ${round}/${opts.rounds}: bulk ${opts.tasks} tasks…`);
      const b = await bulk(started.url, `r${round}-bulk`, opts.tasks);
      log(line(b));
      log(`round ${round}/${opts.rounds}: single ${opts.single} tasks…`);
      const s = await single(started.url, `r${round}-single`, opts.single);
      log(line(s));
      results.push([b, s]);
    }
    const conn = await mongoose.createConnection(mongoUri).asPromise();
    const stored = await conn.collection('tasks').estimatedDocumentCount();
    await conn.close();
    log(`tasks stored: ${stored}`);
  } finally {
    if (center) await stopCenter(center);
    await dropDatabase(mongoUri);
    agent.destroy();
  }

  let bull: Measured[] = [];
  if (!opts['no-bullmq']) {
    bull = await withBullmq(async (queue) => {
      await bullmqBulk(queue, 'warm', 5000);
      const out: Measured[] = [];
      for (let round = 1; round <= opts.rounds; round++) {
        log(`round ${round}/${opts.rounds}: BullMQ addBulk ${opts.tasks} jobs…`);
        out.push(await bullmqBulk(queue, `r${round}`, opts.tasks));
        log(line(out.at(-1)!));
      }
      return out;
    });
  }

  const summary = (label: string, ms: Measured[]) => {
    const rates = ms.map((m) => m.tasks / m.seconds);
    const lo = Math.min(...rates).toFixed(0);
    const hi = Math.max(...rates).toFixed(0);
    return `${label.padEnd(36)} ${median(rates).toFixed(0).padStart(7)} tasks/s (min–max ${lo}–${hi}), p99 request ${median(ms.map((m) => m.latency.getValueAtPercentile(99)))} ms`;
  };
  console.log(`\ncreate throughput: bulk vs single vs BullMQ addBulk (median of ${opts.rounds})`);
  console.log(`machine: ${machine}; client, server and database share it`);
  console.log(
    summary(
      results[0]![0]!.label,
      results.map((r) => r[0]!),
    ),
  );
  console.log(
    summary(
      results[0]![1]!.label,
      results.map((r) => r[1]!),
    ),
  );
  if (bull.length > 0) console.log(summary(bull[0]!.label, bull));
  const notCreated = [...results.flat(), ...bull].reduce((n, m) => n + m.failures, 0);
  console.log(`not created: ${notCreated}`);
  if (notCreated > 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
