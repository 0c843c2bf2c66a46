/**
 * Kafka down under load: a task center (production bundle) publishing `rate` fires a second
 * loses its broker for `down-s` seconds (`bash stack/down.sh kafka`, then `bash stack/up.sh`,
 * as test/support/stack-control.ts restartService does). It stops the stack's Kafka: run it
 * on a stack of its own (stack/up.sh with STACK_* ports), never on one others are using.
 *
 *   npm run bench:outage -- --down-s 60 --rate 1000
 *
 * Load: `rate` loop tasks (loop_time 1 s, misfire policy `load-policy`: fire_once), and per
 * misfire policy (fire_once, skip, fire_all) 3 loops of 1 s and 3 crontabs of `*∕3 * * * * *`,
 * plus 20 one-shots due during the outage. Every second it samples the center's RSS (/proc),
 * heap and unwritten advances (/metrics). It keeps the center's log lines from the stop to
 * 30 s after the return, grouped by condition. An independent consumer reads every fire; per
 * task the slots published around the outage must follow its policy (outage/misfire-check.ts).
 * Writes kafka-outage-<date>.json and a memory chart under `out` (docs/bench).
 */
import { type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { join, relative } from 'node:path';
import { FireConsumer } from '../test/support/fire-consumer';
import { restartService, stackManaged, stackUp } from '../test/support/stack-control';
import { lineChart } from './line-chart';
import { checkMisfire, type MisfirePolicy, type MisfireVerdict } from './outage/misfire-check';
import { every, HEAP_METRICS, memoryOf, scrapeMetrics } from './samplers';
import {
  args,
  describeMachine,
  dropDatabase,
  indexFerretdbPostgres,
  postJson,
  requireEnv,
  ROOT,
  stackBackend,
  startCenter,
  stopCenter,
  withDatabase,
} from './support';

const opts = args({
  'down-s': 60,
  rate: 1000,
  /** Seconds of normal dispatch before the stop. */
  warm: 20,
  /** Seconds after Kafka answers again that still count (fires, log lines). */
  after: 30,
  out: 'docs/bench',
  /** Misfire policy of the `rate` load tasks. */
  'load-policy': 'fire_once',
  /** Keep the database afterwards (to look at the tasks a check flagged). */
  'keep-db': false,
});

const PARTITIONS = 6;
const SHARDS = 16;
const THRESHOLD_MS = 5000;
const MAX_CATCH_UP = 100;
const POLICIES: MisfirePolicy[] = ['fire_once', 'skip', 'fire_all'];
const ONE_SHOTS = 20;
/** kafka-log.ts repeats a kafkajs line at most once per this window. */
const REPEAT_WINDOW_MS = 30_000;
/** RSS of the last third of the outage over the first third, at most. */
const RSS_GROWTH_LIMIT = 0.1;
/** Seconds the tasks run past the checked window. */
const TAIL_S = 60;

if (!(POLICIES as string[]).includes(opts['load-policy']))
  throw new Error(`--load-policy: one of ${POLICIES.join(', ')}`);
const loadPolicy = opts['load-policy'] as MisfirePolicy;

const log = (line: string) => process.stderr.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const nowSec = () => Math.floor(Date.now() / 1000);

interface Tracked {
  id: string;
  label: string;
  policy: MisfirePolicy;
  oneShot: boolean;
  slots: number[];
}

interface MemorySample {
  t: number;
  rssMb: number;
  heapUsedMb?: number;
  unwrittenAdvances?: number;
}

interface LogLine {
  at: number;
  level: number;
  context: string;
  msg: string;
}

/**
 * The STACK_* ports of the stack the bench talks to, so that stack/up.sh restarts this Kafka
 * and checks this MongoDB-wire server, not the defaults (another stack may use those).
 */
function stackPorts(brokers: string[], mongoUri: string): void {
  const kafkaPort = Number(brokers[0]!.split(':')[1]);
  process.env.STACK_KAFKA_PORT ??= String(kafkaPort);
  process.env.STACK_KAFKA_CONTROLLER_PORT ??= String(kafkaPort + 1);
  process.env.STACK_MONGO_PORT ??= new URL(mongoUri).port || '27017';
  try {
    const stamp = readFileSync(join(ROOT, '.stack/ferretdb/stamp'), 'utf8');
    const pg = /pg=[^:]+:(\d+)/.exec(stamp);
    if (pg) process.env.STACK_PG_PORT ??= pg[1];
  } catch {
    // not FerretDB: no PostgreSQL port to pass
  }
  process.env.STACK_FERRETDB_DEBUG_PORT ??= '-';
}

/** The center's JSON log lines (pino), kept with their time. */
function keepLogLines(child: ChildProcess, lines: LogLine[]): void {
  let rest = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const parts = (rest + chunk.toString('utf8')).split('\n');
    rest = parts.pop() ?? '';
    for (const text of parts) {
      try {
        const l = JSON.parse(text) as {
          time?: number;
          level?: number;
          context?: string;
          msg?: string;
        };
        lines.push({
          at: l.time ?? Date.now(),
          level: l.level ?? 30,
          context: l.context ?? '',
          msg: l.msg ?? '',
        });
      } catch {
        lines.push({ at: Date.now(), level: 30, context: '', msg: text });
      }
    }
  });
}

