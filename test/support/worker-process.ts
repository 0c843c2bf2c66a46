/**
 * A worker as its own OS process, for the crash suites (spawned by worker-spawn.ts).
 * Settings come as JSON in WORKER_SPEC. Its '*' handler prints `RUN <msgId>` when it starts
 * and `DONE <msgId>` when it ends; in `hang` mode it never ends. SIGTERM stops it gracefully.
 */
import { TaskWorker } from '@task-center/client';
import { runWorkerProcess } from './worker-main';

interface WorkerSpec {
  brokers: string[];
  groupId: string;
  topic: string;
  resultsTopic: string;
  mode: 'hang' | 'ok';
}

const spec = JSON.parse(process.env.WORKER_SPEC ?? '{}') as WorkerSpec;
const say = (line: string) => process.stdout.write(`${line}\n`);

const worker = new TaskWorker({
  brokers: spec.brokers,
  groupId: spec.groupId,
  topic: spec.topic,
  resultsTopic: spec.resultsTopic,
  fromBeginning: true,
  consumer: { sessionTimeout: 6000, heartbeatInterval: 500, maxWaitTimeInMs: 200 },
});
worker.addTaskHandler('*', async (_taskId, _data, msgId) => {
  say(`RUN ${msgId}`);
  if (spec.mode === 'hang') await new Promise(() => undefined);
  say(`DONE ${msgId}`);
});

runWorkerProcess(worker);
