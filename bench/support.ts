import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { type Agent, request } from 'node:http';
import { cpus, totalmem } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import * as hdr from 'hdr-histogram-js';
import mongoose, { Types } from 'mongoose';
import { shardOf } from '../apps/task-center/src/tasks/task-shard';
import { newTaskToDoc } from '../apps/task-center/src/repositories/task.mapper';

export const ROOT = join(__dirname, '..');

/** `--name value` / `--flag` arguments, with defaults (a string default takes the text as is). */
export function args<T extends Record<string, number | boolean | string>>(defaults: T): T {
  const out: Record<string, number | boolean | string> = { ...defaults };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i]!.replace(/^--/, '');
    if (!(key in defaults))
      throw new Error(`unknown option --${key}; options: ${Object.keys(defaults).join(', ')}`);
    if (typeof defaults[key] === 'boolean') out[key] = true;
    else if (typeof defaults[key] === 'string') out[key] = argv[++i] ?? '';
    else out[key] = Number(argv[++i]);
  }
  return out as T;
}

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(
      `${name} is not set: run benchmarks through npm run bench:* (it starts the stack)`,
    );
  return value;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export function withDatabase(uri: string, database: string): string {
  const url = new URL(uri);
  url.pathname = `/${database}`;
  return url.toString();
}

/** What the numbers were measured on, printed with every result. */
export async function describeMachine(mongoUri: string): Promise<string> {
  const conn = await mongoose.createConnection(mongoUri).asPromise();
  let backend = 'unknown';
  try {
    const info = await conn.db!.admin().command({ buildInfo: 1 });
    const ferret = (info as { ferretdbVersion?: string; ferretdbFeatures?: unknown })
      .ferretdbVersion;
    backend = ferret ? `FerretDB ${ferret}` : `MongoDB ${String(info.version)}`;
  } finally {
    await conn.close();
  }
  const cpu = cpus();
  return `${cpu.length} cores (${cpu[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, ${backend}`;
}

/** DISPATCH_* settings in the bench's own environment, passed on to the centers it starts. */
export function dispatchSettings(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env))
    if (name.startsWith('DISPATCH_') && value !== undefined) out[name] = value;
  return out;
}

/** The task center as a separate process from its production bundle (npm run build). */
/** The database name of a MongoDB URI, as a namespace (bench databases are unique). */
function namespaceOf(uri: string | undefined): string {
  const name = uri ? new URL(uri).pathname.slice(1) : '';
  return name === '' ? `bench-${Date.now()}` : name.replace(/[^a-zA-Z0-9._-]/g, '-');
}

export async function startCenter(
  env: Record<string, string>,
  /** 'pipe': the caller reads the center's log lines from `child.stdout`. */
  output: 'inherit' | 'pipe' = 'inherit',
): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  // e.g. BENCH_CENTER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the center.
  const nodeArgs = (process.env.BENCH_CENTER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const main = join(ROOT, 'dist/apps/task-center/main.js');
  const child = spawn(process.execPath, [...nodeArgs, main], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      // BENCH_CENTER_LOG_LEVEL=log shows the center's lease and dispatch lines during a run.
      LOG_LEVEL: process.env.BENCH_CENTER_LOG_LEVEL ?? 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      ...dispatchSettings(),
      // Its own consumer groups: a bench's center never joins (or is refused by) the groups
      // of a dev center or another bench on the same Kafka.
      TASK_CENTER_NAMESPACE: namespaceOf(env.MONGODB_URI),
      ...env,
    },
    stdio: ['ignore', output, 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`task center exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/health`)).ok) return { child, url };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('task center did not become healthy within 60 s');
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function stopCenter(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

export async function dropDatabase(uri: string): Promise<void> {
  const conn = await mongoose.createConnection(uri).asPromise();
  await conn.dropDatabase();
  await conn.close();
}

// ------------------------------------------------------------------ used by bench/dispatch.ts

/** POST a JSON body; resolves with the status and the parsed JSON answer (undefined if none). */
export function postJson(
  agent: Agent,
  url: string,
  body: unknown,
): Promise<{ status: number; json: unknown }> {
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = raw ? JSON.parse(raw) : undefined;
          } catch {
            json = raw;
          }
          resolve({ status: res.statusCode ?? 0, json });
        });
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

