import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { type Admin, type Kafka } from 'kafkajs';
import { APP_CONFIG, type AppConfig } from '../config';
import { KAFKA } from './kafka.tokens';
import { type GroupMembers } from './group-sharing';
import { retryUntil } from '../startup/retry-until';

/**
 * Owns the admin connection: creates the task center's topics at startup (with the
 * configured partition count) and answers health checks with a metadata round trip.
 */
@Injectable()
export class KafkaAdminService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(KafkaAdminService.name);
  private readonly admin: Admin;
  private setup: Promise<void> | undefined;

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    // Few client-side retries: startup has its own visible retry loop, and a health
    // check must answer within its timeout rather than back off for seconds.
    this.admin = kafka.admin({ retry: { retries: 1, initialRetryTime: 200, maxRetryTime: 1000 } });
  }

  onModuleInit(): Promise<void> {
    return this.ready();
  }

  /**
   * Resolves once the admin is connected and the topics exist (startup's retries included):
   * the producer connects after it, so its first metadata and partition counts find them.
   */
  ready(): Promise<void> {
    this.setup ??= this.connectAndCreateTopics();
    return this.setup;
  }

  private async connectAndCreateTopics(): Promise<void> {
    const { brokers } = this.config.kafka;
    const started = Date.now();
    await retryUntil(() => this.admin.connect(), {
      what: `kafka: connecting to ${brokers.join(',')}`,
      deadlineMs: this.config.startupTimeoutMs,
      logger: this.logger,
    });
    // Retried: on a cluster, a broker can answer before it has the new topics' metadata
    // ("does not host this topic-partition" while waiting for their leaders).
    await retryUntil(() => this.createMissingTopics(), {
      what: 'kafka: creating topics',
      deadlineMs: Math.max(1000, this.config.startupTimeoutMs - (Date.now() - started)),
      logger: this.logger,
    });
  }

  private async createMissingTopics(): Promise<void> {
    const { topics, partitions, replicationFactor, minInsyncReplicas } = this.config.kafka;
    const wanted = [...new Set([...Object.values(topics), ...this.config.kafka.extraTopics])];
    const existing = new Set(await this.admin.listTopics());
    const missing = wanted.filter((t) => !existing.has(t));
    if (missing.length === 0) return;
    // False when another replica created them first: they exist either way.
    await this.admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({
        topic,
        numPartitions: partitions,
        replicationFactor,
        ...(minInsyncReplicas !== undefined && {
          configEntries: [{ name: 'min.insync.replicas', value: String(minInsyncReplicas) }],
        }),
      })),
    });
    const isr = minInsyncReplicas === undefined ? '' : `, min.insync.replicas ${minInsyncReplicas}`;
    this.logger.log(
      `created topics ${missing.join(', ')} (${partitions} partitions, replication factor ${replicationFactor}${isr})`,
    );
  }

  /** Number of brokers that answered a metadata request, or a rejection. */
  async ping(timeoutMs: number): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no metadata answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      const cluster = await Promise.race([this.admin.describeCluster(), timeout]);
      return cluster.brokers.length;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Each group's live members (by the client id they joined with); empty for an unknown group. */
  async groupMembers(groupIds: string[]): Promise<GroupMembers[]> {
    if (groupIds.length === 0) return [];
    const { groups } = await this.admin.describeGroups(groupIds);
    return groups.map((g) => ({
      groupId: g.groupId,
      members: g.members.map((m) => ({ clientId: m.clientId })),
    }));
  }

  async partitionsOf(topic: string): Promise<number> {
    const meta = await this.admin.fetchTopicMetadata({ topics: [topic] });
    return meta.topics[0]?.partitions.length ?? 0;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.admin.disconnect();
  }
}
