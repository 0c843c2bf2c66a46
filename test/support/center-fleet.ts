import mongoose from 'mongoose';
import { ApiClient, freePort } from './api-client';
import { type CenterProcess, spawnCenter } from './spawn-center';
import { waitFor } from './stack';

export interface RunningCenter {
  label: string;
  port: number;
  api: ApiClient;
  proc: CenterProcess;
  pid: number;
}

export const isRunning = (c: RunningCenter): boolean =>
  c.proc.child.exitCode === null && c.proc.child.signalCode === null;

/**
 * Task center processes of one test file: each on its own loopback port with the same
 * environment (database, topics, dispatch settings). `cleanup` SIGKILLs whatever is left.
 */
export class CenterFleet {
  readonly started: RunningCenter[] = [];

  constructor(readonly env: Record<string, string>) {}

  /**
   * Spawns a center and waits until its /health answers 200 (it exits 1 if it cannot start).
   * `netHost`: run it inside a network namespace (`exec` prefix), serving on its `address`.
   */
  async start(
    label: string,
    extra: Record<string, string> = {},
    netHost?: { exec: string[]; address: string },
  ): Promise<RunningCenter> {
    const port = await freePort();
    const host = netHost?.address ?? '127.0.0.1';
    const proc = spawnCenter(
      { ...this.env, ...extra, PORT: String(port), HOST: host },
      [],
      netHost?.exec,
    );
    const center: RunningCenter = {
      label,
      port,
      api: netHost ? new ApiClient(`http://${host}:${port}`) : ApiClient.forPort(port),
      proc,
      pid: proc.child.pid ?? -1,
    };
    this.started.push(center);
    await waitFor(
      `center ${label} (pid ${center.pid}) to serve /health`,
      async () => {
        if (!isRunning(center)) {
          throw new Error(
            `center ${label} exited with ${proc.child.exitCode ?? proc.child.signalCode}: ${proc.output().stderr.slice(-2000)}`,
          );
        }
        return center.api.healthy();
      },
      { timeoutMs: 45_000, intervalMs: 200 },
    ).catch((err: unknown) => {
      // waitFor swallows probe errors until the deadline: surface an early exit as it is.
      if (!isRunning(center)) {
        throw new Error(
          `center ${label} exited with ${proc.child.exitCode ?? proc.child.signalCode} during startup:\n${proc.output().stderr.slice(-2000)}`,
        );
      }
      throw err;
    });
    return center;
  }

  /** Sends `signal` and waits for the exit; returns the exit code and how long it took. */
  async stop(
    center: RunningCenter,
    signal: NodeJS.Signals,
    timeoutMs = 30_000,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
    const t0 = Date.now();
    if (isRunning(center)) center.proc.child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      center.proc.exited,
      new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]).finally(() => clearTimeout(timer));
    return {
      code: center.proc.child.exitCode,
      signal: center.proc.child.signalCode,
      ms: Date.now() - t0,
    };
  }

  /**
   * Every center's warnings and errors (Nest logs warnings to stdout, errors to stderr), less
   * kafkajs' partitioner notice, for the log of a test that fails.
   */
  problemLogs(chars = 4000): string {
    return this.started
      .map((c) => {
        const { stdout, stderr } = c.proc.output();
        const lines = `${stdout}\n${stderr}`
          .split('\n')
          .filter((l) => /\b(WARN|ERROR|FATAL)\b|^task-center:/.test(l))
          .filter((l) => !l.includes('switched default partitioner'))
          .join('\n');
        return lines ? `--- ${c.label} (pid ${c.pid}):\n${lines.slice(-chars)}` : '';
      })
      .filter(Boolean)
      .join('\n');
  }

  /** Every center's stdout lines that match `pattern` (its log, at LOG_LEVEL=log or finer). */
  stdoutLines(pattern: RegExp): string {
    return this.started
      .map(
        (c) =>
          `--- ${c.label} (pid ${c.pid}) log:\n${c.proc
            .output()
            .stdout.split('\n')
            .filter((line) => pattern.test(line))
            .join('\n')}`,
      )
      .join('\n');
  }

  /** SIGKILLs every center still running (also after a failed assertion) and waits for them. */
  async cleanup(): Promise<void> {
    await Promise.all(
      this.started.filter(isRunning).map(async (c) => {
        c.proc.child.kill('SIGKILL');
        await c.proc.exited;
      }),
    );
  }
}

/** Drops a test's private database (best effort). */
export async function dropDatabase(uri: string): Promise<void> {
  const conn = mongoose.createConnection(uri, { serverSelectionTimeoutMS: 10_000 });
  try {
    await conn.asPromise();
    await conn.dropDatabase();
  } catch {
    // a leftover database of a failed run must not hide the test's own result
  } finally {
    await conn.close().catch(() => undefined);
  }
}
