import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  closeSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';

/**
 * A private Kafka cluster for tests: `nodes` JVMs, each a KRaft node in combined mode
 * (broker + controller), all of them voters of the controller quorum. Runs the same Kafka jars
 * as `stack/up.sh` (from its cache; `npm run stack:up` downloads them once), never touches the
 * shared stack's ports or directories.
 */
export interface KafkaClusterOptions {
  nodes: number;
  /** Listen and advertise address of every listener (default 127.0.0.1), e.g. a veth address. */
  host?: string;
  /** Node i listens on basePort + 2i (clients) and basePort + 2i + 1 (controller); default: free ports. */
  basePort?: number;
  /** Data and logs (default: a fresh temp dir, removed by stop()). */
  dir?: string;
  /** How long start() and restart() wait for the cluster to answer (default 90 s). */
  timeoutMs?: number;
  /** Extra broker settings (override the defaults below), e.g. `{ 'num.partitions': '3' }`. */
  settings?: Record<string, string>;
}

export interface KafkaClusterNode {
  id: number;
  port: number;
  controllerPort: number;
  /** The running JVM's pid (the last one, after a kill). */
  pid: number;
  /** This node's directory: server.properties, data/, logs/server.log, kafka.out. */
  dir: string;
}

export interface KafkaCluster {
  /** host:port of every node. */
  bootstrap: string[];
  nodes: KafkaClusterNode[];
  /** Signals a node's JVM (default SIGKILL) and resolves once it has exited. */
  kill(id: number, signal?: NodeJS.Signals): Promise<void>;
  /** Starts a stopped node again on its data and resolves once the cluster lists it as a broker. */
  restart(id: number): Promise<void>;
  /** The node id that leads a partition (-1 while there is none). */
  leaderOf(topic: string, partition: number): Promise<number>;
  /** Kills every node and removes the directory when it was a temp dir. */
  stop(): Promise<void>;
}

const KAFKA_VERSION = '3.9.1';
const ROOT = resolve(__dirname, '../..');
const HEAP_OPTS = ['-Xms128m', '-Xmx384m'];
const JVM_OPTS = [
  '-XX:+UseG1GC',
  '-XX:MaxGCPauseMillis=20',
  '-XX:InitiatingHeapOccupancyPercent=35',
  '-XX:+ExplicitGCInvokesConcurrent',
  '-XX:TieredStopAtLevel=1',
  '-Djava.awt.headless=true',
];

/** Jars downloaded by stack/up.sh (`fetch_kafka_jars`). */
export function kafkaLibs(): string {
  const cache = process.env.TASK_CENTER_CACHE || join(homedir(), '.cache', 'task-center');
  const libs = join(cache, `kafka-${KAFKA_VERSION}`, 'libs');
  if (!existsSync(join(libs, '.complete'))) {
    throw new Error(
      `Kafka ${KAFKA_VERSION} jars are missing in ${libs}: run \`npm run stack:up\` once (it downloads them)`,
    );
  }
  return libs;
}

function javaBinary(): string {
  const home = process.env.JAVA_HOME;
  return home && existsSync(join(home, 'bin', 'java')) ? join(home, 'bin', 'java') : 'java';
}

/** Kafka's cluster id: 16 random bytes, base64url, not starting with '-' (it reads as a flag). */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

