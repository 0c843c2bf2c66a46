/**
 * Task search latency: GET /v1/api/tasks, first page, at `--tasks` stored tasks (1,000,000 by
 * default), against a real task center process (production bundle) on the local stack.
 *
 *   npm run bench:search -- [--tasks 1000000] [--quick] [--reseed] [--requests 50]
 *                           [--budget 20] [--only <label part>] [--skip-over <rows>] [--dispatch]
 *
 * 1. Seeds `tasks` documents as the app stores them (bench/search-data.ts: newTaskToDoc, a mix
 *    of types, statuses incl. deleted, 20,000 names under 10 team prefixes, keys, topics,
 *    creation over the past year, next runs 7-365 days ahead) into the database
 *    bench_search_<n>, with batched insertMany. A database already seeded with the same n (and
 *    seed version, less than 6 days ago) is reused unless --reseed.
 * 2. Creates the app's indexes (task.schema.ts) and, on FerretDB's PostgreSQL backend, applies
 *    stack/ferretdb-pg-indexes.sql (GIN indexes) and ANALYZE (STACK_PG_PORT / STACK_PG_URL as
 *    for `npm run stack:pg-indexes`).
 * 3. Starts the task center (its dispatcher off unless --dispatch) and, for each search, sends
 *    `--requests` sequential requests after `--warmup` ones; a search slower than `--budget`
 *    seconds is timed once, cold. Reports p50 / p95 / max and the server's plan of the queries
 *    the app runs for it (MongoDB: the winning plan, keys and documents examined, COLLSCAN and
 *    in-memory SORT flagged; FerretDB on PostgreSQL: the PostgreSQL plan of the SQL FerretDB
 *    sends and PostgreSQL's estimate of the rows it hands FerretDB, which filters the rest and
 *    sorts them all in memory).
 * Prints a table and the load average, writes bench/results/search-<backend>-<n>-<date>.json.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { join } from 'node:path';
import { plainToInstance } from 'class-transformer';
import mongoose, { type FilterQuery } from 'mongoose';
import { searchQuery, searchTasks } from '../apps/task-center/src/repositories/task-search.query';
import { TaskDoc, TaskSchema } from '../apps/task-center/src/repositories/task.schema';
import { type TasksRepository } from '../apps/task-center/src/repositories/tasks.repository';
import { SearchTasksDto } from '../apps/task-center/src/tasks/dto/search-tasks.dto';
import {
  SEARCH_COUNT_CAP,
  TaskSearchService,
} from '../apps/task-center/src/tasks/task-search.service';
import { explainedPlan } from '../apps/task-center/src/database/query-plan';
import { percentile, type SearchCase, searchCases, seedTaskDoc } from './search-data';
import {
  args,
  countLabel,
  describeMachine,
  indexFerretdbPostgres,
  insertInBatches,
  requireEnv,
  ROOT,
  stackBackend,
  startCenter,
  stopCenter,
  withDatabase,
} from './support';

const opts = args({
  tasks: 1_000_000,
  quick: false,
  reseed: false,
  requests: 50,
  warmup: 3,
  /** Seconds of measuring per search before it stops short of `requests` (5 at least). */
  budget: 20,
  batch: 5000,
  /** Only the searches whose label contains this. */
  only: '',
  /**
   * FerretDB on PostgreSQL: leave out of the timing the searches whose plan hands FerretDB more
   * than this many rows (0: time every search). Each such row costs FerretDB 0.1-0.3 ms on
   * this machine: a search of the whole 1,000,000 takes minutes.
   */
  'skip-over': 0,
  /**
   * Run the center's dispatcher during the measurement. Off by default: on taking its shards
   * it catches up on each one (`{shard, due_at <= now}`), which on FerretDB v1 reads every
   * task of the shard (nothing is due, but only `shard` is pushed down).
   */
  dispatch: false,
});
if (opts.quick) opts.tasks = 100_000;

/** Bump when the seeded documents change: a database of another version is seeded again. */
const SEED_VERSION = 1;
/** The seed's next runs start 7 days after it: reused for 6 days at most, nothing is due. */
const REUSE_MS = 6 * 86_400_000;
const SHARDS = Number(process.env.DISPATCH_SHARDS ?? 16);
const MIN_SAMPLES = 5;

