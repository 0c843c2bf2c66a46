import {
  decodeFire,
  type FireEnvelope,
  type FireOutcomeEvent,
  WORKER_EVENT_VERSION,
  type WorkerIdentity,
} from '@task-center/contracts';
import {
  type Consumer,
  Kafka,
  type KafkaMessage,
  logLevel,
  Partitioners,
  type Producer,
} from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { SDK_VERSION } from '../version';
import { DedupeWindow } from './dedupe-window';
import { type FireHandler } from './fire-handler';
import { type Handled } from './message-slot';
import { consumePartitionBatch } from './partition-batch';
import { PartitionPipelines } from './partition-pipeline';
import { OutageLog } from './outage-log';
import { LazyAbort } from './lazy-abort';
import { ResultsPublisher } from './results-publisher';
import { type HandlerRun, runHandler } from './run-handler';
import { TagRouter } from './tag-router';
import { checkOptions, DEFAULTS, type TaskWorkerOptions } from './task-worker-options';
import { consoleLogger, kafkaLogCreator, type WorkerLogger } from './worker-logger';

/** A message with no outcome to publish: committable at once. */
const NOTHING_TO_PUBLISH: Handled = { committable: Promise.resolve() };

type WorkerState = 'new' | 'starting' | 'running' | 'stopping' | 'stopped';

/**
 * Consumes fires from the tasks topic and runs the handler registered for each fire's tag,
 * at least once: outcome event first, offset commit second. See libs/client/README.md.
 */
export class TaskWorker {
  /** Who this process is in outcomes and heartbeats. */
  readonly identity: WorkerIdentity;
  private readonly router = new TagRouter<FireHandler>();
  private readonly dedupe: DedupeWindow;
  private readonly logger: WorkerLogger;
  private readonly kafka: Kafka;
  private readonly topic: string;
  private readonly resultsTopic: string;
  private state: WorkerState = 'new';
  private consumer: Consumer | undefined;
  private producer: Producer | undefined;
  private results: ResultsPublisher | undefined;
  /** Pipelined mode only: per-partition state that outlives a batch. */
  private pipelines: PartitionPipelines | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  /** Controllers of running handlers, aborted when stop() gives up on them. */
  private readonly running = new Set<LazyAbort>();
  private drainExpired = false;
  private readonly drainDeadline: Promise<void>;
  private expireDrain!: () => void;
  private stopped: Promise<void> | undefined;
  private readonly crashes: OutageLog;
  private readonly heartbeats: OutageLog;

  constructor(private readonly options: TaskWorkerOptions) {
    checkOptions(options);
    this.logger = options.logger ?? consoleLogger;
    this.crashes = new OutageLog(this.logger, 'consumer');
    this.heartbeats = new OutageLog(this.logger, 'heartbeat');
    this.topic = options.topic ?? DEFAULTS.topic;
    this.resultsTopic = options.resultsTopic ?? DEFAULTS.resultsTopic;
    this.kafka =
      options.kafka ??
      new Kafka({
        clientId: options.clientId ?? DEFAULTS.clientId,
        brokers: options.brokers ?? [],
        logLevel: logLevel.WARN,
        logCreator: kafkaLogCreator(this.logger),
      });
    this.dedupe = new DedupeWindow({
      maxEntries: options.dedupeWindow?.maxEntries ?? DEFAULTS.dedupeMaxEntries,
      ttlMs: options.dedupeWindow?.ttlMs ?? DEFAULTS.dedupeTtlMs,
    });
    this.identity = {
      id: randomUUID(),
      group: options.groupId,
      host: hostname(),
      pid: process.pid,
      sdk: SDK_VERSION,
    };
    this.drainDeadline = new Promise((resolve) => (this.expireDrain = resolve));
  }

  /**
   * Registers `handler` for `tag`, for several tags (`'a||b'`, spaces around `||` allowed), or
   * for every tag without a handler of its own in this worker (`'*'`: a fire runs one handler,
   * never both). Throws if a tag already has one, or once the worker started.
   */
  addTaskHandler(tag: string, handler: FireHandler): this {
    if (this.state !== 'new') {
      throw new Error(
        `TaskWorker: addTaskHandler('${tag}') after start(); register handlers first`,
      );
    }
    try {
      this.router.add(tag, handler);
    } catch (err) {
      throw new Error(`TaskWorker: ${(err as Error).message}`);
    }
    return this;
  }

