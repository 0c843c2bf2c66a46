/**
 * One SDK worker process of the soak (spawned by bench/soak.ts). Settings come as JSON in
 * SOAK_WORKER_SPEC. Every handler start is appended to `spec.file` as one line,
 * `<message id> <started at ms> <S|F> <published at ms>` (F: this run throws), flushed every 250 ms; 1 in
 * `spec.failOneIn` slots fail their first attempt (so that retries flow). Prints
 * `MEM <rss MB> <heap used MB>` every 10 s and `READY` once joined. SIGTERM stops it gracefully.
 */
import { appendFileSync } from 'node:fs';
import { TaskWorker } from '@task-center/client';
import { runWorkerProcess } from '../../test/support/worker-main';
import { failsFirstAttempt } from './handler-ledger';

interface SoakWorkerSpec {
  brokers: string[];
  groupId: string;
  topic: string;
  resultsTopic: string;
  partitions: number;
  file: string;
  failOneIn: number;
}

const spec = JSON.parse(process.env.SOAK_WORKER_SPEC ?? '{}') as SoakWorkerSpec;
const say = (line: string) => process.stdout.write(`${line}\n`);

let pending: string[] = [];
const flush = () => {
  if (pending.length === 0) return;
  appendFileSync(spec.file, pending.join(''));
  pending = [];
};
const flusher = setInterval(flush, 250);
const memory = setInterval(() => {
  const m = process.memoryUsage();
  say(`MEM ${(m.rss / 2 ** 20).toFixed(1)} ${(m.heapUsed / 2 ** 20).toFixed(1)}`);
}, 10_000);

const worker = new TaskWorker({
  brokers: spec.brokers,
  groupId: spec.groupId,
  topic: spec.topic,
  resultsTopic: spec.resultsTopic,
  fromBeginning: true,
  concurrency: 64,
  partitionConcurrency: spec.partitions,
  consumer: { maxWaitTimeInMs: 100 },
  logger: {
    log: () => undefined,
    warn: (m) => process.stderr.write(`soak-worker ${process.pid}: ${m}\n`),
    error: (m) => process.stderr.write(`soak-worker ${process.pid}: ${m}\n`),
  },
});
worker.addTaskHandler('*', (taskId, _data, msgId, ctx) => {
  const fail = ctx.attempt === 1 && failsFirstAttempt(taskId, ctx.scheduledAt, spec.failOneIn);
  pending.push(`${msgId} ${Date.now()} ${fail ? 'F' : 'S'} ${ctx.publishedAt}\n`);
  if (fail) throw new Error('soak: this slot fails its first attempt');
});

runWorkerProcess(worker, {
  name: 'soak worker',
  evenIfStopFails: true,
  onStopped: () => {
    clearInterval(flusher);
    clearInterval(memory);
    flush();
  },
});
