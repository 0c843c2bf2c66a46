import { createMany } from './support/api-client';
import { CenterFleet, dropDatabase, isRunning } from './support/center-fleet';
import { isolatedEnv, waitFor } from './support/stack';
import { type ReceivedRequest, TargetServer } from './support/target-server';
import { testKafka } from './support/worker-kafka';

const ONE_SHOTS = 50;
const LOOP_COUNT = 12;
const ANSWER_AFTER_MS = 1500;

interface FireView {
  scheduled_at_ms: number;
  state: string;
  attempts: { attempt: number; outcomes: { result: string }[] }[];
}

const header = (r: ReceivedRequest, name: string): string => String(r.headers[name] ?? '');
const slotKey = (r: ReceivedRequest) =>
  `${header(r, 'tc-task-id')}:${header(r, 'tc-scheduled-at')}`;

/** What makes two deliveries of one fire the same request, the signature's time aside. */
const identity = (r: ReceivedRequest) => ({
  key: header(r, 'idempotency-key'),
  messageId: header(r, 'tc-message-id'),
  scheduledAt: header(r, 'tc-scheduled-at'),
  attempt: header(r, 'tc-attempt'),
  path: r.path,
  body: r.body.toString('utf8'),
});

/**
 * The task center's HTTP delivery worker runs inside the center. A SIGKILL while requests are
 * in flight loses their outcomes (and the offsets behind them); the next process must deliver
 * every such fire again, under the same message id, so the endpoint can drop the duplicate by
 * its idempotency-key, and every fire must still end succeeded.
 */