const log = (line: string) => process.stderr.write(`${line}\n`);
type Doc = Record<string, unknown>;
type Db = mongoose.mongo.Db;

interface SeedMeta {
  _id: string;
  tasks: number;
  version: number;
  shards: number;
  now: number;
}

/** Seeds the database unless it holds this seed already; resolves with the seed's `now`. */
async function seed(db: Db): Promise<{ now: number; reused: boolean; rate?: number }> {
  const meta = db.collection<SeedMeta>('bench_seed');
  const tasks = db.collection('tasks');
  // Written once every task is in (a count would read the whole collection on FerretDB v1).
  const found = await meta.findOne({ _id: 'seed' });
  if (
    !opts.reseed &&
    found?.tasks === opts.tasks &&
    found.version === SEED_VERSION &&
    found.shards === SHARDS &&
    Date.now() - found.now < REUSE_MS
  ) {
    log(
      `seed: reusing ${countLabel(opts.tasks)} tasks seeded ${new Date(found.now).toISOString()}`,
    );
    return { now: found.now, reused: true };
  }
  await db.dropDatabase();
  const now = Date.now();
  log(`seed: inserting ${opts.tasks} tasks, ${opts.batch} per insertMany…`);
  const rate = await insertInBatches({
    label: 'seed',
    from: 0,
    to: opts.tasks,
    batch: opts.batch,
    make: (i) => seedTaskDoc(i, opts.tasks, now, SHARDS),
    insert: (docs) => tasks.insertMany(docs, { ordered: false }),
    log,
    every: Math.max(opts.batch, Math.round(opts.tasks / 20)),
  });
  await meta.insertOne({
    _id: 'seed',
    tasks: opts.tasks,
    version: SEED_VERSION,
    shards: SHARDS,
    now,
  });
  log(`seed: ${opts.tasks} tasks at ${rate.toFixed(0)}/s`);
  return { now, reused: false, rate };
}

/** The app's indexes on `tasks` (task.schema.ts), built before the center starts. */
async function createAppIndexes(uri: string): Promise<void> {
  const conn = await mongoose.createConnection(uri, { autoIndex: false }).asPromise();
  try {
    const started = performance.now();
    await conn.model(TaskDoc.name, TaskSchema).createIndexes();
    log(
      `indexes: task.schema.ts indexes in place (${((performance.now() - started) / 1000).toFixed(1)} s)`,
    );
  } finally {
    await conn.close();
  }
}

// ------------------------------------------------------------------ what the app runs

interface AppQuery {
  /** `find` with sort and limit, or the count's aggregate. */
  kind: 'find' | 'count';
  filter: FilterQuery<TaskDoc>;
  sort?: Record<string, 1 | -1>;
  limit: number;
}

/**
 * The queries the app runs for a search's first page: the service and the query builder
 * themselves, over a repository that records instead of reading.
 */
async function appQueries(query: Record<string, string>): Promise<AppQuery[]> {
  const recorded: AppQuery[] = [];
  const repo = {
    search: (filter, sort, limit, after) =>
      searchTasks(
        (q, order, n) => {
          recorded.push({ kind: 'find', filter: q, sort: order, limit: n });
          return Promise.resolve([]);
        },
        filter,
        sort,
        limit,
        after,
      ),
    countMatching: (filter, limit) => {
      recorded.push({ kind: 'count', filter: searchQuery(filter), limit });
      return Promise.resolve(0);
    },
  } as Pick<TasksRepository, 'search' | 'countMatching'> as TasksRepository;
  const dto = plainToInstance(SearchTasksDto, query, { enableImplicitConversion: false });
  await new TaskSearchService(repo).search(dto, SEARCH_COUNT_CAP);
  return recorded;
}

interface PlanReport {
  /** "index", "scan" (reads the whole collection), or "index + sort" (MongoDB in-memory sort). */
  verdict: string;
  /** One line per query the app runs. */
  detail: string[];
  /** FerretDB on PostgreSQL: the rows PostgreSQL expects to hand FerretDB (most of any query). */
  rows?: number;
}

function pgRows(node: unknown): number | undefined {
  const rows = (node as Doc | undefined)?.['Plan Rows'];
  return typeof rows === 'number' ? rows : undefined;
}

