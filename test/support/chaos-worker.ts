/**
 * A worker process for the chaos suite (spawned by chaos-workers.ts). Settings come as JSON in
 * CHAOS_WORKER_SPEC. Its '*' handler takes `minMs`..`maxMs` and appends one line to
 * `recordFile` when it starts and one when it ends, written synchronously: a SIGKILL keeps every
 * line written before it, so a run cut off mid-handler shows as a start without an end.
 *   S <message id> <task id> <scheduled ms> <pid> <ms>
 *   E <message id> <task id> <scheduled ms> <pid> <ms>
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { TaskWorker } from '@task-center/client';
import { runWorkerProcess } from './worker-main';

interface ChaosWorkerSpec {
  brokers: string[];
  groupId: string;
  topic: string;
  resultsTopic: string;
  recordFile: string;
  minMs: number;
  maxMs: number;
}

const spec = JSON.parse(process.env.CHAOS_WORKER_SPEC ?? '{}') as ChaosWorkerSpec;
const say = (line: string) => process.stdout.write(`${line}\n`);
const record = openSync(spec.recordFile, 'a');
const note = (kind: 'S' | 'E', messageId: string, taskId: string, scheduledAt: number) =>
  writeSync(record, `${kind} ${messageId} ${taskId} ${scheduledAt} ${process.pid} ${Date.now()}\n`);

const worker = new TaskWorker({
  brokers: spec.brokers,
  groupId: spec.groupId,
  topic: spec.topic,
  resultsTopic: spec.resultsTopic,
  fromBeginning: true,
  // ~300 fires/s of ~110 ms each: about 35 handlers in flight across the two workers.
  pipeline: true,
  concurrency: 16,
  partitionConcurrency: 8,
  heartbeatIntervalMs: 2000,
  // Covers the whole run (the default 10,000 ids are ~1 min at 150 fires/s per worker): a
  // redelivery after a rebalance can go back further than that.
  dedupeWindow: { maxEntries: 1_000_000 },
  consumer: { sessionTimeout: 6000, heartbeatInterval: 500, maxWaitTimeInMs: 100 },
  logger: { log: () => undefined, warn: (m) => say(`WARN ${m}`), error: (m) => say(`ERROR ${m}`) },
});
worker.addTaskHandler('*', async (taskId, _data, messageId, ctx) => {
  note('S', messageId, taskId, ctx.scheduledAt);
  const ms = spec.minMs + Math.floor(Math.random() * (spec.maxMs - spec.minMs + 1));
  await new Promise((resolve) => setTimeout(resolve, ms));
  note('E', messageId, taskId, ctx.scheduledAt);
});

runWorkerProcess(worker, { onStopped: () => closeSync(record) });