  /** Tags with a handler ('*' last). */
  get tags(): string[] {
    return this.router.tags();
  }

  /** Connects, joins the consumer group (resolves once joined) and starts heartbeats. */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error(`TaskWorker: start() called when ${this.state}`);
    if (this.router.size === 0) throw new Error('TaskWorker: add a task handler before start()');
    this.state = 'starting';
    const { options } = this;
    // The results topic belongs to the task center: a missing one is an error to retry, not
    // something to create with broker defaults.
    this.producer = this.kafka.producer({
      allowAutoTopicCreation: false,
      // Events are keyed; choosing the partitioner explicitly also silences kafkajs' v2 notice.
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.consumer = this.kafka.consumer({ ...options.consumer, groupId: options.groupId });
    this.results = new ResultsPublisher(this.producer, this.resultsTopic, this.logger);
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      if (payload.restart)
        return this.crashes.fail(`crashed (${String(payload.error)}); restarting`, 'error');
      this.logger.error(
        `consumer crashed (${String(payload.error)}); not restarting: the worker consumes nothing`,
      );
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => this.crashes.ok());
    const concurrency = options.concurrency ?? DEFAULTS.concurrency;
    const stopping = () => this.state !== 'running';
    if (options.pipeline) {
      const pipelines = new PartitionPipelines({
        concurrency,
        handle: (topic, partition, message) => this.handle(topic, partition, message),
        stopping,
        drainExpired: this.drainDeadline,
        logger: this.logger,
      });
      this.pipelines = pipelines;
      // Emitted after every join+sync (the first one too): partitions start over from the
      // group's committed offsets, so per-partition state starts over as well.
      this.consumer.on(this.consumer.events.GROUP_JOIN, () => pipelines.newGeneration());
    }
    try {
      await this.producer.connect();
      await this.consumer.connect();
      await this.consumer.subscribe({ topic: this.topic, fromBeginning: options.fromBeginning });
      await this.consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently:
          options.partitionConcurrency ?? DEFAULTS.partitionConcurrency,
        eachBatch: (payload) =>
          this.pipelines
            ? this.pipelines.consume(payload)
            : consumePartitionBatch(payload, {
                concurrency,
                handle: (message) =>
                  this.handle(payload.batch.topic, payload.batch.partition, message),
                stopping,
                drainExpired: this.drainDeadline,
                logger: this.logger,
              }),
      });
    } catch (err) {
      this.state = 'stopped';
      await this.disconnect();
      throw err;
    }
    this.state = 'running';
    const intervalMs = options.heartbeatIntervalMs ?? DEFAULTS.heartbeatIntervalMs;
    this.heartbeatTimer = setInterval(() => void this.heartbeat(false), intervalMs);
    this.heartbeatTimer.unref();
    void this.heartbeat(false);
    this.logger.log(
      `consuming ${this.topic} as ${options.groupId} (tags ${this.tags.join(', ')}; worker ${this.identity.id})`,
    );
  }

  /**
   * Stops fetching, waits up to `drainTimeoutMs` for running handlers (publishing their
   * outcomes and committing), sends a last heartbeat with `stopping: true`, disconnects.
   * Handlers still running at the deadline get their signal aborted and stay uncommitted.
   */
  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  private async shutdown(): Promise<void> {
    if (this.state === 'new' || this.state === 'stopped') {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopping';
    clearInterval(this.heartbeatTimer);
    const drainTimer = setTimeout(() => {
      this.drainExpired = true;
      for (const controller of this.running) {
        controller.abort(new Error('worker stopping: drain timeout passed'));
      }
      if (this.running.size > 0) {
        this.logger.warn(`stop: ${this.running.size} handler(s) still running; left uncommitted`);
      }
      this.expireDrain();
    }, this.options.drainTimeoutMs ?? DEFAULTS.drainTimeoutMs);
    try {
      if (this.pipelines) await this.drainPipelines(this.pipelines);
      // Returns once every eachBatch returned: in batch mode, in-flight handlers drained and
      // committed. Then it leaves the group.
      await this.consumer?.stop();
    } catch (err) {
      this.logger.warn(`stop: consumer did not stop cleanly (${String(err)})`);
    } finally {
      clearTimeout(drainTimer);
    }
    await this.heartbeat(true);
    await this.disconnect();
    this.state = 'stopped';
  }

  /**
   * Pipelined batches return before their handlers finish, and consumer.stop() leaves the
   * group, after which commits fail: so stop fetching (paused partitions are not fetched, and
   * kafkajs keeps heartbeating the group meanwhile), wait for the handlers, commit, then stop.
   */
  private async drainPipelines(pipelines: PartitionPipelines): Promise<void> {
    try {
      this.consumer?.pause([{ topic: this.topic }]);
    } catch {
      // Not running yet: nothing was fetched.
    }
    await pipelines.drain();
  }

  private async disconnect(): Promise<void> {
    await this.consumer?.disconnect().catch((err: unknown) => {
      this.logger.warn(`consumer disconnect failed (${String(err)})`);
    });
    await this.producer?.disconnect().catch((err: unknown) => {
      this.logger.warn(`producer disconnect failed (${String(err)})`);
    });
  }

  private async heartbeat(stopping: boolean): Promise<void> {
    try {
      await this.results?.publishHeartbeat({
        kind: 'heartbeat',
        v: WORKER_EVENT_VERSION,
        worker: this.identity,
        tags: this.tags,
        at: Date.now(),
        intervalMs: this.options.heartbeatIntervalMs ?? DEFAULTS.heartbeatIntervalMs,
        ...(stopping ? { stopping: true } : {}),
      });
      this.heartbeats.ok();
    } catch (err) {
      this.heartbeats.fail(`not published (${String(err)})`);
    }
  }

  /**
   * One message: resolves when its handler is done, with the publish of its outcome still
   * going out in `committable` (the next message starts meanwhile; the offset is committed
   * only once the outcome is out). Rejects when the message must stay uncommitted.
   */
  private async handle(topic: string, partition: number, message: KafkaMessage): Promise<Handled> {
    const decoded = decodeFire(message);
    if (!decoded.ok) {
      // Redelivering it would fail the same way: log, and commit past it.
      this.logger.warn(
        `skipping malformed message ${topic}/${partition}@${message.offset}: ${decoded.reason}`,
      );
      return NOTHING_TO_PUBLISH;
    }
    const { fire } = decoded;
    const handler = this.router.match(fire.tag);
    if (!handler) return NOTHING_TO_PUBLISH; // another service's tag: nothing to do here

    for (;;) {
      const claim = this.dedupe.claim(fire.messageId);
      if (claim.kind === 'skip') return NOTHING_TO_PUBLISH;
      if (claim.kind === 'wait') {
        await claim.settled;
        continue;
      }
      const run = await this.run(handler, fire, message);
      claim.settle(run.result === 'succeeded');
      // stop() gave up on this run: its offset stays uncommitted, so report nothing either.
      if (this.drainExpired) throw new Error(`${fire.messageId} finished after the drain deadline`);
      return {
        committable: this.results!.publishOutcome(
          this.outcome(fire, run),
          () => !this.drainExpired,
        ),
      };
    }
  }

  private async run(
    handler: FireHandler,
    fire: FireEnvelope,
    message: KafkaMessage,
  ): Promise<HandlerRun> {
    const controller = new LazyAbort();
    this.running.add(controller);
    try {
      const run = await runHandler(handler, fire, () => headerStrings(message), controller);
      if (run.timedOut) this.logger.warn(`${fire.tag} ${fire.messageId}: ${run.error}`);
      return run;
    } finally {
      this.running.delete(controller);
    }
  }

  private outcome(fire: FireEnvelope, run: HandlerRun): FireOutcomeEvent {
    return {
      kind: 'outcome',
      v: WORKER_EVENT_VERSION,
      messageId: fire.messageId,
      taskId: fire.taskId,
      tag: fire.tag,
      attempt: fire.attempt,
      scheduledAt: fire.scheduledAt,
      ...run,
      worker: this.identity,
    };
  }
}

function headerStrings(message: KafkaMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(message.headers ?? {})) {
    const first = Array.isArray(raw) ? raw[0] : raw;
    if (first !== undefined) out[name] = first.toString();
  }
  return out;
}