async function explainQueries(db: Db, queries: AppQuery[], ferret: boolean): Promise<PlanReport> {
  const detail: string[] = [];
  const verdicts = new Set<string>();
  let maxRows: number | undefined;
  for (const q of queries) {
    const command: Doc =
      q.kind === 'find'
        ? { find: 'tasks', filter: q.filter, sort: q.sort, limit: q.limit }
        : {
            // What Model.countDocuments(filter, {limit}) sends.
            aggregate: 'tasks',
            pipeline: [
              { $match: q.filter },
              { $limit: q.limit },
              { $group: { _id: 1, n: { $sum: 1 } } },
            ],
            cursor: {},
          };
    let explained: Doc;
    try {
      explained = await db.command({ explain: command, verbosity: 'executionStats' });
    } catch (err) {
      detail.push(`${q.kind}: explain failed: ${err instanceof Error ? err.message : String(err)}`);
      verdicts.add('?');
      continue;
    }
    const nodes = mongoPlanNodes(explained);
    if (ferret) {
      const planner = (explained.queryPlanner ?? {}) as Doc;
      const plan = planner.Plan as Doc | undefined;
      const pg = explainedPlan(explained);
      const scan = pg.some((n) => n.startsWith('Seq Scan'));
      const indexed = pg.some((n) => n.includes('Index'));
      const rows = pgRows(plan);
      if (rows !== undefined) maxRows = Math.max(maxRows ?? 0, rows);
      verdicts.add(indexed ? 'index' : scan ? 'scan' : '?');
      const pushed = ['filterPushdown', 'sortPushdown', 'limitPushdown']
        .filter((k) => explained[k] === true)
        .map((k) => k.replace('Pushdown', ''));
      detail.push(
        `${q.kind}: PG ${pg.join(' > ') || 'no plan'}; ~${rows ?? '?'} rows to FerretDB` +
          ` (pushed down: ${pushed.join(', ') || 'nothing'})`,
      );
    } else {
      const cursor = (explained.stages as Doc[] | undefined)?.[0]?.$cursor as Doc | undefined;
      const stats = (cursor?.executionStats ?? explained.executionStats ?? {}) as Doc;
      const collscan = nodes.some((n) => n.startsWith('COLLSCAN'));
      const sorted = nodes.some((n) => n === 'SORT' || n.startsWith('SORT '));
      verdicts.add(collscan ? 'scan' : sorted ? 'index + sort' : 'index');
      detail.push(
        `${q.kind}: ${nodes.join(' > ') || 'no plan'} (keys ${String(stats.totalKeysExamined)},` +
          ` docs ${String(stats.totalDocsExamined)}, returned ${String(stats.nReturned)})`,
      );
    }
  }
  const order = ['scan', 'index + sort', '?', 'index'];
  return {
    verdict: order.find((v) => verdicts.has(v)) ?? '?',
    detail,
    ...(maxRows !== undefined && { rows: maxRows }),
  };
}

/**
 * MongoDB's winning plan, leaf first: for an aggregate, the plan of its `$cursor` stage;
 * under the slot-based engine (MongoDB 7+), the `queryPlan` it reports beside its slots.
 */
function mongoPlanNodes(explained: Doc): string[] {
  const stages = explained.stages as Doc[] | undefined;
  const outer = (stages?.[0]?.$cursor as Doc | undefined) ?? explained;
  const planner = (outer.queryPlanner ?? {}) as Doc;
  const winning = planner.winningPlan as Doc | undefined;
  if (winning?.queryPlan)
    return explainedPlan({ queryPlanner: { winningPlan: winning.queryPlan } });
  return explainedPlan(outer);
}

// ------------------------------------------------------------------ measuring

interface Measured {
  label: string;
  query: string;
  samples: number;
  p50: number;
  p95: number;
  max: number;
  page: number;
  total?: number;
  totalCapped?: boolean;
  plan: PlanReport;
  load1: number;
}

function loadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return '?';
  }
}

// One connection, kept alive, and no client timeout: a search of the whole collection on
// FerretDB takes minutes at 1,000,000 tasks (fetch gives up after 300 s without headers).
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function getText(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    }).on('error', reject);
  });
}