describe('HTTP targets across a SIGKILL of the center (spawned task centers, real HTTP server)', () => {
  let env: Record<string, string>;
  let fleet: CenterFleet | undefined;
  let hook: TargetServer | undefined;

  beforeAll(() => {
    env = isolatedEnv({
      HTTP_TARGETS_ENABLED: 'true',
      HTTP_TARGET_ALLOW: '127.0.0.1/32',
      LOG_LEVEL: process.env.E2E_CENTER_LOG_LEVEL ?? 'warn',
      // The next center takes over the dispatch shards, the outcome and HTTP groups sooner.
      DISPATCH_LEASE_TTL_S: '3',
      RUNS_CONSUMER_SESSION_TIMEOUT_S: '6',
    });
    fleet = new CenterFleet(env);
  });

  afterAll(async () => {
    const tails = fleet?.problemLogs();
    if (tails) console.log(tails);
    await fleet?.cleanup();
    await hook?.close();
    const admin = testKafka('http-crash-e2e-cleanup').admin();
    try {
      await admin.connect();
      await admin.deleteTopics({
        topics: [
          env.KAFKA_TOPIC_TASKS!,
          env.KAFKA_TOPIC_RESULTS!,
          env.KAFKA_TOPIC_DEAD_LETTER!,
          env.KAFKA_TOPIC_HTTP!,
        ],
        timeout: 5000,
      });
    } catch {
      // leftovers expire with the broker's retention
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    await dropDatabase(env.MONGODB_URI!);
  }, 60_000);

  it('SIGKILL of the center during deliveries loses no fire; duplicates carry the same idempotency-key', async () => {
    const t0 = Date.now();
    const server = await TargetServer.start(() => ({ status: 200, delayMs: ANSWER_AFTER_MS }));
    hook = server;
    const a = await fleet!.start('A');
    const tA = Date.now();

    const start = Math.ceil((Date.now() + 4000) / 1000);
    const base = { type: 1, start_time: start, misfire: 'fire_all' };
    const [loopId, ...oneShotIds] = await createMany(a.api, [
      {
        ...base,
        name: 'http-crash.loop',
        type: 2,
        loop_time: 1,
        loop_count: LOOP_COUNT,
        data: 'loop',
        target: { type: 'http', url: server.url('/loop') },
      },
      ...Array.from({ length: ONE_SHOTS }, (_, i) => ({
        ...base,
        name: 'http-crash.one-shot',
        data: `one-shot ${i}`,
        target: { type: 'http', url: server.url(`/one/${i}`) },
      })),
    ]);
    const slack = start * 1000 - Date.now();
    if (slack < 500) throw new Error(`creating the tasks ended ${-slack} ms before the slot`);
    const expected = [
      ...Array.from({ length: LOOP_COUNT }, (_, i) => `${loopId}:${(start + i) * 1000}`),
      ...oneShotIds.map((id) => `${id}:${start * 1000}`),
    ];

    // At most 16 requests per host at once (HTTP_TARGET_MAX_PER_HOST): the first wave has
    // been answered when the 20th request arrives, and the second wave is waiting.
    await waitFor('20 requests at the server', () => server.requests.length >= 20, {
      timeoutMs: 20_000,
      intervalMs: 5,
    });
    const killAt = Date.now();
    const exit = await fleet!.stop(a, 'SIGKILL');
    expect(exit.signal).toBe('SIGKILL');
    const beforeKill = server.requests.filter((r) => r.at <= killAt);
    const pendingAtKill = beforeKill.filter((r) => !r.answeredAt || r.answeredAt > killAt);
    console.log(
      `SIGKILLed A at slot+${killAt - start * 1000} ms: ${beforeKill.length} requests arrived, ${pendingAtKill.length} of them still unanswered`,
    );
    expect(pendingAtKill.length).toBeGreaterThan(0);

    const b = await fleet!.start('B');
    const tB = Date.now();
    const keysSeen = () => new Set(server.requests.map(slotKey));
    await waitFor(
      `a request for each of the ${expected.length} fires`,
      () => expected.every((k) => keysSeen().has(k)),
      { timeoutMs: 60_000, intervalMs: 250 },
    ).catch(() => undefined); // the assertions below say what is missing
    const firstAfterRestart = server.requests.find((r) => r.at > tB);
    const ids = [loopId!, ...oneShotIds];
    const histories = async () =>
      Promise.all(
        ids.map((taskid) =>
          b.api.call<FireView[]>('GET', '/v1/api/task-runs', { query: { taskid } }),
        ),
      );
    const allSucceeded = (all: FireView[][]) =>
      all.every((fires, i) => {
        const want = i === 0 ? LOOP_COUNT : 1;
        return fires.length === want && fires.every((f) => f.state === 'succeeded');
      });
    await waitFor(
      'every fire to succeed in the history',
      async () => allSucceeded(await histories()),
      {
        timeoutMs: 20_000,
        intervalMs: 500,
      },
    ).catch(() => undefined);
    const fires = await histories();

    // Per fire, the requests in arrival order.
    const bySlot = new Map<string, ReceivedRequest[]>();
    for (const r of server.requests) bySlot.set(slotKey(r), [...(bySlot.get(slotKey(r)) ?? []), r]);
    const wrongKey = server.requests
      .filter((r) => {
        const id = identity(r);
        return id.key !== `${slotKey(r)}:${id.attempt}` || id.messageId !== id.key;
      })
      .map((r) => `${slotKey(r)}: ${JSON.stringify(identity(r))}`);
    const differentDuplicates = [...bySlot]
      .filter(([, reqs]) =>
        reqs.some(
          (r, i) => i > 0 && JSON.stringify(identity(r)) !== JSON.stringify(identity(reqs[i - 1]!)),
        ),
      )
      .map(([slot, reqs]) => `${slot}: ${JSON.stringify(reqs.map(identity))}`);
    const twice = [...bySlot].filter(([, reqs]) => reqs.length > 1);
    const notRepeated = pendingAtKill
      .filter((p) => !server.requests.some((r) => r.at > killAt && slotKey(r) === slotKey(p)))
      .map(slotKey);
    // A task whose fires are not exactly its slots, each succeeded.
    const wrongHistories = fires
      .map((f, i) => ({
        task: ids[i]!,
        fires: f.length,
        states: [...new Set(f.map((x) => x.state))],
      }))
      .filter((h, i) => h.fires !== (i === 0 ? LOOP_COUNT : 1) || h.states.join() !== 'succeeded');
    console.log(
      `A up after ${tA - t0} ms; B up ${tB - killAt} ms after the kill, its first request ${firstAfterRestart ? `${firstAfterRestart.at - tB} ms later` : 'never'}; ` +
        `${server.requests.length} requests for ${expected.length} fires, ${twice.length} fires delivered twice or more ` +
        `(${pendingAtKill.length} were in flight at the kill); ${Date.now() - t0} ms in all`,
    );
    expect({
      centerB: isRunning(b),
      missing: expected.filter((k) => !bySlot.has(k)),
      unexpected: [...bySlot.keys()].filter((k) => !expected.includes(k)),
      keyNotTheMessageId: wrongKey.slice(0, 10),
      duplicatesThatDiffer: differentDuplicates.slice(0, 10),
      inFlightAtKillNotDeliveredAgain: notRepeated,
      historiesNotAllSucceeded: wrongHistories,
    }).toEqual({
      centerB: true,
      missing: [],
      unexpected: [],
      keyNotTheMessageId: [],
      duplicatesThatDiffer: [],
      inFlightAtKillNotDeliveredAgain: [],
      historiesNotAllSucceeded: [],
    });
  }, 110_000);
});
