/**
 * The dashboard's weight and load time: `npm run bench:dashboard -- [--tasks 100000] [--loads 5]`.
 *
 * 1. Builds the dashboard (Vite, production) into a temporary folder and reports every asset's
 *    size, raw and gzipped (level 9), against the budget of 150 kB of gzipped JavaScript.
 * 2. Seeds `--tasks` tasks as the app stores them (bench/search-data.ts: a mix of types and
 *    statuses, 20,000 names) into the database bench_dashboard_<n> (reused when already seeded),
 *    starts the task center from its production bundle serving that build, and waits for its
 *    first fleet snapshot (the overview's task counts).
 * 3. Loads pages cold (a new browser context each time: empty cache) in Debian's Chromium,
 *    `--loads` times each: the Overview until it shows the task total, and the Tasks list until
 *    its first row, filtered by a name (index-backed) and unfiltered (`--tasks-loads` times: on
 *    FerretDB it reads the whole collection). Reports the median and the worst, with the server's answer time of the API
 *    call behind each page, and writes bench/results/dashboard-<backend>-<n>-<date>.json.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import mongoose from 'mongoose';
import { buildDashboard, launchBrowser } from '../test/support/browser';
import { nameOf, percentile, seedTaskDoc } from './search-data';
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

const opts = args({ tasks: 100_000, loads: 5, 'tasks-loads': 3, quick: false });
if (opts.quick) opts.tasks = Math.min(opts.tasks, 10_000);
const BUDGET_JS_GZ = 150 * 1024;
const SHARDS = 16;
const log = (line: string) => process.stderr.write(`${line}\n`);

function assetSizes(dir: string) {
  const files: { file: string; bytes: number; gzip: number }[] = [];
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      if (statSync(path).isDirectory()) walk(path);
      else {
        const body = readFileSync(path);
        files.push({
          file: path.slice(dir.length + 1),
          bytes: body.length,
          gzip: gzipSync(body, { level: 9 }).length,
        });
      }
    }
  };
  walk(dir);
  const js = files.filter((f) => f.file.endsWith('.js')).reduce((a, f) => a + f.gzip, 0);
  return { files, jsGzip: js };
}

async function seed(uri: string): Promise<void> {
  const conn = await mongoose.createConnection(uri).asPromise();
  try {
    const tasks = conn.collection('tasks');
    const meta = conn.collection('bench_meta');
    const seeded = await meta.findOne({ _id: 'seed' as unknown as mongoose.Types.ObjectId });
    if (seeded?.tasks === opts.tasks) {
      log(`seed: reusing ${countLabel(opts.tasks)} tasks`);
      return;
    }
    await tasks.deleteMany({});
    const now = Date.now();
    const rate = await insertInBatches({
      label: 'seed',
      from: 0,
      to: opts.tasks,
      batch: 2000,
      make: (i) => seedTaskDoc(i, opts.tasks, now, SHARDS),
      insert: (docs) => tasks.insertMany(docs, { ordered: false }),
      log,
      every: Math.max(2000, Math.round(opts.tasks / 10)),
    });
    await meta.insertOne({ _id: 'seed' as unknown as mongoose.Types.ObjectId, tasks: opts.tasks });
    log(`seed: ${opts.tasks} tasks at ${rate.toFixed(0)}/s`);
  } finally {
    await conn.close();
  }
}

async function main(): Promise<void> {
  const mongoUri = requireEnv('MONGODB_URI');
  const brokers = requireEnv('KAFKA_BROKERS');
  const machine = await describeMachine(mongoUri);
  log(
    `dashboard bench: ${countLabel(opts.tasks)} tasks, ${opts.loads} cold loads per page; ${machine}`,
  );

  const dir = await buildDashboard();
  const sizes = assetSizes(dir);
  const database = `bench_dashboard_${opts.tasks}`;
  const uri = withDatabase(mongoUri, database);
  await seed(uri);
  // FerretDB on PostgreSQL: the GIN indexes production would have (README); no-op elsewhere.
  indexFerretdbPostgres(log);

  const { child, url } = await startCenter({
    MONGODB_URI: uri,
    KAFKA_BROKERS: brokers,
    KAFKA_TOPIC_TASKS: `${database}.tasks`,
    KAFKA_TOPIC_RESULTS: `${database}.results`,
    KAFKA_TOPIC_DEAD_LETTER: `${database}.dead-letter`,
    DISPATCH_SHARDS: String(SHARDS),
    DASHBOARD_DIR: dir,
    OVERVIEW_WRITE_S: '5',
  });
  indexFerretdbPostgres(log); // again: the collections the center creates at start-up
  const browser = await launchBrowser();
  try {
    log('waiting for the first fleet snapshot (the task counts)…');
    let total = 0;
    const waitStarted = Date.now();
    for (const deadline = Date.now() + 1_800_000; ;) {
      const o = (await (await fetch(`${url}/v1/api/overview`)).json()) as {
        tasks: { total: number } | null;
      };
      if (o.tasks) {
        total = o.tasks.total;
        log(
          `first snapshot after ${((Date.now() - waitStarted) / 1000).toFixed(0)} s: ${total} tasks`,
        );
        break;
      }
      if (Date.now() > deadline) throw new Error('no fleet snapshot within 30 minutes');
      await new Promise((r) => setTimeout(r, 1000));
    }
    const digits = String(total);

    const measure = async (
      hash: string,
      api: string,
      ready: (page: import('playwright-core').Page) => Promise<unknown>,
      times = opts.loads,
    ) => {
      const loads: { shownMs: number; apiMs: number; loadEventMs: number }[] = [];
      for (let i = 0; i < times; i++) {
        const context = await browser.newContext();
        const page = await context.newPage();
        let apiMs = NaN;
        page.on('requestfinished', (req) => {
          if (req.url().includes(api)) {
            const t = req.timing();
            apiMs = t.responseEnd - t.requestStart;
          }
        });
        const t0 = Date.now();
        await page.goto(`${url}/dashboard/${hash}`);
        await ready(page);
        const shownMs = Date.now() - t0;
        // Functions, not strings: the page's CSP forbids eval, which string predicates use.
        const loadEventMs = await page.evaluate(
          // Runs in the page (a browser's Performance); typed loosely for Node's compiler.
          () =>
            (
              performance as unknown as {
                getEntriesByType: (type: string) => { loadEventEnd: number }[];
              }
            ).getEntriesByType('navigation')[0]!.loadEventEnd,
        );
        loads.push({ shownMs, apiMs, loadEventMs });
        log(
          `  ${hash}: load ${i + 1}/${times} shown after ${shownMs} ms (API ${apiMs.toFixed(0)} ms)`,
        );
        await context.close();
      }
      const shown = loads.map((l) => l.shownMs).sort((a, b) => a - b);
      const apis = loads.map((l) => l.apiMs).sort((a, b) => a - b);
      const events = loads.map((l) => l.loadEventMs).sort((a, b) => a - b);
      return {
        shown_p50_ms: percentile(shown, 50),
        shown_max_ms: shown.at(-1) ?? NaN,
        api_p50_ms: percentile(apis, 50),
        load_event_p50_ms: percentile(events, 50),
        loads,
      };
    };
    // The total as the page writes it (an element of its own): digit groups, any separator.
    const groups = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ' ').split(' ');
    const totalShown = new RegExp(`^\\s*${groups.join('[,.\\s\u202f\u00a0]?')}\\s*$`);
    const overview = await measure('#/', '/v1/api/overview', (page) =>
      page.getByText(totalShown).first().waitFor({ timeout: 60_000 }),
    );
    const firstRow = (page: import('playwright-core').Page) =>
      page.waitForSelector('main table tbody tr', { timeout: 900_000 });
    // By name: index-backed everywhere. Unfiltered: on FerretDB a read of the whole collection.
    const byName = await measure(`#/tasks?name=${nameOf(0)}`, '/v1/api/tasks', firstRow);
    const tasksPage = await measure('#/tasks', '/v1/api/tasks', firstRow, opts['tasks-loads']); // 0: skipped

    const kb = (n: number) => `${(n / 1024).toFixed(1)} kB`;
    const lines = [
      `Dashboard build (${dir}):`,
      ...sizes.files.map(
        (f) => `  ${f.file.padEnd(36)} ${kb(f.bytes).padStart(9)}  gzip ${kb(f.gzip).padStart(8)}`,
      ),
      `  JavaScript gzipped: ${kb(sizes.jsGzip)} of the ${kb(BUDGET_JS_GZ)} budget${sizes.jsGzip > BUDGET_JS_GZ ? ' (OVER)' : ''}`,
      '',
      `Cold loads at ${countLabel(opts.tasks)} stored tasks (${opts.loads} each; ms from navigation):`,
      `  page       shown p50  shown max  load event p50  API p50`,
      `  overview   ${String(overview.shown_p50_ms).padStart(9)}  ${String(overview.shown_max_ms).padStart(9)}  ${String(overview.load_event_p50_ms.toFixed(0)).padStart(14)}  ${overview.api_p50_ms.toFixed(0).padStart(7)}`,
      `  tasks?name ${String(byName.shown_p50_ms).padStart(9)}  ${String(byName.shown_max_ms).padStart(9)}  ${String(byName.load_event_p50_ms.toFixed(0)).padStart(14)}  ${byName.api_p50_ms.toFixed(0).padStart(7)}`,
      `  tasks      ${String(tasksPage.shown_p50_ms).padStart(9)}  ${String(tasksPage.shown_max_ms).padStart(9)}  ${String(tasksPage.load_event_p50_ms.toFixed(0)).padStart(14)}  ${tasksPage.api_p50_ms.toFixed(0).padStart(7)}`,
      '',
      `machine: ${machine}; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
    const file = join(
      ROOT,
      'bench/results',
      `dashboard-${stackBackend() ?? 'mongo'}-${opts.tasks}-${new Date().toISOString().slice(0, 10)}.json`,
    );
    writeFileSync(
      file,
      JSON.stringify({ machine, tasks: opts.tasks, sizes, overview, byName, tasksPage }, null, 2),
    );
    log(`wrote ${file}`);
  } finally {
    await browser.close();
    await stopCenter(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:dashboard: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
