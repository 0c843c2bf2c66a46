import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { waitFor } from './stack';

const ROOT = join(__dirname, '..', '..');

export interface WorkerProcess {
  child: ChildProcess;
  /** Every line printed on stdout so far. */
  lines: () => string[];
  stderr: () => string;
  exited: Promise<number | null>;
  /** Waits until a stdout line equals `line`. */
  waitForLine: (line: string, timeoutMs?: number) => Promise<void>;
}

/** Runs test/support/worker-process.ts as a real OS process, from source (SWC on the fly). */
export function spawnWorker(spec: Record<string, unknown>): WorkerProcess {
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', join(ROOT, 'test/support/worker-process.ts')],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', WORKER_SPEC: JSON.stringify(spec) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const lines = () => stdout.split('\n').filter(Boolean);
  return {
    child,
    lines,
    stderr: () => stderr,
    exited,
    waitForLine: async (line, timeoutMs = 60_000) => {
      await waitFor(
        `worker pid ${child.pid} to print "${line}" (stderr: ${stderr.slice(-500)})`,
        () => lines().includes(line),
        { timeoutMs, intervalMs: 50 },
      );
    },
  };
}
