import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { TaskWorker } from '@task-center/client/worker/task-worker';
import { type Kafka } from 'kafkajs';
import { type Agent } from 'undici';
import { retryUntil } from '../startup/retry-until';
import { guardedAgent } from './guarded-agent';
import { HostLimiter } from './host-limiter';
import { HttpDelivery } from './http-delivery';
import { HTTP_TARGETS_SETTINGS, type HttpTargetsSettings } from './http-targets.settings';
import { targetPolicyOf } from './target-policy';

export const HTTP_TARGETS_KAFKA = Symbol('HTTP_TARGETS_KAFKA');

/** A fire waits at most this long for a connection slot to a busy host. */
const QUEUE_WAIT_MS = 60_000;

/**
 * The HTTP delivery worker: an SDK TaskWorker on the HTTP topic whose one handler ('*') makes
 * each fire's request. Outcomes, retries, dead letters and run history are the SDK's and the
 * task center's usual machinery. Pipelined, so a slow host never holds back later fires.
 */
@Injectable()
export class HttpTargetsWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('HttpTargets');
  private worker: TaskWorker | undefined;
  private agent: Agent | undefined;
  private started: Promise<void> | undefined;
  private stopping = false;

  constructor(
    @Inject(HTTP_TARGETS_SETTINGS) private readonly settings: HttpTargetsSettings,
    @Inject(HTTP_TARGETS_KAFKA) private readonly kafka: Kafka,
  ) {}

  /** Resolves once the worker joined its group (or at once when disabled). */
  ready(): Promise<void> {
    return this.started ?? Promise.resolve();
  }

  onApplicationBootstrap(): void {
    const s = this.settings;
    if (!s.enabled) return;
    this.agent = guardedAgent(targetPolicyOf(s), { connectionsPerHost: s.maxPerHost });
    const delivery = new HttpDelivery({
      dispatcher: this.agent,
      limiter: new HostLimiter(s.maxInFlight, s.maxPerHost),
      secrets: s.signingSecrets,
      userAgent: `task-center/${s.version}`,
      maxPerHost: s.maxPerHost,
      queueWaitMs: QUEUE_WAIT_MS,
    });
    // In the background: the API and the dispatcher do not wait for a consumer group to form.
    this.started = retryUntil(() => this.start(delivery), {
      what: `http targets: joining ${s.group} on ${s.topic}`,
      deadlineMs: Number.POSITIVE_INFINITY,
      logger: this.logger,
    }).catch((err: unknown) => {
      this.logger.error(`HTTP delivery worker stopped trying to start: ${String(err)}`);
    });
    if (s.allow.length > 0) {
      this.logger.log(`SSRF rules relaxed for ${s.allow.join(', ')} (HTTP_TARGET_ALLOW)`);
    }
    if (s.signingSecrets.length === 0) {
      this.logger.warn('HTTP_TARGET_SIGNING_SECRETS is empty: HTTP target requests are unsigned');
    }
  }

  /** One try: a TaskWorker starts once, so every try gets a new one. */
  private async start(delivery: HttpDelivery): Promise<void> {
    if (this.stopping) return;
    const s = this.settings;
    const worker = new TaskWorker({
      kafka: this.kafka,
      groupId: s.group,
      topic: s.topic,
      resultsTopic: s.resultsTopic,
      // A new group reads the topic from its start: nothing on it is meant for anyone else.
      fromBeginning: true,
      pipeline: true,
      concurrency: s.maxInFlight,
      partitionConcurrency: s.partitions,
      // Like the results consumer's: a SIGKILLed process's partitions move on this soon.
      consumer: {
        sessionTimeout: s.sessionTimeoutMs,
        heartbeatInterval: Math.max(500, Math.floor(s.sessionTimeoutMs / 10)),
      },
      logger: this.logger,
    }).addTaskHandler('*', delivery.handle);
    await worker.start();
    this.worker = worker;
    if (this.stopping) await worker.stop();
  }

  /** Before Kafka closes: in-flight requests finish and report, within the drain timeout. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.worker?.stop();
    await this.agent?.close().catch(() => undefined);
  }
}
