import { createServer } from 'node:net';
import { spawnCenter } from './support/spawn-center';
import { isolatedEnv, waitFor } from './support/stack';

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('task center startup as a process', () => {
  it.each([
    ['MONGODB_URI', { MONGODB_URI: '' }, 'MONGODB_URI is required'],
    ['MONGODB_URI', { MONGODB_URI: 'postgres://x' }, 'MONGODB_URI must be a mongodb://'],
    [
      'KAFKA_BROKERS',
      { KAFKA_BROKERS: 'localhost' },
      'KAFKA_BROKERS must be a comma-separated list of host:port (got "localhost")',
    ],
    ['PORT', { PORT: '70000' }, 'PORT'],
    [
      'KAFKA_TOPIC_TASKS',
      { KAFKA_TOPIC_TASKS: 'bad topic!' },
      'KAFKA_TOPIC_TASKS must be a valid Kafka topic name',
    ],
    ['KAFKA_TOPIC_PARTITIONS', { KAFKA_TOPIC_PARTITIONS: 'many' }, 'KAFKA_TOPIC_PARTITIONS'],
  ])('exits 1 with one line naming %s when it is bad', async (_name, override, expected) => {
    const center = spawnCenter(isolatedEnv(override));
    expect(await center.exited).toBe(1);
    const lines = center.output().stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`task-center: invalid configuration: ${expected}`);
  });

  it('retries an unreachable broker with visible log lines, then fails clearly', async () => {
    const port = await closedPort();
    const center = spawnCenter(
      isolatedEnv({ KAFKA_BROKERS: `127.0.0.1:${port}`, STARTUP_TIMEOUT_S: '4', LOG_LEVEL: 'log' }),
    );
    const code = await center.exited;
    const { stdout, stderr } = center.output();
    expect(code).toBe(1);
    expect(stdout).toMatch(
      new RegExp(`kafka: connecting to 127\\.0\\.0\\.1:${port} failed .*retrying`),
    );
    expect(stderr).toMatch(
      new RegExp(
        `task-center: startup failed: kafka: connecting to 127\\.0\\.0\\.1:${port} failed after \\d+ attempts`,
      ),
    );
  });

  it('retries an unreachable database, then fails clearly', async () => {
    const port = await closedPort();
    const center = spawnCenter(
      isolatedEnv({
        MONGODB_URI: `mongodb://127.0.0.1:${port}/x`,
        STARTUP_TIMEOUT_S: '5',
        LOG_LEVEL: 'log',
      }),
    );
    expect(await center.exited).toBe(1);
    const { stdout, stderr } = center.output();
    expect(stdout).toMatch(/mongodb: connecting to .* failed .*retrying/);
    expect(stderr).toMatch(
      /task-center: startup failed: mongodb: connecting to mongodb:\/\/127\.0\.0\.1:\d+\/x failed after \d+ attempts/,
    );
  });

  it('serves /health as ok for both dependencies when started for real, and exits 0 on SIGTERM', async () => {
    const port = await closedPort();
    const center = spawnCenter(isolatedEnv({ PORT: String(port), HOST: '127.0.0.1' }));
    try {
      const body = await waitFor(
        '/health to answer 200',
        async () => {
          const res = await fetch(`http://127.0.0.1:${port}/health`);
          return res.status === 200
            ? ((await res.json()) as {
                status: string;
                details: Record<string, { status: string }>;
              })
            : false;
        },
        { timeoutMs: 30_000, intervalMs: 200 },
      );
      expect(body.status).toBe('ok');
      expect(body.details.mongodb?.status).toBe('up');
      expect(body.details.kafka?.status).toBe('up');
    } finally {
      center.child.kill('SIGTERM');
    }
    expect(await center.exited).toBe(0);
  });

  it('starts quietly: a first line with the addresses, one line for the shards, no library noise', async () => {
    const port = await closedPort();
    const base = `http://127.0.0.1:${port}`;
    const center = spawnCenter(
      isolatedEnv({
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'log',
        HTTP_TARGETS_ENABLED: 'true',
      }),
    );
    const lines = () =>
      center
        .output()
        .stdout.split('\n')
        .filter((l) => l.trim() !== '');
    try {
      await waitFor(
        '/health/ready to answer 200',
        async () => (await fetch(`${base}/health/ready`)).status === 200,
        { timeoutMs: 30_000, intervalMs: 200 },
      );
      await waitFor('the ready line', () => lines().some((l) => l.includes('ready at ')));
      await waitFor('the shards line', () => lines().some((l) => / took /.test(l)));
    } finally {
      center.child.kill('SIGTERM');
    }
    expect(await center.exited).toBe(0);
    const out = lines();
    expect(out[0]).toMatch(/LOG \[TaskCenter\] starting: /);
    expect(out[0]).toContain(
      `starting: API ${base}/v1/api · OpenAPI docs ${base}/docs · dashboard ${base}/dashboard/`,
    );
    expect(out.filter((l) => / took /.test(l)).map((l) => l.replace(/^.*\] /, ''))).toEqual([
      'took 16 shards (0-15)',
    ]);
    // Every line is the center's own (no library writing to the console by itself), Nest's
    // module and route lines are left for LOG_LEVEL=debug, and the only warnings are settings
    // a user can act on.
    expect(out.filter((l) => !l.startsWith('[Nest] '))).toEqual([]);
    expect(out.filter((l) => /InstanceLoader|RoutesResolver|RouterExplorer/.test(l))).toEqual([]);
    const actionable = /API_KEYS is not set|HTTP_TARGET_SIGNING_SECRETS is empty/;
    expect(out.filter((l) => / WARN /.test(l) && !actionable.test(l))).toEqual([]);
    expect(center.output().stderr).toBe('');
  });
});
