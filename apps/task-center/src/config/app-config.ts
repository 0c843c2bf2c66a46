import { DEFAULT_TOPICS } from '@task-center/contracts';
import { z } from 'zod';
import { parseTargetPolicy } from '../http-targets/address-policy';
import { parseApiKeys } from '../security/api-key-entries';
import { DEFAULT_GROUPS, namespaced } from './namespace';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const hostPort = /^[^\s:,]+:\d{1,5}$/;

const brokerList = z
  .string()
  .trim()
  .min(1)
  .transform((s) => s.split(',').map((b) => b.trim()))
  .refine((list) => list.every((b) => hostPort.test(b)), {
    message: 'must be a comma-separated list of host:port',
  });

const mongoUri = z
  .string()
  .trim()
  .refine((s) => /^mongodb(\+srv)?:\/\/[^/\s]+/.test(s), {
    message: 'must be a mongodb:// or mongodb+srv:// URI',
  });

const timezone = z
  .string()
  .trim()
  .refine(
    (tz) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    },
    { message: 'must be an IANA time zone such as UTC or Europe/Berlin' },
  );

const topicName = z
  .string()
  .trim()
  .regex(
    /^[a-zA-Z0-9._-]{1,249}$/,
    'must be a valid Kafka topic name ([a-zA-Z0-9._-], 1-249 chars)',
  );

/** Comma-separated, blanks dropped; empty means none. */
const list = z
  .string()
  .trim()
  .default('')
  .transform((s) =>
    s
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t !== ''),
  );

/** Every setting the task center reads, by its environment variable name. */
export const configSchema = z.object({
  PORT: int(1, 65535).default(3000),
  HOST: z.string().trim().min(1).default('0.0.0.0'),
  MONGODB_URI: mongoUri,
  KAFKA_BROKERS: brokerList,
  KAFKA_CLIENT_ID: z.string().trim().min(1).default('task-center'),
  // Unset topic and group names default to today's, prefixed by the namespace (namespace.ts).
  TASK_CENTER_NAMESPACE: z
    .string()
    .trim()
    .regex(/^[a-zA-Z0-9_-][a-zA-Z0-9._-]{0,99}$/, 'must be 1-100 characters of [a-zA-Z0-9._-]')
    .optional(),
  KAFKA_TOPIC_TASKS: topicName.optional(),
  KAFKA_TOPIC_RESULTS: topicName.optional(),
  KAFKA_TOPIC_DEAD_LETTER: topicName.optional(),
  KAFKA_TOPIC_HTTP: topicName.optional(),
  KAFKA_EXTRA_TOPICS: z
    .string()
    .trim()
    .default('')
    .transform((s) => (s === '' ? [] : s.split(',').map((t) => t.trim())))
    .pipe(z.array(topicName)),
  KAFKA_TOPIC_PARTITIONS: int(1, 10_000).default(6),
  KAFKA_TOPIC_REPLICATION_FACTOR: int(1, 32).default(1),
  // Unset: topics take the broker's min.insync.replicas (a production cluster sets 2 there).
  KAFKA_TOPIC_MIN_INSYNC_REPLICAS: int(1, 32).optional(),
  STARTUP_TIMEOUT_S: int(1, 3600).default(30),
  SHUTDOWN_TIMEOUT_S: int(1, 3600).default(15),
  HTTP_BODY_LIMIT_BYTES: int(1024, 64 * 1024 * 1024).default(1024 * 1024),
  TASK_DATA_MAX_BYTES: int(1, 16 * 1024 * 1024).default(512 * 1024),
  DEFAULT_TIMEZONE: timezone.default('UTC'),
  MISFIRE_POLICY: z.enum(['fire_once', 'skip', 'fire_all']).default('fire_once'),
  MISFIRE_THRESHOLD_S: int(1, 86_400).default(5),
  MISFIRE_MAX_CATCHUP: int(1, 100_000).default(100),
  DISPATCH_ENABLED: z.enum(['true', 'false']).default('true'),
  DISPATCH_SHARDS: int(1, 1024).default(16),
  DISPATCH_LEASE_TTL_S: int(2, 300).default(6),
  DISPATCH_READAHEAD_MS: int(200, 60_000).default(2000),
  DISPATCH_MAX_BATCH: int(1, 10_000).default(1000),
  DISPATCH_MAX_LOADED: int(1000, 10_000_000).default(200_000),
  DISPATCH_WRITE_BEHIND_MS: int(0, 60_000).default(2000),
  DISPATCH_REPLICA_ID: z.string().trim().min(1).max(200).optional(),
  LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug', 'verbose']).default('log'),
  RUNS_ENABLED: z.enum(['true', 'false']).default('true'),
  RUNS_RESULTS_GROUP: z.string().trim().min(1).max(200).optional(),
  RUNS_ACK_GRACE_S: int(0, 86_400).default(10),
  RUNS_CONSUMER_SESSION_TIMEOUT_S: int(6, 300).default(30),
  RUNS_RETRY_AFTER_MAX_S: int(0, 7 * 86_400).default(3600),
  HTTP_TARGETS_ENABLED: z.enum(['true', 'false']).default('true'),
  HTTP_TARGET_GROUP: z.string().trim().min(1).max(200).optional(),
  HTTP_TARGET_SIGNING_SECRETS: list.refine((keys) => keys.every((k) => k.length >= 16), {
    message: 'must be a comma-separated list of secrets of at least 16 characters',
  }),
  HTTP_TARGET_MAX_IN_FLIGHT: int(1, 100_000).default(256),
  HTTP_TARGET_MAX_PER_HOST: int(1, 10_000).default(16),
  HTTP_TARGET_ALLOW: list.superRefine((entries, ctx) => {
    const parsed = parseTargetPolicy(entries, false);
    if ('problem' in parsed) {
      ctx.addIssue({ code: 'custom', message: parsed.problem.replace(/^HTTP_TARGET_ALLOW /, '') });
    }
  }),
  HTTP_TARGET_HTTPS_ONLY: z.enum(['true', 'false']).default('false'),
  NODE_ENV: z.string().trim().optional(),
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  API_KEYS: list.superRefine((entries, ctx) => {
    const parsed = parseApiKeys(entries);
    if ('problem' in parsed) ctx.addIssue({ code: 'custom', message: parsed.problem });
  }),
  CORS_ORIGINS: list,
  METRICS_MAX_NAMES: int(1, 100_000).default(200),
  ALERT_WEBHOOK_URL: z
    .url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' })
    .optional(),
  ALERT_NAME_FIRES_PER_MIN: int(0, 100_000_000).default(0),
  ALERT_TOTAL_FIRES_PER_MIN: int(0, 1_000_000_000).default(0),
  ALERT_DISPATCH_LAG_MS: int(0, 86_400_000).default(30_000),
  ALERT_NO_WORKER_CHECK_S: int(0, 86_400).default(60),
  ALERT_MIN_INTERVAL_S: int(1, 86_400).default(60),
  OVERVIEW_WRITE_S: int(1, 300).default(60),
  RETENTION_ENABLED: z.enum(['true', 'false']).default('true'),
  RETENTION_HISTORY_S: int(1, 10 * 365 * 86_400).default(7 * 86_400),
  RETENTION_FINISHED_TASKS_S: int(1, 10 * 365 * 86_400).default(30 * 86_400),
  RETENTION_DEAD_LETTERS_S: int(1, 10 * 365 * 86_400).default(30 * 86_400),
  RETENTION_WORKERS_S: int(1, 10 * 365 * 86_400).default(7 * 86_400),
  RETENTION_BUCKET_S: int(1, 86_400).default(60),
  DASHBOARD_ENABLED: z.enum(['true', 'false']).default('true'),
  DASHBOARD_DIR: z.string().trim().min(1).optional(),
});

