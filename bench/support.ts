import { type ChildProcess, spawn } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import mongoose from 'mongoose';

export const ROOT = join(__dirname, '..');

/** `--name value` / `--flag` arguments, with defaults. */
export function args<T extends Record<string, number | boolean>>(defaults: T): T {
  const out: Record<string, number | boolean> = { ...defaults };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i]!.replace(/^--/, '');
    if (!(key in defaults))
      throw new Error(`unknown option --${key}; options: ${Object.keys(defaults).join(', ')}`);
    if (typeof defaults[key] === 'boolean') out[key] = true;
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

/** The task center as a separate process from its production bundle (npm run build). */
export async function startCenter(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(ROOT, 'dist/apps/task-center/main.js')], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
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
