/**
 * A worker process for the runs suite (spawned by the suite with spawnRunsWorker). Settings
 * come as JSON in RUNS_WORKER_SPEC; `succeedFrom[tag]` is the first attempt whose handler
 * succeeds (0: it always throws). Every call prints `CALL <tag> <message id> <attempt> <ms>`.
 */
import { TaskWorker } from '@task-center/client';
import { runWorkerProcess } from './worker-main';

interface RunsWorkerSpec {
  brokers: string[];
  groupId: string;
  topic: string;
  resultsTopic: string;
  succeedFrom: Record<string, number>;
}

const spec = JSON.parse(process.env.RUNS_WORKER_SPEC ?? '{}') as RunsWorkerSpec;
const say = (line: string) => process.stdout.write(`${line}\n`);

const worker = new TaskWorker({
  brokers: spec.brokers,
  groupId: spec.groupId,
  topic: spec.topic,
  resultsTopic: spec.resultsTopic,
  fromBeginning: true,
  heartbeatIntervalMs: 1000,
  consumer: { sessionTimeout: 6000, heartbeatInterval: 500, maxWaitTimeInMs: 100 },
  logger: { log: () => undefined, warn: (m) => say(`WARN ${m}`), error: (m) => say(`ERROR ${m}`) },
});
for (const [tag, from] of Object.entries(spec.succeedFrom)) {
  worker.addTaskHandler(tag, (_taskId, _data, msgId, ctx) => {
    say(`CALL ${tag} ${msgId} ${ctx.attempt} ${Date.now()}`);
    if (from === 0 || ctx.attempt < from) {
      throw new Error(`${tag} refuses attempt ${ctx.attempt}`);
    }
  });
}

runWorkerProcess(worker);