export type ConfigInput = z.input<typeof configSchema>;
type Raw = z.output<typeof configSchema>;

/** The typed, validated configuration, grouped by concern. */
export interface AppConfig {
  mongo: { uri: string };
  kafka: {
    brokers: string[];
    clientId: string;
    /** TASK_CENTER_NAMESPACE: the prefix of the default topic and group names, if any. */
    namespace?: string;
    topics: { tasks: string; results: string; deadLetter: string; http: string };
    /** Topics a task may route to with `topic`, besides the tasks topic. */
    extraTopics: string[];
    partitions: number;
    replicationFactor: number;
    /**
     * `min.insync.replicas` of the topics the center creates: an acks=all write needs this many
     * replicas. Undefined: the broker's setting applies.
     */
    minInsyncReplicas?: number;
  };
  http: { port: number; host: string; bodyLimitBytes: number };
  tasks: {
    dataMaxBytes: number;
    defaultTimezone: string;
    misfire: { policy: 'fire_once' | 'skip' | 'fire_all'; thresholdMs: number; maxCatchUp: number };
  };
  dispatch: {
    enabled: boolean;
    /** Fixed per deployment: a task's shard is stored when it is created. */
    shards: number;
    leaseTtlMs: number;
    readAheadMs: number;
    maxBatch: number;
    maxLoaded: number;
    /**
     * How long the advances of a task that stays in memory may wait to be written, folded into
     * one write; 0 writes every publish at once.
     */
    writeBehindMs: number;
    replicaId?: string;
  };
  /** Outcomes, redeliveries, dead letters, ack deadlines (apps/task-center/src/runs). */
  runs: {
    /** False: no outcome consumer and no run timers here (the API still reads). */
    enabled: boolean;
    /** Consumer group reading the results topic. */
    resultsGroup: string;
    /** Added to `max_runtime` before an unacknowledged fire counts as a timed-out attempt. */
    ackGraceMs: number;
    consumerSessionTimeoutMs: number;
    /** Longest delay a worker's "retry after" (an HTTP Retry-After) may impose on a retry. */
    retryAfterMaxMs: number;
  };
  /** Tasks with an HTTP target (apps/task-center/src/http-targets). */
  httpTargets: {
    /** Run the HTTP delivery worker in this process. */
    enabled: boolean;
    /** Its consumer group on the HTTP topic. */
    group: string;
    /** Each signs every request (`tc-signature`, one `v1=` per secret); empty = unsigned. */
    signingSecrets: string[];
    maxInFlight: number;
    maxPerHost: number;
    /** CIDRs and exact host names exempt from the SSRF rules. */
    allow: string[];
    httpsOnly: boolean;
  };
  startupTimeoutMs: number;
  shutdownTimeoutMs: number;
  logLevel: Raw['LOG_LEVEL'];
  /** `json` (one object per line) by default when NODE_ENV=production, else `pretty`. */
  logFormat: 'json' | 'pretty';
  security: {
    /**
     * Keys accepted on /v1/api and /metrics, as written: `[admin:|write:|read:]<key>`, a bare
     * key being admin (security/api-key-entries.ts); empty = open (warned at startup).
     */
    apiKeys: string[];
    /** Origins allowed by CORS; empty = CORS off. `*` allows any. */
    corsOrigins: string[];
  };
  metrics: { maxNames: number };
  /** 0 turns a threshold off. */
  alerts: {
    webhookUrl?: string;
    nameFiresPerMin: number;
    totalFiresPerMin: number;
    dispatchLagMs: number;
    noWorkerCheckMs: number;
    minIntervalMs: number;
  };
  overview: {
    /** How often each replica writes its minute counts, and the fleet snapshot is taken. */
    writeMs: number;
  };
  /** How long what grows with time is kept (apps/task-center/src/retention, docs/retention.md). */
  retention: {
    /** False: this replica never purges (documents still carry their bucket). */
    enabled: boolean;
    /** Fires and their run events. */
    historyMs: number;
    /** Completed and deleted tasks, from when they finished. */
    finishedTasksMs: number;
    /** Dead letters not redriven, from when they died. */
    deadLettersMs: number;
    /** Worker records, from their last heartbeat. */
    workersMs: number;
    /** The granularity of deletes: one statement removes one bucket of this width. */
    bucketMs: number;
  };
  dashboard: {
    /** Serve the built dashboard at /dashboard/. */
    enabled: boolean;
    /** Where its files are; default: the `dist/dashboard` of this installation. */
    dir?: string;
  };
}

