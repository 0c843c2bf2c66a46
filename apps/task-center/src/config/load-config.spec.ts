import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './load-config';
import { maskedConfig } from './mask-config';

const base = { MONGODB_URI: 'mongodb://127.0.0.1:27017/tc', KAFKA_BROKERS: '127.0.0.1:9092' };

describe('loadConfig', () => {
  it('applies defaults for everything but the two connection strings', () => {
    const config = loadConfig(base);
    expect(config).toEqual({
      http: { port: 3000, host: '0.0.0.0', bodyLimitBytes: 1024 * 1024 },
      mongo: { uri: 'mongodb://127.0.0.1:27017/tc' },
      kafka: {
        brokers: ['127.0.0.1:9092'],
        clientId: 'task-center',
        topics: {
          tasks: 'task-center.tasks',
          results: 'task-center.results',
          deadLetter: 'task-center.dead-letter',
          http: 'task-center.http',
        },
        extraTopics: [],
        partitions: 6,
        replicationFactor: 1,
      },
      tasks: {
        dataMaxBytes: 512 * 1024,
        defaultTimezone: 'UTC',
        misfire: { policy: 'fire_once', thresholdMs: 5000, maxCatchUp: 100 },
      },
      dispatch: {
        enabled: true,
        shards: 16,
        leaseTtlMs: 6000,
        readAheadMs: 2000,
        maxBatch: 1000,
        maxLoaded: 200_000,
        writeBehindMs: 2000,
      },
      runs: {
        enabled: true,
        resultsGroup: 'task-center-results',
        ackGraceMs: 10_000,
        consumerSessionTimeoutMs: 30_000,
        retryAfterMaxMs: 3_600_000,
      },
      httpTargets: {
        enabled: true,
        group: 'task-center.http-targets',
        signingSecrets: [],
        maxInFlight: 256,
        maxPerHost: 16,
        allow: [],
        httpsOnly: false,
      },
      startupTimeoutMs: 30_000,
      shutdownTimeoutMs: 15_000,
      logLevel: 'log',
      logFormat: 'pretty',
      security: { apiKeys: [], corsOrigins: [] },
      metrics: { maxNames: 200 },
      alerts: {
        nameFiresPerMin: 0,
        totalFiresPerMin: 0,
        dispatchLagMs: 30_000,
        noWorkerCheckMs: 60_000,
        minIntervalMs: 60_000,
      },
      overview: { writeMs: 60_000 },
      retention: {
        enabled: true,
        historyMs: 7 * 86_400_000,
        finishedTasksMs: 30 * 86_400_000,
        deadLettersMs: 30 * 86_400_000,
        workersMs: 7 * 86_400_000,
        bucketMs: 60_000,
      },
      dashboard: { enabled: true },
    });
  });

  it('defaults to JSON logs in production', () => {
    expect(loadConfig({ ...base, NODE_ENV: 'production' }).logFormat).toBe('json');
    expect(loadConfig({ ...base, NODE_ENV: 'production', LOG_FORMAT: 'pretty' }).logFormat).toBe(
      'pretty',
    );
  });

  it('reads CONFIG_FILE under the environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tc-config-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ PORT: 4000, API_KEYS: ['k'.repeat(16)], HOST: 'file' }));
    const config = loadConfig({ ...base, CONFIG_FILE: file, HOST: '127.0.0.1' });
    expect(config.http).toMatchObject({ port: 4000, host: '127.0.0.1' });
    expect(config.security.apiKeys).toEqual(['k'.repeat(16)]);
    writeFileSync(file, JSON.stringify({ PORTT: 1 }));
    expect(() => loadConfig({ ...base, CONFIG_FILE: file })).toThrow(
      'CONFIG_FILE has an unknown setting PORTT',
    );
  });

  it('never prints a secret in the error line', () => {
    expect(() => loadConfig({ ...base, API_KEYS: 'short-secret' })).toThrow(/API_KEYS .*"\*\*\*"/);
    expect(() => loadConfig({ ...base, MONGODB_URI: 'http://user:hunter2@host/db' })).not.toThrow(
      /hunter2/,
    );
  });

  it('masks secrets in the effective config', () => {
    const config = loadConfig({
      ...base,
      MONGODB_URI: 'mongodb://user:hunter2@127.0.0.1:27017/tc?authSource=admin',
      API_KEYS: 'key-one-0123456789,key-two-0123456789',
      ALERT_WEBHOOK_URL: 'https://hooks.example/x?token=abc',
      HTTP_TARGET_SIGNING_SECRETS: 'sign-new-0123456789,sign-old-0123456789',
    });
    const line = JSON.stringify(maskedConfig(config));
    expect(line).not.toMatch(/hunter2|key-one|key-two|token=abc|sign-new|sign-old/);
    expect(line).toContain('mongodb://user:***@127.0.0.1:27017/tc');
  });

  it('parses lists and numbers, trimming blanks', () => {
    const config = loadConfig({
      ...base,
      KAFKA_BROKERS: ' a:1, b:2 ',
      PORT: '8080',
      KAFKA_TOPIC_PARTITIONS: '12',
    });
    expect(config.kafka.brokers).toEqual(['a:1', 'b:2']);
    expect(config.http.port).toBe(8080);
    expect(config.kafka.partitions).toBe(12);
  });

  it('treats an empty value as unset', () => {
    expect(loadConfig({ ...base, PORT: '' }).http.port).toBe(3000);
  });

  it.each([
    [{ MONGODB_URI: undefined }, 'MONGODB_URI is required'],
    [{ KAFKA_BROKERS: '' }, 'KAFKA_BROKERS is required'],
    [
      { KAFKA_BROKERS: 'a:1,b' },
      'KAFKA_BROKERS must be a comma-separated list of host:port (got "a:1,b")',
    ],
    [
      { MONGODB_URI: 'http://x' },
      'MONGODB_URI must be a mongodb:// or mongodb+srv:// URI (got "http://x")',
    ],
    [{ PORT: '0' }, 'PORT'],
    [{ PORT: '3.5' }, 'PORT'],
    [{ KAFKA_TOPIC_RESULTS: 'a b' }, 'KAFKA_TOPIC_RESULTS must be a valid Kafka topic name'],
    [{ STARTUP_TIMEOUT_S: '-1' }, 'STARTUP_TIMEOUT_S'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ DEFAULT_TIMEZONE: 'Mars/Base' }, 'DEFAULT_TIMEZONE must be an IANA time zone'],
    [{ KAFKA_EXTRA_TOPICS: 'ok,not ok' }, 'KAFKA_EXTRA_TOPICS'],
    [{ MISFIRE_POLICY: 'sometimes' }, 'MISFIRE_POLICY'],
    [
      { HTTP_TARGET_ALLOW: '127.0.0.1/8' },
      'HTTP_TARGET_ALLOW entry "127.0.0.1/8" has bits set past its /8 prefix',
    ],
    [{ HTTP_TARGET_ALLOW: 'a b' }, 'HTTP_TARGET_ALLOW entry "a b" is neither a CIDR nor a host'],
    [{ HTTP_TARGET_SIGNING_SECRETS: 'short' }, 'HTTP_TARGET_SIGNING_SECRETS must be'],
    [{ HTTP_TARGET_MAX_PER_HOST: '0' }, 'HTTP_TARGET_MAX_PER_HOST'],
    [{ KAFKA_TOPIC_MIN_INSYNC_REPLICAS: '0' }, 'KAFKA_TOPIC_MIN_INSYNC_REPLICAS'],
    [
      { KAFKA_TOPIC_MIN_INSYNC_REPLICAS: '2' },
      'KAFKA_TOPIC_MIN_INSYNC_REPLICAS must be at most KAFKA_TOPIC_REPLICATION_FACTOR (1), or no write could succeed (got "2")',
    ],
    [
      { KAFKA_TOPIC_REPLICATION_FACTOR: '2', KAFKA_TOPIC_MIN_INSYNC_REPLICAS: '3' },
      'KAFKA_TOPIC_MIN_INSYNC_REPLICAS must be at most KAFKA_TOPIC_REPLICATION_FACTOR (2)',
    ],
  ])('rejects %p with one line naming the setting', (override, expected) => {
    const attempt = () => loadConfig({ ...base, ...override });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(expected);
    try {
      attempt();
    } catch (err) {
      expect((err as Error).message).not.toContain('\n');
      expect((err as Error).message.startsWith(expected.split(' ')[0]!)).toBe(true);
    }
  });

  it('takes min.insync.replicas for new topics up to the replication factor, else the broker default', () => {
    expect(loadConfig(base).kafka.minInsyncReplicas).toBeUndefined();
    const cluster = loadConfig({
      ...base,
      KAFKA_TOPIC_REPLICATION_FACTOR: '3',
      KAFKA_TOPIC_MIN_INSYNC_REPLICAS: '2',
    }).kafka;
    expect(cluster).toMatchObject({ replicationFactor: 3, minInsyncReplicas: 2 });
    expect(
      loadConfig({
        ...base,
        KAFKA_TOPIC_REPLICATION_FACTOR: '3',
        KAFKA_TOPIC_MIN_INSYNC_REPLICAS: '3',
      }).kafka.minInsyncReplicas,
    ).toBe(3);
  });

  it('keeps scoped API_KEYS entries as written, and fails fast on an unknown scope', () => {
    const entries = 'admin:adm-key-0123456789,write:wri-key-0123456789,read:rea-key-0123456789';
    expect(loadConfig({ ...base, API_KEYS: entries }).security.apiKeys).toEqual(entries.split(','));
    expect(loadConfig({ ...base, API_KEYS: 'bare-key-0123456789' }).security.apiKeys).toEqual([
      'bare-key-0123456789',
    ]);
    for (const bad of ['reader:rea-key-0123456789', 'Admin:adm-key-0123456789', 'read:short']) {
      const attempt = () => loadConfig({ ...base, API_KEYS: `bare-key-0123456789,${bad}` });
      expect(attempt).toThrow(ConfigError);
      expect(attempt).toThrow(/^API_KEYS entry 2 .*\(got "\*\*\*"\)$/);
      expect(attempt).not.toThrow(/rea-key|adm-key|short|reader|Admin/);
    }
    expect(() =>
      loadConfig({ ...base, API_KEYS: 'read:dup-key-0123456789,admin:dup-key-0123456789' }),
    ).toThrow('API_KEYS entry 2 repeats a key given earlier (one scope per key) (got "***")');
  });
});