async function freePort(host: string): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Broker settings: the production-like durability of a cluster, the small footprint of a test. */
function serverProperties(
  node: KafkaClusterNode,
  host: string,
  voters: string,
  size: number,
  settings: Record<string, string>,
): string {
  const replicas = Math.min(3, size);
  const props: Record<string, string> = {
    'node.id': String(node.id),
    'process.roles': 'broker,controller',
    'controller.quorum.voters': voters,
    'controller.listener.names': 'CONTROLLER',
    listeners: `PLAINTEXT://${host}:${node.port},CONTROLLER://${host}:${node.controllerPort}`,
    'advertised.listeners': `PLAINTEXT://${host}:${node.port}`,
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': join(node.dir, 'data'),
    // Durability: every topic on all (up to 3) nodes, a write needs 2 of them, no unclean leaders.
    'default.replication.factor': String(replicas),
    'min.insync.replicas': String(Math.min(2, replicas)),
    'unclean.leader.election.enable': 'false',
    'offsets.topic.replication.factor': String(replicas),
    'offsets.topic.num.partitions': '3',
    'transaction.state.log.replication.factor': String(replicas),
    'transaction.state.log.min.isr': String(Math.min(2, replicas)),
    'transaction.state.log.num.partitions': '3',
    // Topics are created by the center (with its partition count), never by a first fetch.
    'auto.create.topics.enable': 'false',
    'delete.topic.enable': 'true',
    'num.partitions': '1',
    'group.initial.rebalance.delay.ms': '0',
    // Small footprint: several JVMs share 2 cores.
    'num.network.threads': '2',
    'num.io.threads': '2',
    'num.replica.fetchers': '1',
    'num.recovery.threads.per.data.dir': '1',
    'background.threads': '2',
    'log.cleaner.threads': '1',
    'log.cleaner.dedupe.buffer.size': '16777216',
    'log.segment.bytes': '16777216',
    'log.retention.hours': '2',
    'log.retention.check.interval.ms': '60000',
    ...settings,
  };
  return (
    '# Generated by test/support/kafka-cluster.ts\n' +
    Object.entries(props)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n') +
    '\n'
  );
}

function tail(file: string, lines = 25): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no output)';
  }
}

class LocalKafkaCluster implements KafkaCluster {
  readonly bootstrap: string[];
  private readonly children = new Map<number, ChildProcess>();
  private readonly kafka: Kafka;
  private readonly onExit = (): void => {
    for (const child of this.children.values()) child.kill('SIGKILL');
  };

  constructor(
    readonly nodes: KafkaClusterNode[],
    private readonly host: string,
    private readonly dir: string,
    private readonly ownsDir: boolean,
    private readonly timeoutMs: number,
  ) {
    this.bootstrap = nodes.map((n) => `${host}:${n.port}`);
    this.kafka = new Kafka({
      clientId: 'kafka-cluster-test-support',
      brokers: this.bootstrap,
      logLevel: logLevel.NOTHING,
      connectionTimeout: 2000,
      // A few quick retries: the bootstrap list may name a node that a test has just killed.
      retry: { retries: 4, initialRetryTime: 100, maxRetryTime: 1000 },
    });
    // A test process that dies must not leave JVMs behind.
    process.on('exit', this.onExit);
  }

  launch(node: KafkaClusterNode): void {
    const out = openSync(join(node.dir, 'kafka.out'), 'a');
    const child = spawn(
      javaBinary(),
      [
        ...HEAP_OPTS,
        ...JVM_OPTS,
        `-Dlog4j.configuration=file:${join(ROOT, 'stack', 'log4j.properties')}`,
        `-Dkafka.logs.dir=${join(node.dir, 'logs')}`,
        '-cp',
        `${kafkaLibs()}/*`,
        'kafka.Kafka',
        join(node.dir, 'server.properties'),
      ],
      { stdio: ['ignore', out, out] },
    );
    closeSync(out);
    if (child.pid === undefined) throw new Error(`kafka node ${node.id}: could not start java`);
    node.pid = child.pid;
    this.children.set(node.id, child);
    child.once('exit', () => {
      if (this.children.get(node.id) === child) this.children.delete(node.id);
    });
  }

