/**
 * What the long-running benches (soak.ts, kafka-outage.ts) sample while they run: process
 * memory from /proc, a center's own process metrics from /metrics, document counts, Kafka
 * consumer lag and the stack's memory. Linux only (/proc); elsewhere memory reads as 0.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { type Admin } from 'kafkajs';
import { type mongo } from 'mongoose';
import { stackBackend, stackProcesses } from './support';

const MB = 2 ** 20;
const execFileAsync = promisify(execFile);
const round1 = (n: number) => Math.round(n * 10) / 10;

/** Resident and proportional set size of one process, in MB (0 when it is gone). */
export function memoryOf(pid: number): { rssMb: number; pssMb: number } {
  const kb = (text: string, field: string) => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) : 0;
  };
  let rss = 0;
  let pss = 0;
  try {
    rss = kb(readFileSync(`/proc/${pid}/status`, 'utf8'), 'VmRSS');
    // Pss shares shared pages out among the processes that map them: PostgreSQL's backends
    // all map the same shared buffers, which a sum of their RSS counts once per backend.
    pss = kb(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'), 'Pss');
  } catch {
    // gone, or smaps_rollup unreadable: what was read stays
  }
  return { rssMb: round1(rss / 1024), pssMb: round1((pss || rss) / 1024) };
}

/**
 * Memory of the local stack's processes by role (ferretdb, postgres, kafka, mongod), in MB:
 * the sum of their proportional set sizes (for one process the same as its RSS, near enough).
 */
export function stackMemory(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [role, pids] of Object.entries(stackProcesses())) {
    if (pids.length === 0) continue;
    out[role] = round1(pids.reduce((sum, pid) => sum + memoryOf(pid).pssMb, 0));
  }
  return out;
}

/** A center's process metrics (prom-client's defaults), in MB. */
export interface CenterMemory {
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
}

/**
 * The heap total first: prom-client reads the heap for its three heap gauges when the total is
 * collected, so the used size asked for alone (or before it) is stale or 0.
 */
export const HEAP_METRICS = ['nodejs_heap_size_total_bytes', 'nodejs_heap_size_used_bytes'];
const PROCESS_METRICS = ['process_resident_memory_bytes', ...HEAP_METRICS];

/** Scrapes only the named metrics: the full page also counts the tasks, a collection scan. */
export async function scrapeMetrics(
  baseUrl: string,
  names: string[],
): Promise<Map<string, number>> {
  const url = new URL('/metrics', baseUrl);
  for (const name of names) url.searchParams.append('name[]', name);
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const values = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    const m = /^([a-z_]+)(?:\{[^}]*\})?\s+(\S+)$/.exec(line);
    if (m && names.includes(m[1]!)) values.set(m[1]!, (values.get(m[1]!) ?? 0) + Number(m[2]));
  }
  return values;
}

export async function centerMemory(baseUrl: string): Promise<CenterMemory> {
  const v = await scrapeMetrics(baseUrl, PROCESS_METRICS);
  const mb = (name: string) => round1((v.get(name) ?? 0) / MB);
  return {
    rssMb: mb('process_resident_memory_bytes'),
    heapUsedMb: mb('nodejs_heap_size_used_bytes'),
    heapTotalMb: mb('nodejs_heap_size_total_bytes'),
  };
}

/**
 * Documents per collection of the database, each counted exactly. On FerretDB's PostgreSQL
 * backend the tables are counted in PostgreSQL itself (`count(*)`, tens of milliseconds):
 * FerretDB v1 answers a count by reading and decoding every document, which at a soak's
 * 200,000 run events kept it busy for 10-20 s of each minute, and the run measured its own
 * probe (lateness rose minute after minute).
 */
export async function collectionCounts(db: mongo.Db): Promise<Record<string, number>> {
  if (stackBackend() === 'ferretdb-postgresql') return postgresCounts(db.databaseName);
  const names = (await db.listCollections({}, { nameOnly: true }).toArray())
    .map((c) => c.name)
    .sort();
  const out: Record<string, number> = {};
  for (const name of names) out[name] = await db.collection(name).countDocuments({});
  return out;
}

/**
 * FerretDB v1 (PostgreSQL) keeps a database as a schema and each collection as a table named in
 * the schema's `_ferretdb_database_metadata` (`{_id: collection, table}`). One psql call.
 */
async function postgresCounts(database: string): Promise<Record<string, number>> {
  const schema = `"${database.replace(/"/g, '""')}"`;
  const sql = `DO $$ DECLARE r record; n bigint; BEGIN
    FOR r IN SELECT _jsonb->>'_id' AS name, _jsonb->>'table' AS tab
             FROM ${schema}._ferretdb_database_metadata ORDER BY 1 LOOP
      EXECUTE format('SELECT count(*) FROM %I.%I', '${database.replace(/'/g, "''")}', r.tab) INTO n;
      RAISE NOTICE 'count % %', r.name, n;
    END LOOP; END $$;`;
  // The URL stack/ferretdb-pg-indexes.sh uses.
  const url =
    process.env.STACK_PG_URL ??
    `postgres://postgres@127.0.0.1:${process.env.STACK_PG_PORT ?? '54329'}/ferretdb`;
  const { stderr } = await execFileAsync('psql', ['-X', '-q', url, '-c', sql], {
    env: { ...process.env, PGCONNECT_TIMEOUT: '5' },
  });
  const out: Record<string, number> = {};
  for (const m of stderr.matchAll(/NOTICE: {2}count (\S+) (\d+)/g)) out[m[1]!] = Number(m[2]);
  return out;
}

/**
 * Messages of `topic` not yet committed by consumer group `groupId` (the sum over the
 * partitions; a partition the group never committed counts from the log start).
 */
export async function consumerLag(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [ends, committed] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId, topics: [topic] }),
  ]);
  const byPartition = new Map(
    (committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]),
  );
  let lag = 0;
  for (const p of ends) {
    const done = byPartition.get(p.partition) ?? -1;
    // The two reads are not atomic: a commit between them can pass the end read first.
    lag += Math.max(0, Number(p.high) - (done < 0 ? Number(p.low) : done));
  }
  return lag;
}

/** Runs `sample` every `everyMs` (the next one starts when the last is done), until stopped. */
export function every(everyMs: number, sample: () => Promise<void>): { stop(): Promise<void> } {
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    running = sample()
      .catch((err: unknown) => {
        process.stderr.write(`sampler: ${String(err)}\n`);
      })
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, everyMs);
      });
  };
  timer = setTimeout(tick, everyMs);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
