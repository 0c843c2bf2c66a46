/**
 * A replica cut off from the database, and one cut off from Kafka (issue 18). Each case runs
 * two center replicas on network hosts of their own (Linux network namespaces,
 * test/support/netns.ts): they reach the database through a forwarder on one service address
 * and a private Kafka broker on another, so one path of one replica can be cut while
 * everything else flows. A cut drops packets silently, like a real partition. The test
 * process reads the database and Kafka directly (no cut touches it). The two cases run at
 * the same time on separate databases and topics (the file's CI budget is 150 s).
 *
 *   PARTITION_LOG_DIR=<dir>  every center's output there (JSON lines)
 *
 * Needs root (`ip netns`); skipped with a message otherwise. CI runs as root.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { createMany } from './support/api-client';
import { CenterFleet, dropDatabase, type RunningCenter } from './support/center-fleet';
import {
  bySlot,
  type ExpectedFire,
  FireConsumer,
  fireViolations,
  firstOf,
  inconsistentDuplicates,
  missingFires,
  type ReceivedMessage,
  slotKey,
  unexpectedFires,
} from './support/fire-consumer';
import { type KafkaCluster, startKafkaCluster } from './support/kafka-cluster';
import { firstHolding, LeaseWatch, shardsHeld } from './support/lease-watch';
import { type NetHost, netnsUnavailable, TestNetwork } from './support/netns';
import { isolatedEnv, uniqueName, waitFor } from './support/stack';
import { TcpForwarder } from './support/tcp-forward';
import { shardOf } from '../apps/task-center/src/tasks/task-shard';

const TTL_MS = 4000;
const SHARDS = 8;
const LOOPS = 60;
/** Creating tasks on FerretDB takes seconds on a busy machine: the first slot well ahead. */
const CREATE_LEAD_MS = 15_000;
const WARM_S = 4;
/** Longer than the Kafka-cut replica's hand-over bound (KAFKA_HAND_OVER_MS) plus noise. */
const CUT_S = 16;
/** The slots checked: up to this long after the heal. */
const AFTER_HEAL_S = 14;
/** After the last slot checked: how long late fires may take to arrive. */
const SETTLE_MS = 15_000;
/**
 * The replica's database driver resumes after the heal when TCP retransmits (exponential
 * backoff while the packets were lost: ~13 s after a 12 s cut) or its connect times out.
 */
const REJOIN_MS = 40_000;
/**
 * A replica cut off from Kafka: its first unanswered publish starts within a second of the
 * cut (slots every second), it gives up once that has lasted a TTL (checked every TTL/3),
 * its leases expire a TTL after its last renewal, and another replica's next round (TTL/3)
 * takes them.
 */
const KAFKA_HAND_OVER_MS = 1000 + 2 * TTL_MS + (2 * TTL_MS) / 3;
/** Scheduling noise on the shared 2-core machine, on top of the documented bounds. */
const NOISE_MS = 2000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const sleepUntil = (at: number) => sleep(Math.max(0, at - Date.now()));
const dupSlots = (messages: ReceivedMessage[]) =>
  [...bySlot(messages).values()].filter((g) => g.length > 1);

/**
 * A fresh broker creates its offsets topic on the first group lookup; a center starting
 * meanwhile fails its consumer-group guard ("Failed to find group coordinator").
 */