/** A log line's condition: its text without numbers, ids and the error's detail after " (". */
const conditionOf = (l: LogLine) =>
  `${l.context}: ${l.msg
    .replace(/recovered after .*/, 'recovered')
    .replace(/\d+/g, '#')
    .slice(0, 120)}`;

async function main() {
  const stamp = `${Date.now()}`;
  const mongoUri = withDatabase(requireEnv('MONGODB_URI'), `bench_outage_${stamp}`);
  const brokers = requireEnv('KAFKA_BROKERS').split(',');
  stackPorts(brokers, requireEnv('MONGODB_URI'));
  if (!stackManaged().kafka)
    throw new Error('Kafka is not run by stack/up.sh of this checkout: the bench cannot stop it');
  const topics = {
    KAFKA_TOPIC_TASKS: `bench.outage.${stamp}.tasks`,
    KAFKA_TOPIC_RESULTS: `bench.outage.${stamp}.results`,
    KAFKA_TOPIC_DEAD_LETTER: `bench.outage.${stamp}.dead-letter`,
  };
  const machine = await describeMachine(mongoUri);
  const backend = stackBackend() ?? machine.slice(machine.lastIndexOf(', ') + 2);
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const tracked: Tracked[] = [];
  const lines: LogLine[] = [];
  const memory: MemorySample[] = [];
  let reader: FireConsumer | undefined;
  let window = { stopAt: 0, downAt: 0, upAt: 0, endAt: 0 };
  /** The first slot: sample times count from it. */
  let t0 = 0;

  log(`starting a task center (topics bench.outage.${stamp}.*)…`);
  const { child, url } = await startCenter(
    {
      MONGODB_URI: mongoUri,
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_TOPIC_PARTITIONS: String(PARTITIONS),
      DISPATCH_SHARDS: String(SHARDS),
      MISFIRE_THRESHOLD_S: String(THRESHOLD_MS / 1000),
      MISFIRE_MAX_CATCHUP: String(MAX_CATCH_UP),
      // The recovery lines of conditions are "log" level.
      LOG_LEVEL: 'log',
      ...topics,
    },
    'pipe',
  );
  keepLogLines(child, lines);
  const pid = child.pid ?? 0;
  try {
    indexFerretdbPostgres(log);
    reader = await FireConsumer.start(brokers, [topics.KAFKA_TOPIC_TASKS]);

    // ---------------------------------------------------------------- the tasks
    // The tasks run on past the window that is checked (TAIL_S), so that every slot checked
    // has the fires that followed it: a slot left out only when a later publish skipped it.
    const duration = opts.warm + opts['down-s'] + 15 + opts.after + TAIL_S;
    let start = nowSec() + Math.ceil(opts.rate / 50) + 15;
    start += (3 - (start % 3)) % 3; // the crontabs' first slot
    const end = start + duration - 1;
    const secondsOf = (step: number) =>
      Array.from(
        { length: Math.floor((end - start) / step) + 1 },
        (_, k) => (start + k * step) * 1000,
      );
    const create = async (t: Omit<Tracked, 'id'>, body: Record<string, unknown>) => {
      const { status, json } = await postJson(agent, `${url}/v1/api/task`, { data: '{}', ...body });
      const id = (json as { taskid?: string } | undefined)?.taskid;
      if (status !== 200 || !id)
        throw new Error(`create failed: ${status} ${JSON.stringify(json)}`);
      tracked.push({ ...t, id });
    };
    const bodies: [Omit<Tracked, 'id'>, Record<string, unknown>][] = [];
    for (let i = 0; i < opts.rate; i++)
      bodies.push([
        {
          label: `load (loop 1 s, ${loadPolicy})`,
          policy: loadPolicy,
          oneShot: false,
          slots: secondsOf(1),
        },
        {
          name: 'bench.outage.load',
          type: 2,
          loop_time: 1,
          start_time: start,
          end_time: end,
          misfire: loadPolicy,
        },
      ]);
    for (const policy of POLICIES)
      for (let i = 0; i < 3; i++) {
        bodies.push([
          { label: `loop 1 s, ${policy}`, policy, oneShot: false, slots: secondsOf(1) },
          {
            name: `bench.outage.${policy}`,
            type: 2,
            loop_time: 1,
            start_time: start,
            end_time: end,
            misfire: policy,
          },
        ]);
        bodies.push([
          { label: `crontab */3 s, ${policy}`, policy, oneShot: false, slots: secondsOf(3) },
          {
            name: `bench.outage.${policy}`,
            type: 3,
            crontab: '*/3 * * * * *',
            start_time: start,
            end_time: end,
            misfire: policy,
          },
        ]);
      }
    // One-shots due from 5 s into the outage to 5 s before its end.
    for (let i = 0; i < ONE_SHOTS; i++) {
      const due =
        start + opts.warm + 5 + Math.floor((i * Math.max(1, opts['down-s'] - 10)) / ONE_SHOTS);
      bodies.push([
        { label: 'one-shot due in the outage', policy: 'skip', oneShot: true, slots: [due * 1000] },
        { name: 'bench.outage.once', type: 1, start_time: due, misfire: 'skip' },
      ]);
    }
    log(`creating ${bodies.length} tasks, first slot ${new Date(start * 1000).toISOString()}…`);
    for (let i = 0; i < bodies.length; i += 16)
      await Promise.all(bodies.slice(i, i + 16).map(([t, body]) => create(t, body)));
    if (Date.now() > start * 1000 - 1000) throw new Error('the creates ended after the first slot');

    // ---------------------------------------------------------------- sampling
    t0 = start * 1000;
    const sampler = every(1000, async () => {
      const sample: MemorySample = { t: (Date.now() - t0) / 1000, rssMb: memoryOf(pid).rssMb };
      memory.push(sample);
      const m = await scrapeMetrics(url, [
        ...HEAP_METRICS,
        'task_center_dispatch_unwritten_advances',
      ]).catch(() => undefined);
      if (m) {
        sample.heapUsedMb =
          Math.round(((m.get('nodejs_heap_size_used_bytes') ?? 0) / 2 ** 20) * 10) / 10;
        sample.unwrittenAdvances = m.get('task_center_dispatch_unwritten_advances');
      }
    });

    // ---------------------------------------------------------------- the outage
    await sleep(t0 + opts.warm * 1000 - Date.now());
    log(`stopping Kafka for ${opts['down-s']} s…`);
    const stopAt = Date.now();
    try {
      const { downAt, upAt } = await restartService('kafka', opts['down-s'] * 1000);
      window = { stopAt, downAt, upAt, endAt: upAt + opts.after * 1000 };
    } finally {
      // The stack must come back whatever happened (idempotent when it is up).
      await stackUp().catch((err: unknown) => log(`stack/up.sh failed: ${String(err)}`));
    }
    log(
      `Kafka answers again after ${((window.upAt - stopAt) / 1000).toFixed(1)} s; running ${opts.after} s more…`,
    );
    // Until every schedule has a fire past the window (the dispatcher is past it), 2 min at most.
    const settleBy = window.endAt + 120_000;
    const schedules = tracked.filter((t) => !t.oneShot);
    for (;;) {
      await sleep(2000);
      const past = new Set(
        reader.messages.flatMap((m) =>
          m.fire && m.fire.scheduledAt > window.endAt ? [m.fire.taskId] : [],
        ),
      );
      if (Date.now() > settleBy || schedules.every((t) => past.has(t.id))) break;
    }
    await sampler.stop();
  } finally {
    log('cleaning up…');
    await stopCenter(child);
    await reader?.stop();
    await reader?.deleteTopics(Object.values(topics));
    if (opts['keep-db']) log(`kept the database: ${mongoUri}`);
    else await dropDatabase(mongoUri).catch(() => undefined);
    agent.destroy();
  }

  // ---------------------------------------------------------------- verdict
  const received = new Map<string, Map<number, number>>();
  const messageIds = new Map<string, number>();
  for (const m of reader.messages) {
    if (!m.fire) continue;
    messageIds.set(m.fire.messageId, (messageIds.get(m.fire.messageId) ?? 0) + 1);
    const byTask = received.get(m.fire.taskId) ?? new Map<number, number>();
    if (!byTask.has(m.fire.scheduledAt)) byTask.set(m.fire.scheduledAt, m.fire.publishedAt);
    received.set(m.fire.taskId, byTask);
  }
  const republished = [...messageIds.values()].filter((n) => n > 1).length;
  const settings = { thresholdMs: THRESHOLD_MS, maxCatchUp: MAX_CATCH_UP, slackMs: 1500 };
  const groups = new Map<string, { tasks: number; ok: number; verdicts: MisfireVerdict[] }>();
  const problems: string[] = [];
  for (const t of tracked) {
    const v = checkMisfire(
      {
        policy: t.policy,
        oneShot: t.oneShot,
        slots: t.slots,
        published: received.get(t.id) ?? new Map<number, number>(),
        until: window.endAt,
      },
      settings,
    );
    const g = groups.get(t.label) ?? { tasks: 0, ok: 0, verdicts: [] };
    g.tasks++;
    if (v.problems.length === 0) g.ok++;
    else if (g.tasks - g.ok <= 3) problems.push(`${t.label} ${t.id}: ${v.problems.join('; ')}`);
    g.verdicts.push(v);
    groups.set(t.label, g);
  }
  const sum = (
    vs: MisfireVerdict[],
    k: 'expected' | 'received' | 'missing' | 'late' | 'unexpected',
  ) => vs.reduce((a, v) => a + v[k], 0);
  const policyRows = [...groups].map(([label, g]) => ({
    label,
    tasks: g.tasks,
    following: g.ok,
    slots: sum(g.verdicts, 'expected'),
    published: sum(g.verdicts, 'received'),
    missed: sum(g.verdicts, 'missing'),
    catchUp: sum(g.verdicts, 'late'),
    unexpected: sum(g.verdicts, 'unexpected'),
  }));

  const during = lines.filter((l) => l.at >= window.stopAt && l.at <= window.endAt);
  const conditions = new Map<string, { count: number; level: number; first: string }>();
  for (const l of during) {
    const key = conditionOf(l);
    const c = conditions.get(key) ?? { count: 0, level: l.level, first: l.msg };
    c.count++;
    conditions.set(key, c);
  }
  const phase = (from: number, to: number) =>
    memory.filter((m) => m.t * 1000 + t0 >= from && m.t * 1000 + t0 < to);
  const stats = (ms: MemorySample[]) => ({
    samples: ms.length,
    rssMb: { min: Math.min(...ms.map((m) => m.rssMb)), max: Math.max(...ms.map((m) => m.rssMb)) },
    heapUsedMb: {
      min: Math.min(...ms.flatMap((m) => m.heapUsedMb ?? [])),
      max: Math.max(...ms.flatMap((m) => m.heapUsedMb ?? [])),
    },
  });
  const before = stats(phase(t0, window.stopAt));
  const outage = stats(phase(window.stopAt, window.upAt));
  const afterReturn = stats(phase(window.upAt, window.endAt));
  const outageSamples = phase(window.stopAt, window.upAt);
  // Growth within the outage: the last third against the first third (a leak would show).
  const third = Math.max(1, Math.floor(outageSamples.length / 3));
  const avg = (ms: MemorySample[], f: (m: MemorySample) => number) =>
    ms.reduce((a, m) => a + f(m), 0) / Math.max(1, ms.length);
  const rssEarly = avg(outageSamples.slice(0, third), (m) => m.rssMb);
  const rssLate = avg(outageSamples.slice(-third), (m) => m.rssMb);
  const heapEarly = avg(outageSamples.slice(0, third), (m) => m.heapUsedMb ?? 0);
  const heapLate = avg(outageSamples.slice(-third), (m) => m.heapUsedMb ?? 0);

  const failing = policyRows.filter((r) => r.following < r.tasks);
  // One line per condition, repeated at most once per kafka-log.ts's 30 s window.
  const allowedLines = 1 + Math.floor((window.endAt - window.stopAt) / REPEAT_WINDOW_MS);
  const repeated = [...conditions].filter(([, c]) => c.level >= 40 && c.count > allowedLines);
  const grows = rssLate > rssEarly * (1 + RSS_GROWTH_LIMIT);
  const verdict =
    failing.length === 0 && repeated.length === 0 && !grows
      ? 'PASS'
      : `FAIL: ${[
          ...failing.map(
            (r) => `${r.tasks - r.following}/${r.tasks} "${r.label}" tasks off their policy`,
          ),
          ...repeated.map(([key, c]) => `${c.count} lines of "${key}" (at most ${allowedLines})`),
          ...(grows
            ? [`RSS grew within the outage: ${rssEarly.toFixed(0)} -> ${rssLate.toFixed(0)} MB`]
            : []),
        ].join('; ')}`;

  const command = `npm run bench:outage -- --down-s ${opts['down-s']} --rate ${opts.rate}`;
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  console.log(`\nKafka outage: ${command}`);
  console.log(`machine:   ${machine}`);
  console.log(`backend:   ${backend}`);
  console.log(
    `outage:    stop at +${s(window.stopAt - t0)}, Kafka down after ${s(window.downAt - window.stopAt)} (stack/down.sh), ` +
      `answering again ${s(window.upAt - window.stopAt)} after the stop (stack/up.sh)`,
  );
  console.log(`memory (center, sampled every second; RSS from /proc, heap from /metrics):`);
  for (const [name, st] of [
    ['before', before],
    ['outage', outage],
    ['after', afterReturn],
  ] as const)
    console.log(
      `  ${name.padEnd(7)} RSS ${st.rssMb.min}-${st.rssMb.max} MB, heap used ${st.heapUsedMb.min}-${st.heapUsedMb.max} MB (${st.samples} samples)`,
    );
  console.log(
    `  within the outage, first third -> last third: RSS ${rssEarly.toFixed(0)} -> ${rssLate.toFixed(0)} MB, heap ${heapEarly.toFixed(0)} -> ${heapLate.toFixed(0)} MB`,
  );
  console.log(
    `log lines of the center from the stop to ${opts.after} s after the return, by condition (warnings and errors: at most ${allowedLines} each):`,
  );
  for (const [key, c] of [...conditions].sort((a, b) => b[1].count - a[1].count))
    console.log(
      `  ${String(c.count).padStart(4)} x [${c.level >= 50 ? 'error' : c.level >= 40 ? 'warn' : 'log'}] ${key}`,
    );
  console.log(
    `fires by task kind (misfire threshold ${THRESHOLD_MS / 1000} s, catch-up cap ${MAX_CATCH_UP}):`,
  );
  for (const r of policyRows)
    console.log(
      `  ${r.label.padEnd(34)} ${r.following}/${r.tasks} tasks follow the policy; ${r.published}/${r.slots} slots published, ` +
        `${r.missed} skipped, ${r.catchUp} caught up late, ${r.unexpected} unexpected`,
    );
  for (const p of problems) console.log(`  ${p}`);
  console.log(`republished message ids (same id twice on the topic): ${republished}`);
  console.log(`verdict:   ${verdict}`);

  const outDir = join(ROOT, opts.out);
  mkdirSync(outDir, { recursive: true });
  const base = `kafka-outage-${opts['down-s']}s-${new Date().toISOString().replace(/[:]/g, '-').slice(0, 19)}`;
  const chart = join(outDir, `${base}-memory.svg`);
  writeFileSync(
    chart,
    lineChart({
      title: `Center memory, Kafka down ${opts['down-s']} s at ${opts.rate} fires/s (sampled every second)`,
      xLabel: 'seconds since the first slot',
      yLabel: 'MB',
      series: [
        { name: 'RSS', points: memory.map((m) => [m.t, m.rssMb]) },
        {
          name: 'heap used',
          points: memory.flatMap((m) =>
            m.heapUsedMb === undefined ? [] : [[m.t, m.heapUsedMb] as [number, number]],
          ),
        },
      ],
      bands: [
        { from: (window.stopAt - t0) / 1000, to: (window.upAt - t0) / 1000, label: 'Kafka down' },
      ],
    }),
  );
  const file = join(outDir, `${base}.json`);
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        command,
        machine,
        backend,
        options: opts,
        settings: {
          misfireThresholdMs: THRESHOLD_MS,
          maxCatchUp: MAX_CATCH_UP,
          partitions: PARTITIONS,
          shards: SHARDS,
        },
        window: {
          stopAtS: (window.stopAt - t0) / 1000,
          downAtS: (window.downAt - t0) / 1000,
          upAtS: (window.upAt - t0) / 1000,
          endAtS: (window.endAt - t0) / 1000,
        },
        memory: {
          before,
          outage,
          after: afterReturn,
          outageFirstThird: { rssMb: rssEarly, heapUsedMb: heapEarly },
          outageLastThird: { rssMb: rssLate, heapUsedMb: heapLate },
        },
        logLines: [...conditions].map(([condition, c]) => ({ condition, ...c })),
        policies: policyRows,
        problems,
        republished,
        verdict,
        chart: relative(outDir, chart),
        samples: memory,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`written:   ${relative(ROOT, file)}, ${relative(ROOT, chart)}`);
  if (verdict !== 'PASS') process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