  /** Resolves once describeCluster lists every node in `ids`; the error carries their log tails. */
  async waitForBrokers(ids: number[]): Promise<void> {
    const deadline = Date.now() + this.timeoutMs;
    let last = 'no answer';
    for (;;) {
      const dead = ids.filter((id) => !this.children.has(id));
      if (dead.length > 0)
        throw this.failure(`node(s) ${dead.join(', ')} exited during startup`, dead);
      const admin = this.kafka.admin();
      try {
        await admin.connect();
        const { brokers } = await admin.describeCluster();
        const listed = new Set(brokers.map((b) => b.nodeId));
        if (ids.every((id) => listed.has(id))) return;
        last = `brokers listed: ${[...listed].join(', ') || 'none'}`;
      } catch (err) {
        last = err instanceof Error ? err.message : String(err);
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
      if (Date.now() > deadline) {
        throw this.failure(
          `kafka cluster did not list node(s) ${ids.join(', ')} within ${this.timeoutMs} ms (${last})`,
          ids,
        );
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  private failure(message: string, ids: number[]): Error {
    const logs = this.nodes
      .filter((n) => ids.includes(n.id))
      .map(
        (n) =>
          `---- node ${n.id} (${n.dir}) logs/server.log ----\n${tail(join(n.dir, 'logs', 'server.log'))}\n` +
          `---- node ${n.id} kafka.out ----\n${tail(join(n.dir, 'kafka.out'), 10)}`,
      );
    return new Error(`${message}\n${logs.join('\n')}`);
  }

  async kill(id: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.children.get(id);
    if (!child) throw new Error(`kafka node ${id} is not running`);
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill(signal);
    await exited;
  }

  async restart(id: number): Promise<void> {
    const node = this.nodes.find((n) => n.id === id);
    if (!node) throw new Error(`kafka cluster has no node ${id}`);
    if (this.children.has(id))
      throw new Error(`kafka node ${id} is still running (pid ${node.pid})`);
    this.launch(node);
    await this.waitForBrokers([id]);
  }

  async leaderOf(topic: string, partition: number): Promise<number> {
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      const found = topics[0]?.partitions.find((p) => p.partitionId === partition);
      if (!found) throw new Error(`topic ${topic} has no partition ${partition}`);
      return found.leader;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  async stop(): Promise<void> {
    await Promise.all(
      [...this.children.keys()].map((id) => this.kill(id, 'SIGKILL').catch(() => undefined)),
    );
    process.off('exit', this.onExit);
    if (this.ownsDir) rmSync(this.dir, { recursive: true, force: true });
  }
}

const execFileAsync = promisify(execFile);

/**
 * Starts `nodes` KRaft nodes (broker + controller each) and resolves once all of them are
 * listed as brokers. Defaults for 3 nodes: replication factor 3, min.insync.replicas 2,
 * unclean leader election off, no auto-created topics.
 */
export async function startKafkaCluster(options: KafkaClusterOptions): Promise<KafkaCluster> {
  const size = options.nodes;
  if (!Number.isInteger(size) || size < 1)
    throw new Error(`startKafkaCluster: nodes must be ≥ 1 (got ${size})`);
  const host = options.host ?? '127.0.0.1';
  const ownsDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'kafka-cluster-'));
  const libs = kafkaLibs();

  const nodes: KafkaClusterNode[] = [];
  for (let i = 0; i < size; i++) {
    const id = i + 1;
    const port = options.basePort !== undefined ? options.basePort + 2 * i : await freePort(host);
    const controllerPort =
      options.basePort !== undefined ? options.basePort + 2 * i + 1 : await freePort(host);
    const nodeDir = join(dir, `node-${id}`);
    mkdirSync(join(nodeDir, 'logs'), { recursive: true });
    nodes.push({ id, port, controllerPort, pid: 0, dir: nodeDir });
  }
  const voters = nodes.map((n) => `${n.id}@${host}:${n.controllerPort}`).join(',');
  const id = clusterId();
  const log4j = `-Dlog4j.configuration=file:${join(ROOT, 'stack', 'log4j.properties')}`;
  await Promise.all(
    nodes.map(async (node) => {
      const properties = join(node.dir, 'server.properties');
      writeFileSync(properties, serverProperties(node, host, voters, size, options.settings ?? {}));
      if (existsSync(join(node.dir, 'data', 'meta.properties'))) return; // a given dir, formatted before
      // Static quorum (controller.quorum.voters): plain `format`, as stack/up.sh does.
      try {
        await execFileAsync(
          javaBinary(),
          [
            '-Xmx256m',
            '-XX:TieredStopAtLevel=1',
            log4j,
            `-Dkafka.logs.dir=${join(node.dir, 'logs')}`,
            '-cp',
            `${libs}/*`,
            'kafka.tools.StorageTool',
            'format',
            '-t',
            id,
            '-c',
            properties,
          ],
          { timeout: 60_000 },
        );
      } catch (err) {
        const e = err as { stdout?: string; stderr?: string; message: string };
        throw new Error(
          `kafka node ${node.id}: storage format failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`,
        );
      }
    }),
  );

  const cluster = new LocalKafkaCluster(nodes, host, dir, ownsDir, options.timeoutMs ?? 90_000);
  try {
    for (const node of nodes) cluster.launch(node);
    await cluster.waitForBrokers(nodes.map((n) => n.id));
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}
