import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config';
import { DEPLOYMENT, type Deployment } from './deployment';
import { sharedGroup, sharedGroupLine } from './group-sharing';
import { KafkaAdminService } from './kafka-admin.service';

/**
 * Refuses to start a center whose consumer groups already have a live member of another
 * deployment (another database): sharing a group, each would silently drop the other's
 * outcomes. Runs before any consumer starts (they start on application bootstrap). Two
 * deployments starting in the same seconds can both pass; the foreign-outcome metric and log
 * line show that case.
 */
@Injectable()
export class ConsumerGroupGuard implements OnModuleInit {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DEPLOYMENT) private readonly deployment: Deployment,
    private readonly admin: KafkaAdminService,
  ) {}

  async onModuleInit(): Promise<void> {
    const settings = new Map<string, string>();
    if (this.config.httpTargets.enabled) {
      settings.set(this.config.httpTargets.group, 'HTTP_TARGET_GROUP');
    }
    if (this.config.runs.enabled) settings.set(this.config.runs.resultsGroup, 'RUNS_RESULTS_GROUP');
    await this.admin.ready();
    const groups = await this.admin.groupMembers([...settings.keys()]);
    const shared = sharedGroup(groups, this.deployment, (g) => settings.get(g) ?? 'its group');
    if (shared) throw new Error(sharedGroupLine(shared, this.deployment));
  }
}
