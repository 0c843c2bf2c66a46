import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { stackEnv, uniqueName, waitFor } from './stack';

const ROOT = join(__dirname, '..', '..');

/** One handler call as test/support/runs-worker.ts prints it. */
export interface HandlerCall {
  tag: string;
  messageId: string;
  attempt: number;
  at: number;
}

export interface RunsWorkerProcess {
  child: ChildProcess;
  calls: (tag: string) => HandlerCall[];
  output: () => string;
  waitForCalls: (tag: string, count: number, timeoutMs?: number) => Promise<HandlerCall[]>;
  stop: () => Promise<void>;
}

/** Runs test/support/runs-worker.ts (the real SDK) as its own OS process. */
export function spawnRunsWorker(spec: Record<string, unknown>): RunsWorkerProcess {
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', join(ROOT, 'test/support/runs-worker.ts')],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', RUNS_WORKER_SPEC: JSON.stringify(spec) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const calls = (tag: string): HandlerCall[] =>
    out
      .split('\n')
      .map((l) => l.split(' '))
      .filter((p) => p[0] === 'CALL' && p[1] === tag)
      .map((p) => ({ tag, messageId: p[2]!, attempt: Number(p[3]), at: Number(p[4]) }));
  return {
    child,
    calls,
    output: () => out,
    waitForCalls: (tag, count, timeoutMs = 60_000) =>
      waitFor(
        `${count} calls of ${tag} (worker output: ${out.slice(-1500)})`,
        () => calls(tag).length >= count && calls(tag),
        { timeoutMs, intervalMs: 100 },
      ),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/**
 * A runs worker on the center's topics (its own consumer group), once it said READY; stopped
 * again if it does not get there.
 */
export async function spawnReadyWorker(
  topics: { tasks: string; results: string },
  succeedFrom: Record<string, number>,
  groupPrefix: string,
): Promise<RunsWorkerProcess> {
  const worker = spawnRunsWorker({
    brokers: stackEnv().kafkaBrokers,
    groupId: uniqueName(groupPrefix),
    topic: topics.tasks,
    resultsTopic: topics.results,
    succeedFrom,
  });
  try {
    await waitFor(
      `the worker to start (${worker.output()})`,
      () => worker.output().includes('READY'),
      { timeoutMs: 60_000 },
    );
  } catch (err) {
    await worker.stop();
    throw err;
  }
  return worker;
}
