import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

export interface CenterProcess {
  child: ChildProcess;
  output: () => { stdout: string; stderr: string };
  exited: Promise<number | null>;
}

/**
 * Runs the task center as a real OS process, from source (SWC on the fly), with exactly
 * the given environment plus PATH: no settings leak in from the developer's shell. `args`
 * follow `main.ts` (e.g. `['http-targets']`: the HTTP delivery worker alone). `wrapper`
 * runs it through a command that execs it, e.g. `['ip', 'netns', 'exec', ns]` (the pid is
 * then still the center's).
 */
export function spawnCenter(
  env: Record<string, string>,
  args: string[] = [],
  wrapper: string[] = [],
): CenterProcess {
  const command = [
    ...wrapper,
    process.execPath,
    '-r',
    '@swc-node/register',
    join(ROOT, 'apps/task-center/src/main.ts'),
    ...args,
  ];
  const child = spawn(command[0]!, command.slice(1), {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => ({ stdout, stderr }), exited };
}