/**
 * A rule between settings that each parsed on their own: the setting to name and why, or
 * undefined when they agree.
 */
export function crossFieldProblem(raw: Raw): { key: keyof Raw; message: string } | undefined {
  const minInsync = raw.KAFKA_TOPIC_MIN_INSYNC_REPLICAS;
  // More than the replicas a partition has: every acks=all write would fail (NOT_ENOUGH_REPLICAS).
  if (minInsync !== undefined && minInsync > raw.KAFKA_TOPIC_REPLICATION_FACTOR) {
    return {
      key: 'KAFKA_TOPIC_MIN_INSYNC_REPLICAS',
      message: `must be at most KAFKA_TOPIC_REPLICATION_FACTOR (${raw.KAFKA_TOPIC_REPLICATION_FACTOR}), or no write could succeed (got "${minInsync}")`,
    };
  }
  return undefined;
}

export function toAppConfig(raw: Raw): AppConfig {
  const named = (name: string) => namespaced(raw.TASK_CENTER_NAMESPACE, name);
  return {
    http: { port: raw.PORT, host: raw.HOST, bodyLimitBytes: raw.HTTP_BODY_LIMIT_BYTES },
    mongo: { uri: raw.MONGODB_URI },
    kafka: {
      brokers: raw.KAFKA_BROKERS,
      clientId: raw.KAFKA_CLIENT_ID,
      ...(raw.TASK_CENTER_NAMESPACE !== undefined && { namespace: raw.TASK_CENTER_NAMESPACE }),
      topics: {
        tasks: raw.KAFKA_TOPIC_TASKS ?? named(DEFAULT_TOPICS.tasks),
        results: raw.KAFKA_TOPIC_RESULTS ?? named(DEFAULT_TOPICS.results),
        deadLetter: raw.KAFKA_TOPIC_DEAD_LETTER ?? named(DEFAULT_TOPICS.deadLetter),
        http: raw.KAFKA_TOPIC_HTTP ?? named(DEFAULT_TOPICS.http),
      },
      extraTopics: raw.KAFKA_EXTRA_TOPICS,
      partitions: raw.KAFKA_TOPIC_PARTITIONS,
      replicationFactor: raw.KAFKA_TOPIC_REPLICATION_FACTOR,
      ...(raw.KAFKA_TOPIC_MIN_INSYNC_REPLICAS !== undefined && {
        minInsyncReplicas: raw.KAFKA_TOPIC_MIN_INSYNC_REPLICAS,
      }),
    },
    tasks: {
      dataMaxBytes: raw.TASK_DATA_MAX_BYTES,
      defaultTimezone: raw.DEFAULT_TIMEZONE,
      misfire: {
        policy: raw.MISFIRE_POLICY,
        thresholdMs: raw.MISFIRE_THRESHOLD_S * 1000,
        maxCatchUp: raw.MISFIRE_MAX_CATCHUP,
      },
    },
    dispatch: {
      enabled: raw.DISPATCH_ENABLED === 'true',
      shards: raw.DISPATCH_SHARDS,
      leaseTtlMs: raw.DISPATCH_LEASE_TTL_S * 1000,
      readAheadMs: raw.DISPATCH_READAHEAD_MS,
      maxBatch: raw.DISPATCH_MAX_BATCH,
      maxLoaded: raw.DISPATCH_MAX_LOADED,
      writeBehindMs: raw.DISPATCH_WRITE_BEHIND_MS,
      ...(raw.DISPATCH_REPLICA_ID !== undefined && { replicaId: raw.DISPATCH_REPLICA_ID }),
    },
    runs: {
      enabled: raw.RUNS_ENABLED === 'true',
      resultsGroup: raw.RUNS_RESULTS_GROUP ?? named(DEFAULT_GROUPS.results),
      ackGraceMs: raw.RUNS_ACK_GRACE_S * 1000,
      consumerSessionTimeoutMs: raw.RUNS_CONSUMER_SESSION_TIMEOUT_S * 1000,
      retryAfterMaxMs: raw.RUNS_RETRY_AFTER_MAX_S * 1000,
    },
    httpTargets: {
      enabled: raw.HTTP_TARGETS_ENABLED === 'true',
      group: raw.HTTP_TARGET_GROUP ?? named(DEFAULT_GROUPS.httpTargets),
      signingSecrets: raw.HTTP_TARGET_SIGNING_SECRETS,
      maxInFlight: raw.HTTP_TARGET_MAX_IN_FLIGHT,
      maxPerHost: raw.HTTP_TARGET_MAX_PER_HOST,
      allow: raw.HTTP_TARGET_ALLOW,
      httpsOnly: raw.HTTP_TARGET_HTTPS_ONLY === 'true',
    },
    startupTimeoutMs: raw.STARTUP_TIMEOUT_S * 1000,
    shutdownTimeoutMs: raw.SHUTDOWN_TIMEOUT_S * 1000,
    logLevel: raw.LOG_LEVEL,
    logFormat: raw.LOG_FORMAT ?? (raw.NODE_ENV === 'production' ? 'json' : 'pretty'),
    security: { apiKeys: raw.API_KEYS, corsOrigins: raw.CORS_ORIGINS },
    metrics: { maxNames: raw.METRICS_MAX_NAMES },
    alerts: {
      ...(raw.ALERT_WEBHOOK_URL !== undefined && { webhookUrl: raw.ALERT_WEBHOOK_URL }),
      nameFiresPerMin: raw.ALERT_NAME_FIRES_PER_MIN,
      totalFiresPerMin: raw.ALERT_TOTAL_FIRES_PER_MIN,
      dispatchLagMs: raw.ALERT_DISPATCH_LAG_MS,
      noWorkerCheckMs: raw.ALERT_NO_WORKER_CHECK_S * 1000,
      minIntervalMs: raw.ALERT_MIN_INTERVAL_S * 1000,
    },
    overview: { writeMs: raw.OVERVIEW_WRITE_S * 1000 },
    retention: {
      enabled: raw.RETENTION_ENABLED === 'true',
      historyMs: raw.RETENTION_HISTORY_S * 1000,
      finishedTasksMs: raw.RETENTION_FINISHED_TASKS_S * 1000,
      deadLettersMs: raw.RETENTION_DEAD_LETTERS_S * 1000,
      workersMs: raw.RETENTION_WORKERS_S * 1000,
      bucketMs: raw.RETENTION_BUCKET_S * 1000,
    },
    dashboard: {
      enabled: raw.DASHBOARD_ENABLED === 'true',
      ...(raw.DASHBOARD_DIR !== undefined && { dir: raw.DASHBOARD_DIR }),
    },
  };
}
