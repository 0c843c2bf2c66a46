import { randomBytes } from 'node:crypto';
import { type AppConfig, loadConfig } from '../../apps/task-center/src/config';

/** Connection settings of the real stack, as exported by `scripts/with-stack.sh`. */
export function stackEnv(): { kafkaBrokers: string[]; mongoUri: string } {
  const brokers = process.env.KAFKA_BROKERS;
  const mongoUri = process.env.MONGODB_URI;
  if (!brokers || !mongoUri) {
    throw new Error(
      'integration tests need the real stack: run `npm test` (it starts Kafka and MongoDB), ' +
        'or `npm run stack:up` and export the variables in .stack/env',
    );
  }
  return { kafkaBrokers: brokers.split(','), mongoUri };
}

/** A name no other test file or earlier run uses: topics and databases are per test file. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** The stack's MongoDB URI pointed at another database (keeps credentials and options). */
export function mongoUriFor(database: string): string {
  const url = new URL(stackEnv().mongoUri);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Environment for a task center under test: real stack, private database and topics. */
export function isolatedEnv(overrides: Record<string, string> = {}): Record<string, string> {
  const id = uniqueName('tc');
  return {
    MONGODB_URI: mongoUriFor(id.replace(/-/g, '_')),
    KAFKA_BROKERS: stackEnv().kafkaBrokers.join(','),
    KAFKA_TOPIC_TASKS: `${id}.tasks`,
    KAFKA_TOPIC_RESULTS: `${id}.results`,
    KAFKA_TOPIC_DEAD_LETTER: `${id}.dead-letter`,
    KAFKA_TOPIC_HTTP: `${id}.http`,
    HTTP_TARGET_GROUP: `${id}.http-targets`,
    RUNS_RESULTS_GROUP: `${id}.results-group`,
    // One consumer group less per center under test; the HTTP target suites turn it on.
    HTTP_TARGETS_ENABLED: 'false',
    KAFKA_TOPIC_PARTITIONS: '2',
    STARTUP_TIMEOUT_S: '20',
    LOG_LEVEL: 'warn',
    ...overrides,
  };
}

export function isolatedConfig(overrides: Record<string, string> = {}): AppConfig {
  return loadConfig(isolatedEnv(overrides));
}

/** Polls `probe` until it returns a value other than undefined/false, or fails at the deadline. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 15_000, intervalMs = 50 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
