import { SDK_VERSION } from '@task-center/client/version';
import { type AppConfig } from '../config';

/** What the HTTP delivery worker needs: the same inside the center and on its own. */
export interface HttpTargetsSettings {
  enabled: boolean;
  group: string;
  topic: string;
  resultsTopic: string;
  /** Partitions consumed at once: the HTTP topic's partition count. */
  partitions: number;
  signingSecrets: string[];
  maxInFlight: number;
  maxPerHost: number;
  allow: string[];
  httpsOnly: boolean;
  /** How long a dead delivery process keeps its partitions (RUNS_CONSUMER_SESSION_TIMEOUT_S). */
  sessionTimeoutMs: number;
  /** In `user-agent: task-center/<version>`. */
  version: string;
}

export const HTTP_TARGETS_SETTINGS = Symbol('HTTP_TARGETS_SETTINGS');

export function httpTargetsSettings(config: AppConfig, enabled: boolean): HttpTargetsSettings {
  return {
    ...config.httpTargets,
    enabled,
    topic: config.kafka.topics.http,
    resultsTopic: config.kafka.topics.results,
    partitions: config.kafka.partitions,
    sessionTimeoutMs: config.runs.consumerSessionTimeoutMs,
    version: SDK_VERSION,
  };
}
