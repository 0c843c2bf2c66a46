/**
 * Where a burst's time goes: N one-shots due in the same second, followed from the due second
 * to the dispatcher's publish (the fire's tc-published-at), to a plain Kafka consumer's
 * receive, to the TaskWorker's handler start. Prints percentiles of each stage (ms after the
 * due second) and the last of each, for the worker settings given.
 *
 *   npm run bench:burst -- [--tasks 10000] [--partitions 6] [--lead 15] [--runs 1]
 *     [--concurrency N] [--partition-concurrency N] [--pipeline] [--max-wait MS]
 *
 * Worker settings left out are the SDK's defaults (TaskWorker DEFAULTS), so that the first
 * run shows what a user gets without tuning.
 */
import { Kafka, logLevel } from 'kafkajs';
import { TaskCenterClient, TaskType, TaskWorker } from '../libs/client/src';
import {
  args,
  describeMachine,
  dropDatabase,
  latencyHistogram,
  requireEnv,
  startCenter,
  stopCenter,
  withDatabase,
} from './support';

const opts = args({
  tasks: 10_000,
  partitions: 6,
  lead: 15,
  runs: 1,
  concurrency: 0,
  'partition-concurrency': 0,
  pipeline: false,
  'max-wait': 0,
});

const log = (line: string) => process.stderr.write(`${line}\n`);

class Stage {
  readonly histogram = latencyHistogram();
  count = 0;
  last = -Infinity;
  first = Infinity;
  add(ms: number): void {
    this.count++;
    this.histogram.recordValue(Math.max(0, Math.round(ms)));
    this.last = Math.max(this.last, ms);
    this.first = Math.min(this.first, ms);
  }
  line(name: string): string {
    const p = (q: number) => `${this.histogram.getValueAtPercentile(q)}`.padStart(6);
    return `${name.padEnd(30)} n ${String(this.count).padStart(6)}  first ${String(Math.round(this.first)).padStart(6)}  p50 ${p(50)}  p90 ${p(90)}  p99 ${p(99)}  last ${String(Math.round(this.last)).padStart(6)}`;
  }
}

async function run(round: number, brokers: string[], baseUri: string): Promise<void> {
  const stamp = `${Date.now()}-${round}`;
  const mongoUri = withDatabase(baseUri, `bench_burst_${stamp.replace('-', '_')}`);
  const topics = {
    KAFKA_TOPIC_TASKS: `bench.burst.${stamp}.tasks`,
    KAFKA_TOPIC_RESULTS: `bench.burst.${stamp}.results`,
    KAFKA_TOPIC_DEAD_LETTER: `bench.burst.${stamp}.dead-letter`,
  };
  const { child, url } = await startCenter({
    MONGODB_URI: mongoUri,
    KAFKA_BROKERS: brokers.join(','),
    KAFKA_TOPIC_PARTITIONS: String(opts.partitions),
    RUNS_ENABLED: 'false',
    ...topics,
  });
  const kafka = new Kafka({ clientId: 'bench-burst', brokers, logLevel: logLevel.NOTHING });
  const plain = kafka.consumer({ groupId: `bench-burst-plain-${stamp}` });
  const published = new Stage();
  const received = new Stage();
  const started = new Stage();
  let dueAt = Infinity;
  const worker = new TaskWorker({
    brokers,
    groupId: `bench-burst-worker-${stamp}`,
    topic: topics.KAFKA_TOPIC_TASKS,
    resultsTopic: topics.KAFKA_TOPIC_RESULTS,
    ...(opts.concurrency > 0 && { concurrency: opts.concurrency }),
    ...(opts['partition-concurrency'] > 0 && {
      partitionConcurrency: opts['partition-concurrency'],
    }),
    ...(opts.pipeline ? { pipeline: true } : {}),
    ...(opts['max-wait'] > 0 && { consumer: { maxWaitTimeInMs: opts['max-wait'] } }),
    logger: { log: () => undefined, warn: log, error: log },
  });
  worker.addTaskHandler('*', (_id, _data, _msg, ctx) => {
    started.add(Date.now() - ctx.scheduledAt);
    published.add(ctx.publishedAt - ctx.scheduledAt);
  });
  try {
    await plain.connect();
    await plain.subscribe({ topic: topics.KAFKA_TOPIC_TASKS });
    await plain.run({
      eachBatch: ({ batch }) => {
        const now = Date.now();
        for (let i = 0; i < batch.messages.length; i++) received.add(now - dueAt);
        return Promise.resolve();
      },
    });
    await worker.start();
    const client = new TaskCenterClient({ baseUrl: url, timeoutMs: 120_000 });
    dueAt = Math.ceil((Date.now() + opts.lead * 1000) / 1000) * 1000;
    const t0 = performance.now();
    const { created } = await client.createTasks(
      Array.from({ length: opts.tasks }, (_, i) => ({
        name: 'bench.burst',
        type: TaskType.OneShot,
        start_time: dueAt / 1000,
        data: String(i),
      })),
    );
    const createS = (performance.now() - t0) / 1000;
    log(
      `round ${round}: ${created} one-shots created in ${createS.toFixed(1)} s; due in ${((dueAt - Date.now()) / 1000).toFixed(1)} s`,
    );
    if (Date.now() > dueAt) log('warning: the creates ended after the due second (raise --lead)');
    const deadline = dueAt + 120_000;
    while ((started.count < opts.tasks || received.count < opts.tasks) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    log(published.line('published (center)'));
    log(received.line('received (plain consumer)'));
    log(started.line('handler start (TaskWorker)'));
  } finally {
    await worker.stop().catch(() => undefined);
    await plain.disconnect().catch(() => undefined);
    await stopCenter(child);
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
    await admin.disconnect();
    await dropDatabase(mongoUri).catch(() => undefined);
  }
}

async function main() {
  const brokers = requireEnv('KAFKA_BROKERS').split(',');
  const baseUri = requireEnv('MONGODB_URI');
  log(`machine: ${await describeMachine(withDatabase(baseUri, 'admin'))}`);
  const worker = [
    `concurrency ${opts.concurrency || 'default'}`,
    `partitionConcurrency ${opts['partition-concurrency'] || 'default'}`,
    `pipeline ${opts.pipeline}`,
    `maxWaitTimeInMs ${opts['max-wait'] || 'default'}`,
  ].join(', ');
  log(
    `burst: ${opts.tasks} one-shots due in the same second, ${opts.partitions} partitions; TaskWorker: ${worker}`,
  );
  log('times are ms after the due second');
  for (let round = 1; round <= opts.runs; round++) await run(round, brokers, baseUri);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
