import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stackEnv } from './stack';

const ROOT = join(__dirname, '..', '..');
/** The stack's state directory: stack/up.sh's STACK_DIR (a second stack beside the first has its own). */
const STACK_DIR = process.env.STACK_DIR ?? join(ROOT, '.stack');

export type StackService = 'kafka' | 'mongo';

/** The state directory of the stack this process uses. */
export function stackDir(): string {
  return STACK_DIR;
}

/** A service of this process's stack that stack/up.sh runs, and whether it runs now. */
export interface OwnedService {
  service: StackService;
  running: boolean;
}

/**
 * The services of this process's stack that stack/up.sh runs (Kafka and the MongoDB-wire
 * server at the addresses in $STACK_DIR/env, when KAFKA_BROKERS/MONGODB_URI name them), and
 * the MongoDB backend it runs. Services given from outside are not listed.
 */
export function stackState(): { owned: OwnedService[]; mongoBackend?: string } {
  const mongoBackend = readMongoBackend();
  const withBackend = mongoBackend !== undefined ? { mongoBackend } : {};
  const env = readStackEnvFile();
  if (env === undefined) return { owned: [], ...withBackend };
  let status: string;
  try {
    status = execFileSync('bash', [join(ROOT, 'stack/up.sh'), '--status'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return { owned: [], ...withBackend };
  }
  const owned: OwnedService[] = [];
  if (process.env.KAFKA_BROKERS === env.KAFKA_BROKERS) {
    owned.push({ service: 'kafka', running: status.includes('kafka=running') });
  }
  if (process.env.MONGODB_URI === env.MONGODB_URI && mongoBackend && mongoBackend !== 'external') {
    owned.push({ service: 'mongo', running: status.includes('mongo=running') });
  }
  return { owned, ...withBackend };
}

/**
 * Whether Kafka and the MongoDB-wire server are run by stack/up.sh (so a test may restart
 * them), and which MongoDB backend it runs. False for services given from outside
 * (KAFKA_BROKERS/MONGODB_URI of CI), which a test must leave alone.
 */
export function stackManaged(): { kafka: boolean; mongo: boolean; mongoBackend?: string } {
  const { owned, mongoBackend } = stackState();
  const runs = (service: StackService) => owned.some((s) => s.service === service && s.running);
  return {
    kafka: runs('kafka'),
    mongo: runs('mongo'),
    ...(mongoBackend !== undefined && { mongoBackend }),
  };
}

/** What stack/up.sh wrote to $STACK_DIR/mongo-backend: ferretdb-sqlite, ferretdb-postgresql, mongod or external. */
function readMongoBackend(): string | undefined {
  try {
    return readFileSync(join(STACK_DIR, 'mongo-backend'), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function readStackEnvFile(): Record<string, string> | undefined {
  try {
    const out: Record<string, string> = {};
    for (const line of readFileSync(join(STACK_DIR, 'env'), 'utf8').split('\n')) {
      const eq = line.indexOf('=');
      if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
    }
    return out;
  } catch {
    return undefined;
  }
}

function run(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [join(ROOT, script), ...args],
      { cwd: ROOT, env, timeout: 150_000 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${script} ${args.join(' ')} failed: ${err.message}\n${stderr}`));
        else resolve(stdout);
      },
    );
  });
}

const BACKEND_SETTING: Record<string, string> = {
  'ferretdb-sqlite': 'sqlite',
  'ferretdb-postgresql': 'postgresql',
  mongod: 'mongod',
};

/** stack/up.sh with the environment that makes it (re)start our services, not adopt the URI. */
function upEnv(mongoBackend: string | undefined): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.MONGODB_URI; // set: up.sh would treat MongoDB as external and start nothing
  delete env.KAFKA_BROKERS;
  const backend = mongoBackend && BACKEND_SETTING[mongoBackend];
  if (backend) env.STACK_MONGO_BACKEND = backend;
  return env;
}

/** `bash stack/up.sh` (idempotent); checks that it serves the same addresses as before. */
export async function stackUp(mongoBackend = readMongoBackend()): Promise<void> {
  await run('stack/up.sh', [], upEnv(mongoBackend));
  const env = readStackEnvFile();
  const { kafkaBrokers, mongoUri } = stackEnv();
  if (env?.KAFKA_BROKERS !== kafkaBrokers.join(',') || env.MONGODB_URI !== mongoUri) {
    throw new Error(
      `stack/up.sh came back with ${JSON.stringify(env)}, not ${kafkaBrokers.join(',')} / ${mongoUri}`,
    );
  }
}

/**
 * Stops one service with `bash stack/down.sh <service>` (SIGTERM, as an operator would), then
 * starts it again with `bash stack/up.sh`, which waits until it answers. If the restart fails
 * the caller's `finally` must still call stackUp(): the stack is shared and must stay up.
 */
export async function restartService(
  service: StackService,
  pauseMs: number,
): Promise<{ downAt: number; upAt: number }> {
  const backend = readMongoBackend();
  await run('stack/down.sh', [service], process.env);
  const downAt = Date.now();
  await new Promise((resolve) => setTimeout(resolve, pauseMs));
  await stackUp(backend);
  return { downAt, upAt: Date.now() };
}

/**
 * A cross-process lock on the shared stack, so that the suites of this repository that
 * restart Kafka or MongoDB do not run while a timing-sensitive dispatch suite runs in
 * another Jest worker (and the other way round). A directory under the OS temp dir, keyed by
 * the brokers; an owner whose process is gone is taken over.
 */
export async function acquireStackLock(what: string, timeoutMs = 300_000): Promise<() => void> {
  const key = createHash('sha1').update(stackEnv().kafkaBrokers.join(',')).digest('hex');
  const dir = join(tmpdir(), `task-center-e2e-stack-${key.slice(0, 12)}.lock`);
  const ownerFile = join(dir, 'owner');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(ownerFile, JSON.stringify({ pid: process.pid, what, at: Date.now() }));
      return () => rmSync(dir, { recursive: true, force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let owner: { pid: number; what: string } | undefined;
    try {
      owner = JSON.parse(readFileSync(ownerFile, 'utf8')) as { pid: number; what: string };
    } catch {
      owner = undefined;
    }
    const stale = owner ? !pidAlive(owner.pid) : Date.now() - statMtime(dir) > 10_000; // created, owner never written: crashed
    if (stale) {
      rmSync(dir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(`the stack lock ${dir} is still held by ${JSON.stringify(owner)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function statMtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return Date.now();
  }
}