async function measure(url: string, c: SearchCase): Promise<Omit<Measured, 'plan'>> {
  const qs = new URLSearchParams(c.query).toString();
  const target = `${url}/v1/api/tasks${qs ? `?${qs}` : ''}`;
  let last: { tasks: unknown[]; total?: number; total_capped?: boolean } = { tasks: [] };
  const once = async (): Promise<number> => {
    const t0 = performance.now();
    const { status, body } = await getText(target);
    const ms = performance.now() - t0;
    if (status !== 200) throw new Error(`${c.label}: HTTP ${status} ${body.slice(0, 200)}`);
    last = JSON.parse(body) as typeof last;
    return ms;
  };
  const budgetMs = opts.budget * 1000;
  const times: number[] = [];
  // A search too slow for warm-up and MIN_SAMPLES within the budget is timed as often as the
  // budget allows (once at least), from its first, cold request on: warming it up would take
  // minutes at 1,000,000 tasks and tell nothing new.
  const first = await once();
  if (first * (opts.warmup + MIN_SAMPLES) > budgetMs) {
    times.push(first);
    while (times.length < Math.floor(budgetMs / first)) times.push(await once());
  } else {
    for (let k = 1; k < opts.warmup; k++) await once();
    const started = performance.now();
    while (times.length < opts.requests) {
      times.push(await once());
      if (times.length >= MIN_SAMPLES && performance.now() - started > budgetMs) break;
    }
  }
  times.sort((x, y) => x - y);
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return {
    label: c.label,
    query: qs,
    samples: times.length,
    p50: round(percentile(times, 50)),
    p95: round(percentile(times, 95)),
    max: round(times.at(-1)!),
    page: last.tasks.length,
    ...(last.total !== undefined && { total: last.total, totalCapped: last.total_capped }),
    load1: Number(loadAverage().split(' ')[0]),
  };
}

function skipped(c: SearchCase): Omit<Measured, 'plan'> {
  const qs = new URLSearchParams(c.query).toString();
  const none = Number.NaN;
  return {
    label: c.label,
    query: qs,
    samples: 0,
    p50: none,
    p95: none,
    max: none,
    page: 0,
    load1: none,
  };
}

function printTable(rows: Measured[], ferret: boolean): void {
  const width = Math.max(...rows.map((r) => r.label.length));
  const ms = (v: number) => (Number.isNaN(v) ? '-' : v.toFixed(1)).padStart(8);
  const header = `${'search'.padEnd(width)}  ${'n'.padStart(3)}  ${'p50 ms'.padStart(8)}  ${'p95 ms'.padStart(8)}  ${'max ms'.padStart(8)}  page  ${'total'.padStart(7)}  plan${ferret ? ' (~rows to FerretDB)' : ''}`;
  console.log(header);
  console.log('-'.repeat(header.length));
  for (const r of rows) {
    const total = r.total === undefined ? '' : `${r.total}${r.totalCapped ? '+' : ''}`;
    const rows = ferret && r.plan.rows !== undefined ? ` (~${r.plan.rows})` : '';
    console.log(
      `${r.label.padEnd(width)}  ${String(r.samples).padStart(3)}  ${ms(r.p50)}  ${ms(r.p95)}  ${ms(r.max)}  ${String(r.page).padStart(4)}  ${total.padStart(7)}  ${r.plan.verdict}${rows}`,
    );
  }
}

/** `sql` on FerretDB's PostgreSQL database (as stack/ferretdb-pg-indexes.sh finds it). */
function psql(sql: string): string {
  const url =
    process.env.STACK_PG_URL ??
    `postgres://postgres@127.0.0.1:${process.env.STACK_PG_PORT ?? '54329'}/ferretdb`;
  const bin = '$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)';
  return execFileSync('bash', ['-c', `"${bin}/psql" -X -q -tA "$0" -c "$1"`, url, sql], {
    encoding: 'utf8',
  }).trim();
}