/** Runs `fn(0..count-1)` with at most `concurrency` calls in flight; resolves with the seconds taken. */
export async function forEachConcurrent(
  count: number,
  concurrency: number,
  fn: (i: number) => Promise<void>,
): Promise<number> {
  let next = 0;
  const worker = async () => {
    while (next < count) await fn(next++);
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return (performance.now() - started) / 1000;
}

/** The local stack's MongoDB-wire backend (stack/up.sh records it), or undefined. */
export function stackBackend(): string | undefined {
  const fromEnv = process.env.STACK_MONGO_BACKEND;
  try {
    return readFileSync(join(ROOT, '.stack/mongo-backend'), 'utf8').trim() || fromEnv;
  } catch {
    return fromEnv;
  }
}

/** A document without its undefined fields (what the app's repository inserts). */
export function stripUndefined<T extends object>(doc: T): T {
  return Object.fromEntries(Object.entries(doc).filter(([, v]) => v !== undefined)) as T;
}

const CLOCK_TICKS_PER_S = 100;

function cpuTicksOf(pid: number): number {
  try {
    // Fields after the ")" of the command name: state is field 3, utime 14, stime 15.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

function cmdlineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** Every pid in /proc (Linux only; empty elsewhere). */
export function procPids(): number[] {
  try {
    return readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map(Number);
  } catch {
    return [];
  }
}

/** Processes of the local stack by role, found in /proc (Linux only; empty elsewhere). */
export function stackProcesses(): Record<string, number[]> {
  const roles: Record<string, number[]> = { ferretdb: [], postgres: [], mongod: [], kafka: [] };
  const pids = procPids();
  // Only this checkout's stack (its state lives in <root>/.stack): another engineer's stack on
  // the same machine is not ours to measure.
  const own = `${ROOT}/.stack/`;
  const postmasters = new Set<number>();
  const children: { pid: number; parent: number }[] = [];
  for (const pid of pids) {
    const cmd = cmdlineOf(pid);
    const exe = cmd.split(' ')[0] ?? '';
    if (/(^|\/)ferretdb/.test(exe) && cmd.includes(own)) roles.ferretdb!.push(pid);
    else if (/(^|\/)postgres(\s|$)/.test(cmd) && cmd.includes(own)) {
      postmasters.add(pid);
      roles.postgres!.push(pid);
    } else if (/^postgres:/.test(cmd)) children.push({ pid, parent: parentOf(pid) });
    else if (/(^|\/)mongod\s/.test(cmd) && cmd.includes(own)) roles.mongod!.push(pid);
    else if (cmd.includes('kafka.Kafka') && cmd.includes(own)) roles.kafka!.push(pid);
  }
  for (const { pid, parent } of children) if (postmasters.has(parent)) roles.postgres!.push(pid);
  return roles;
}

/** The parent pid of a process (Linux /proc); 0 when it is gone. */
export function parentOf(pid: number): number {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces, so split after ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return 0;
  }
}

/**
 * CPU use per role between `start()` and `stop()`, in % of one core (like top). Roles are
 * lists of pids, summed; `self` is this process. Processes that come and go are counted
 * while they are seen at both ends.
 */
export function cpuMeter(roles: Record<string, number[]>) {
  let t0 = 0;
  let before = new Map<number, number>();
  let self0 = process.cpuUsage();
  const all = () => [...new Set(Object.values(roles).flat())];
  return {
    start() {
      t0 = performance.now();
      before = new Map(all().map((pid) => [pid, cpuTicksOf(pid)]));
      self0 = process.cpuUsage();
    },
    stop(): Record<string, number> {
      const seconds = (performance.now() - t0) / 1000;
      const out: Record<string, number> = {};
      for (const [role, pids] of Object.entries(roles)) {
        if (pids.length === 0) continue;
        const ticks = pids.reduce(
          (sum, pid) => sum + Math.max(0, cpuTicksOf(pid) - (before.get(pid) ?? 0)),
          0,
        );
        out[role] = Math.round((ticks / CLOCK_TICKS_PER_S / seconds) * 100);
      }
      const self = process.cpuUsage(self0);
      out.bench = Math.round(((self.user + self.system) / 1e6 / seconds) * 100);
      return out;
    },
  };
}

/**
 * On FerretDB's PostgreSQL backend, adds the GIN indexes without which every lookup is a
 * sequential scan (stack/ferretdb-pg-indexes.sql). Call it once the task center has created
 * its collections. Does nothing on other backends.
 */
export function indexFerretdbPostgres(log: (line: string) => void): void {
  if (stackBackend() !== 'ferretdb-postgresql') return;
  const out = execFileSync('bash', [join(ROOT, 'stack/ferretdb-pg-indexes.sh')], {
    encoding: 'utf8',
  });
  log(out.trim());
}

// ------------------------------------------------------------------ stored idle schedules (scale steps)

const DAY_MS = 86_400_000;

/** 1000 -> "1k", 1000000 -> "1M". */
export function countLabel(n: number): string {
  return n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n);
}

/**
 * Inserts documents `from..to-1`, made by `make(i)`, `batch` at a time through `insert`,
 * printing a progress line (count, rate, time left) every `every` documents; resolves with
 * the documents per second.
 */
export async function insertInBatches<T>(options: {
  label: string;
  from: number;
  to: number;
  batch: number;
  make: (i: number) => T;
  insert: (docs: T[]) => Promise<unknown>;
  log: (line: string) => void;
  every?: number;
}): Promise<number> {
  const { label, from, to, batch, make, insert, log } = options;
  const every = options.every ?? 50_000;
  const started = performance.now();
  let nextProgress = Math.ceil((from + 1) / every) * every;
  for (let i = from; i < to;) {
    const docs: T[] = [];
    for (const end = Math.min(to, i + batch); i < end; i++) docs.push(make(i));
    await insert(docs);
    if (i >= nextProgress || i === to) {
      const rate = (i - from) / ((performance.now() - started) / 1000);
      const left = i === to ? '' : `, ~${Math.ceil((to - i) / rate / 60)} min left`;
      log(`  ${label}: ${i}/${to} (${rate.toFixed(0)}/s${left})`);
      while (nextProgress <= i) nextProgress += every;
    }
  }
  return (to - from) / ((performance.now() - started) / 1000);
}

/**
 * Task number `i` of a scale step: a one-shot due in 30-31 days, as the app's repository
 * stores it (`newTaskToDoc`), with its `_id`; `now` is the same for the whole insert.
 */
export function idleTaskDoc(i: number, now: number, shards: number, prefix: string) {
  const _id = new Types.ObjectId();
  const id = _id.toHexString();
  const dueSec = Math.floor((now + 30 * DAY_MS + ((i * 7919) % DAY_MS)) / 1000);
  const doc = newTaskToDoc(id, shardOf(id, shards), {
    name: `${prefix}.idle.${i % 100}`,
    type: 1,
    data: JSON.stringify({ i, pad: 'x'.repeat(64) }),
    ack: false,
    timezone: 'UTC',
    misfire: 'fire_once',
    startTime: dueSec,
    status: 'active',
    nextRunAt: dueSec * 1000,
    createdAt: now,
  });
  return stripUndefined({ _id, ...doc });
}

/** A latency histogram in ms: 1 ms to 1 h, 3 significant digits (every lateness in the benches). */
export function latencyHistogram(): hdr.Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000,
    numberOfSignificantValueDigits: 3,
  });
}
