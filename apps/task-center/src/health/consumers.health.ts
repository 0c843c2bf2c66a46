import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { type Admin, type Kafka } from 'kafkajs';
import { APP_CONFIG, type AppConfig } from '../config';
import { KAFKA } from '../kafka/kafka.tokens';

/** Group states in which the group has members consuming (or about to, mid-rebalance). */
const LIVE_STATES = new Set(['Stable', 'PreparingRebalance', 'CompletingRebalance']);

/**
 * Whether the results consumer group (worker outcomes) and, when this process runs one, the
 * HTTP delivery worker's group have members. Kafka does not
 * say which member is this process, so a fleet where another replica consumes counts as
 * ready too: what readiness protects is that outcomes are being read at all.
 */
@Injectable()
export class ConsumersHealthIndicator implements OnApplicationShutdown {
  private admin: Admin | undefined;

  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async check(key: string, timeoutMs: number) {
    const indicator = this.health.check(key);
    const { runs, httpTargets } = this.config;
    const groups = [
      ...(runs.enabled ? [runs.resultsGroup] : []),
      ...(httpTargets.enabled ? [httpTargets.group] : []),
    ];
    if (groups.length === 0) return indicator.up({ enabled: false });
    let timer: NodeJS.Timeout | undefined;
    try {
      const described = await Promise.race([
        this.describe(groups),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer within ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ]);
      const states = Object.fromEntries(
        described.map((g) => [g.groupId, `${g.state} (${g.members.length} members)`]),
      );
      const idle = described.filter((g) => !LIVE_STATES.has(g.state) || g.members.length === 0);
      return idle.length === 0
        ? indicator.up({ groups: states })
        : indicator.down({ groups: states });
    } catch (err) {
      this.admin = undefined;
      return indicator.down({ message: err instanceof Error ? err.message : String(err) });
    } finally {
      clearTimeout(timer);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.admin?.disconnect().catch(() => undefined);
  }

  private async describe(groups: string[]) {
    if (!this.admin) {
      const admin = this.kafka.admin({ retry: { retries: 0 } });
      await admin.connect();
      this.admin = admin;
    }
    return (await this.admin.describeGroups(groups)).groups;
  }
}