/** ANALYZE on FerretDB's PostgreSQL database, so the planner knows the seeded rows. */
function analyzePostgres(): void {
  const started = performance.now();
  psql('ANALYZE');
  log(`postgres: ANALYZE (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

/**
 * Waits (10 minutes at most) until PostgreSQL runs no query for FerretDB: a query that reads
 * the whole table goes on after its client left (a killed bench), and the center's start-up
 * check counts the tasks, which FerretDB v1 does by reading every one. Measuring beside either
 * would measure them.
 */
async function waitForQuietPostgres(): Promise<void> {
  const busy = () =>
    Number(
      psql(
        "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
      ),
    );
  const started = performance.now();
  let running = busy();
  while (running > 0 && performance.now() - started < 600_000) {
    log(`postgres: ${running} query(ies) still running for FerretDB, waiting…`);
    await new Promise((r) => setTimeout(r, 10_000));
    running = busy();
  }
  if (performance.now() - started > 1000)
    log(`postgres: quiet after ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

async function main() {
  const n = countLabel(opts.tasks);
  const mongoUri = withDatabase(requireEnv('MONGODB_URI'), `bench_search_${n}`);
  const machine = await describeMachine(mongoUri);
  const backend = stackBackend() ?? (machine.includes('FerretDB') ? 'ferretdb' : 'mongodb');
  const ferret = machine.includes('FerretDB');
  const conn = await mongoose.createConnection(mongoUri).asPromise();
  const db = conn.db!;
  let center: Awaited<ReturnType<typeof startCenter>> | undefined;
  try {
    const seeded = await seed(db);
    await createAppIndexes(mongoUri);
    if (backend === 'ferretdb-postgresql') {
      indexFerretdbPostgres(log);
      analyzePostgres();
    }
    center = await startCenter({
      MONGODB_URI: mongoUri,
      KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'),
      ...(!opts.dispatch && { DISPATCH_ENABLED: 'false' }),
    });
    // Interrupted, the center goes too: a stray one would go on reading the collection.
    const child = center.child;
    for (const signal of ['SIGINT', 'SIGTERM'] as const)
      process.once(signal, () => void stopCenter(child).finally(() => process.exit(130)));
    if (backend === 'ferretdb-postgresql') {
      // Let the center's start-up reads go first (its index check counts the tasks).
      await new Promise((r) => setTimeout(r, 3000));
      await waitForQuietPostgres();
    }
    const cases = searchCases(seeded.now, opts.tasks).filter((c) => c.label.includes(opts.only));
    const loadBefore = loadAverage();
    log(`measuring ${cases.length} searches, load average ${loadBefore}…`);
    const rows: Measured[] = [];
    for (const c of cases) {
      const plan = await explainQueries(db, await appQueries(c.query), ferret);
      if (opts['skip-over'] > 0 && (plan.rows ?? 0) > opts['skip-over']) {
        log(`  ${c.label}: not timed, ~${plan.rows} rows to FerretDB`);
        rows.push({ ...skipped(c), plan });
        continue;
      }
      const row = { ...(await measure(center.url, c)), plan };
      log(`  ${c.label}: p50 ${row.p50} ms, p95 ${row.p95} ms (${row.samples}), ${plan.verdict}`);
      rows.push(row);
    }
    const loadAfter = loadAverage();

    console.log(
      `\ntask search, first page (GET /v1/api/tasks, limit 50) at ${opts.tasks} stored tasks`,
    );
    console.log(`machine:   ${machine}; backend ${backend}`);
    console.log(`load avg:  ${loadBefore} before, ${loadAfter} after (1, 5, 15 min)`);
    console.log(
      `requests:  ${opts.requests} sequential per search after ${opts.warmup} warm-up (fewer past ${opts.budget} s), client and server on one machine\n`,
    );
    printTable(rows, ferret);
    console.log(
      `\nplans (${ferret ? 'PostgreSQL plan of the SQL FerretDB runs; FerretDB filters the rest and sorts in memory' : "MongoDB's winning plan, leaf first"}):`,
    );
    for (const r of rows) {
      console.log(`  ${r.label}`);
      for (const line of r.plan.detail) console.log(`      ${line}`);
    }
    const dir = join(ROOT, 'bench/results');
    mkdirSync(dir, { recursive: true });
    const file = join(
      dir,
      `search-${backend.replace(/[^\w.-]+/g, '_')}-${n}-${new Date().toISOString().replace(/[:]/g, '-').slice(0, 19)}.json`,
    );
    writeFileSync(
      file,
      `${JSON.stringify({ date: new Date().toISOString(), machine, backend, tasks: opts.tasks, options: opts, seed: seeded, loadBefore, loadAfter, results: rows }, null, 2)}\n`,
    );
    console.log(`\nwritten:   ${file}`);
  } finally {
    if (center) await stopCenter(center.child);
    agent.destroy();
    await conn.close();
  }
}

main().catch((err: unknown) => {
  console.error(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