async function groupCoordinatorReady(brokers: string[]): Promise<void> {
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await waitFor(
      'the group coordinator of the private broker',
      async () => {
        await admin.describeGroups(['partition-warm-up']);
        return true;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
  } finally {
    await admin.disconnect();
  }
}

/** Two replicas on their own database and topics; the first is the one cut off. */
class PairRun {
  readonly env = isolatedEnv({
    LOG_LEVEL: 'log',
    LOG_FORMAT: 'json',
    DISPATCH_SHARDS: String(SHARDS),
    DISPATCH_LEASE_TTL_S: String(TTL_MS / 1000),
    KAFKA_TOPIC_PARTITIONS: '4',
    SHUTDOWN_TIMEOUT_S: '5',
  });
  readonly victimId: string;
  readonly otherId: string;
  fleet: CenterFleet | undefined;
  reader: FireConsumer | undefined;
  leases: LeaseWatch | undefined;
  victim: RunningCenter | undefined;
  taskIds: string[] = [];
  expected: ExpectedFire[] = [];
  published: ReceivedMessage[] = [];
  cutAt = 0;
  healAt = 0;
  /** The victim's shards just before the cut. */
  shards: number[] = [];

  constructor(
    readonly what: 'database' | 'kafka',
    private readonly hosts: [NetHost, NetHost],
  ) {
    this.victimId = uniqueName(`victim-${what}`);
    this.otherId = uniqueName(`other-${what}`);
  }

  async start(mongoUri: string, brokers: string[]): Promise<void> {
    this.fleet = new CenterFleet({
      ...this.env,
      MONGODB_URI: mongoUri,
      KAFKA_BROKERS: brokers.join(','),
    });
    this.victim = await this.fleet.start(
      `${this.what}-victim`,
      { DISPATCH_REPLICA_ID: this.victimId },
      this.hosts[0],
    );
    await this.fleet.start(
      `${this.what}-other`,
      { DISPATCH_REPLICA_ID: this.otherId },
      this.hosts[1],
    );
    this.leases = await LeaseWatch.start(this.env.MONGODB_URI!);
    this.reader = await FireConsumer.start(brokers, [this.env.KAFKA_TOPIC_TASKS!]);
  }

  async balanced(): Promise<void> {
    await waitFor(
      `${this.what}: shards balanced over both replicas`,
      () => {
        const last = this.leases!.snapshots[this.leases!.snapshots.length - 1];
        const owners = [...(last?.owners.values() ?? [])];
        return (
          owners.filter((o) => o === this.victimId).length === SHARDS / 2 &&
          owners.filter((o) => o === this.otherId).length === SHARDS / 2
        );
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
  }

  /** Loops every second from `start` (unix s) for `seconds`; `checked` of them are expected. */
  async createTasks(start: number, seconds: number, checked: number): Promise<void> {
    const body = (i: number) => ({
      name: `partition.${this.what}`,
      type: 2,
      data: `loop ${i}`,
      loop_time: 1,
      loop_count: seconds,
      start_time: start,
      misfire: 'fire_all',
    });
    this.taskIds = await createMany(
      this.victim!.api,
      Array.from({ length: LOOPS }, (_, i) => body(i)),
      8,
    );
    this.expected = this.taskIds.flatMap((taskId) =>
      Array.from({ length: checked }, (_, s) => ({ taskId, scheduledAt: (start + s) * 1000 })),
    );
  }

  cut(network: TestNetwork, path: string): void {
    this.shards = shardsHeld(this.leases!.snapshots, this.victimId, Date.now());
    this.cutAt = Date.now();
    network.cut(this.hosts[0].name, path);
  }

  heal(network: TestNetwork, path: string): void {
    this.healAt = Date.now();
    network.heal(this.hosts[0].name, path);
  }

  /** Published fires of the slots checked. */
  collect(): void {
    const last = Math.max(...this.expected.map((e) => e.scheduledAt));
    this.published = this.reader!.forTasks(this.taskIds).filter(
      (m) => !m.fire || m.fire.scheduledAt <= last,
    );
  }

  /**
   * When the other replica took each of the victim's shards after the cut, from its own log
   * line ("took shards 0 (token 2), …", written right after the claims): the lease watch
   * reads through the shared, busy database and can see it seconds late.
   */
  takenOver(): Map<number, number> {
    const taken = new Map<number, number>();
    const other = this.fleet!.started.find((c) => c.label.endsWith('-other'))!;
    for (const line of other.proc.output().stdout.split('\n')) {
      if (!line.includes('"took shard')) continue;
      const { time, msg } = JSON.parse(line) as { time: number; msg: string };
      if (time < this.cutAt) continue;
      for (const [, shard] of msg.matchAll(/(\d+) \(token/g)) {
        const n = Number(shard);
        if (this.shards.includes(n) && !taken.has(n)) taken.set(n, time);
      }
    }
    return taken;
  }

  /** The published fires of tasks in the victim's shards. */
  victimShardFires(): ReceivedMessage[] {
    const shards = new Set(this.shards);
    return this.published.filter((m) => m.fire && shards.has(shardOf(m.fire.taskId, SHARDS)));
  }

  rel(t: number | undefined): string {
    return t === undefined || !Number.isFinite(t)
      ? 'never'
      : `${((t - this.cutAt) / 1000).toFixed(2)} s`;
  }

  report(): string {
    const taken = this.takenOver();
    const mine = this.victimShardFires();
    const beforeHeal = mine.filter((m) => m.receivedAt < this.healAt);
    const late = mine.map((m) => m.receivedAt - m.fire!.scheduledAt).sort((x, y) => x - y);
    const dups = dupSlots(mine);
    return [
      `${this.what} cut of ${this.victimId} (${this.shards.length} of ${SHARDS} shards), times from the cut; healed at ${this.rel(this.healAt)}`,
      `  its shards taken over: ${taken.size}/${this.shards.length}, the last at ${this.rel(Math.max(...taken.values()))}`,
      `  last fire of its shards received before the heal: ${this.rel(Math.max(...beforeHeal.map((m) => m.receivedAt)))}`,
      `  the victim holds a shard again at ${this.rel(firstHolding(this.leases!.snapshots, this.victimId, 1, this.healAt))}, ${SHARDS / 2} at ${this.rel(firstHolding(this.leases!.snapshots, this.victimId, SHARDS / 2, this.healAt))}`,
      `  its shards' fires: ${mine.length}, slot -> received: p50 ${late[Math.floor(late.length / 2)]} ms, max ${late[late.length - 1]} ms`,
      `  slots checked not published by the end: ${
        missingFires(
          this.published,
          this.expected.filter((e) => e.scheduledAt < this.healAt),
        ).length
      } due before the heal, ${
        missingFires(
          this.published,
          this.expected.filter((e) => e.scheduledAt >= this.healAt),
        ).length
      } after it`,
      `  its shards' slots published twice: ${dups.length} (both copies received after the heal: ${dupSlots(mine.filter((m) => m.receivedAt >= this.healAt)).length})`,
      ...firstOf(
        dups.map(
          (g) =>
            `    ${g.map((m) => `${m.fire!.messageId} published ${this.rel(m.fire!.publishedAt)} received ${this.rel(m.receivedAt)}`).join(' / ')}`,
        ),
        5,
      ),
    ].join('\n');
  }

  async stop(): Promise<void> {
    const logDir = process.env.PARTITION_LOG_DIR;
    if (logDir)
      for (const c of this.fleet?.started ?? []) {
        const { stdout, stderr } = c.proc.output();
        writeFileSync(join(logDir, `${c.label}.log`), `${stdout}\n${stderr}`);
      }
    await this.fleet?.cleanup();
    await this.reader?.stop();
    await this.leases?.stop();
    await dropDatabase(this.env.MONGODB_URI!);
  }
}

const unavailable = netnsUnavailable();
const describeNetns = unavailable ? describe.skip : describe;
if (unavailable) console.warn(`test/partition.e2e-spec.ts skipped: ${unavailable}`);

describeNetns('partitions: a replica cut off from the database, one cut off from Kafka', () => {
  let network: TestNetwork | undefined;
  let forwarder: TcpForwarder | undefined;
  let kafka: KafkaCluster | undefined;
  let db: PairRun | undefined;
  let bus: PairRun | undefined;

  beforeAll(async () => {
    network = TestNetwork.create(['a', 'b', 'c', 'd'], ['db', 'kafka']);
    db = new PairRun('database', [network.host('a'), network.host('b')]);
    bus = new PairRun('kafka', [network.host('c'), network.host('d')]);
    const mongo = new URL(db.env.MONGODB_URI!);
    forwarder = await TcpForwarder.start(
      { host: network.services.db! },
      { host: mongo.hostname, port: Number(mongo.port || 27017) },
    );
    kafka = await startKafkaCluster({ nodes: 1, host: network.services.kafka! });
    await groupCoordinatorReady(kafka.bootstrap);
    const viaForwarder = (uri: string) => {
      const url = new URL(uri);
      url.host = forwarder!.address;
      return url.toString();
    };
    const pairs = [db, bus];
    // One center at a time: a fresh broker answers a center creating topics while another
    // does with "This server does not host this topic-partition", and the center exits.
    for (const p of pairs) await p.start(viaForwarder(p.env.MONGODB_URI!), kafka.bootstrap);

    await Promise.all(pairs.map((p) => p.balanced()));

    const start = Math.ceil((Date.now() + CREATE_LEAD_MS) / 1000);
    const checked = WARM_S + CUT_S + AFTER_HEAL_S;
    // The loops go on past the slots checked: the victim's rejoin is awaited with them running.
    const seconds = checked + Math.ceil((REJOIN_MS + SETTLE_MS) / 1000);
    const t0 = Date.now();
    await Promise.all(pairs.map((p) => p.createTasks(start, seconds, checked)));
    console.log(`partition: ${2 * LOOPS} tasks created in ${Date.now() - t0} ms`);
    expect(Date.now()).toBeLessThan(start * 1000); // else the first slots are not as expected

    await sleepUntil((start + WARM_S) * 1000 + 300);
    db.cut(network, network.services.db!);
    bus.cut(network, network.services.kafka!);
    await sleep(CUT_S * 1000);
    db.heal(network, network.services.db!);
    bus.heal(network, network.services.kafka!);

    const last = (start + checked - 1) * 1000;
    await waitFor(
      'every checked slot published',
      () =>
        pairs.every((p) => missingFires(p.reader!.forTasks(p.taskIds), p.expected).length === 0),
      { timeoutMs: Math.max(0, last + SETTLE_MS - Date.now()), intervalMs: 500 },
    ).catch(() => undefined); // the checks below say what is missing
    for (const p of pairs) p.collect();
    console.log(
      `partition summary (TTL ${TTL_MS} ms, ${SHARDS} shards, ${LOOPS} loops/s per pair):\n${db.report()}\n${bus.report()}`,
    );
  }, 150_000);

  afterAll(async () => {
    try {
      await Promise.all([db?.stop(), bus?.stop()]);
      await kafka?.stop();
      await forwarder?.stop();
    } finally {
      network?.destroy();
    }
  }, 60_000);

  it.each(['database', 'kafka'] as const)(
    'cut off from the %s: no fire is malformed or early, duplicates carry one message id',
    (what) => {
      const p = what === 'database' ? db! : bus!;
      expect({
        violations: firstOf(fireViolations(p.published)),
        unexpected: firstOf(unexpectedFires(p.published, p.expected)),
        mixedIds: firstOf(inconsistentDuplicates(p.published)),
      }).toEqual({ violations: [], unexpected: [], mixedIds: [] });
    },
  );

  it('cut off from Kafka: every slot due until the heal is published', () => {
    const p = bus!;
    const untilHeal = p.expected.filter((e) => e.scheduledAt < p.healAt);
    expect(firstOf(missingFires(p.published, untilHeal))).toEqual([]);
  });

  // Not asserted, reported in the summary: slots after the heal (both cases), and all slots of
  // the database case: a new owner can stall for tens of seconds (known gaps, docs/dispatch.md,
  // "Network partitions").

  it('cut off from the database: fences itself by its own clock, the other takes over within TTL + TTL/3', () => {
    const p = db!;
    expect(p.shards.length).toBe(SHARDS / 2);
    // Its last renewal started before the cut: its local validity ends by cut + TTL - TTL/3.
    const fenceEnd = p.cutAt + TTL_MS - Math.floor(TTL_MS / 3);
    const taken = p.takenOver();
    expect([...taken.keys()].sort()).toEqual([...p.shards].sort());
    for (const at of taken.values())
      expect(at - p.cutAt).toBeLessThanOrEqual(TTL_MS + TTL_MS / 3 + 2 * NOISE_MS);
    const mine = p.victimShardFires();
    // Between its fence and the takeover only the victim could publish for these shards.
    const fromVictim = mine.filter((m) => {
      const shard = shardOf(m.fire!.taskId, SHARDS);
      return m.fire!.publishedAt > fenceEnd && m.fire!.publishedAt < taken.get(shard)!;
    });
    expect(fromVictim.map((m) => m.fire!.messageId)).toEqual([]);
  });

  it(
    'after the heal both cut-off replicas take their share of the shards back',
    async () => {
      await Promise.all(
        [db!, bus!].map((p) =>
          waitFor(
            `the ${p.what}-cut victim to hold its share of the shards again`,
            () => firstHolding(p.leases!.snapshots, p.victimId, SHARDS / 2, p.healAt),
            { timeoutMs: Math.max(0, p.healAt + REJOIN_MS - Date.now()), intervalMs: 200 },
          ),
        ),
      );
    },
    REJOIN_MS,
  );

  it('cut off from Kafka: hands its shards over within the bound, the new owner publishes their backlog before the heal', () => {
    const p = bus!;
    expect(p.shards.length).toBe(SHARDS / 2);
    const taken = p.takenOver();
    expect([...taken.keys()].sort()).toEqual([...p.shards].sort());
    for (const at of taken.values())
      expect(at - p.cutAt).toBeLessThanOrEqual(KAFKA_HAND_OVER_MS + 2 * NOISE_MS);
    // The victim reaches no broker before the heal: a copy received by then is the new owner's.
    const lastTaken = Math.max(...taken.values());
    const backlog = p.expected.filter(
      (e) =>
        e.scheduledAt > p.cutAt &&
        e.scheduledAt <= lastTaken &&
        p.shards.includes(shardOf(e.taskId, SHARDS)),
    );
    expect(backlog.length).toBeGreaterThan(0);
    const arrived = bySlot(p.victimShardFires());
    const notBeforeHeal = backlog.filter(
      (e) =>
        !(arrived.get(slotKey(e.taskId, e.scheduledAt)) ?? []).some((m) => m.receivedAt < p.healAt),
    );
    expect(firstOf(notBeforeHeal.map((e) => slotKey(e.taskId, e.scheduledAt)))).toEqual([]);
  });

  it('cut off from Kafka: no duplicate burst, only the publish it had in flight at the cut arrives twice', () => {
    const p = bus!;
    // A request stuck in the socket at the cut is delivered when TCP retransmits after the
    // heal: its fires were re-published by the new owner (same message ids). Nothing later.
    const burst = dupSlots(p.victimShardFires()).filter(
      (g) => g[0]!.fire!.scheduledAt > p.cutAt + 2000,
    );
    expect(firstOf(burst.map((g) => slotKey(g[0]!.fire!.taskId, g[0]!.fire!.scheduledAt)))).toEqual(
      [],
    );
  });
});
