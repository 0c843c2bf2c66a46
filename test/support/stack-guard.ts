import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { type StackService, stackDir, stackState, stackUp } from './stack-control';

/** The log files worth reading when a service of the stack died, newest lines last. */
const LOGS: Record<StackService, string[]> = {
  kafka: ['kafka/kafka.out', 'kafka/logs/server.log'],
  mongo: ['ferretdb/ferretdb.log', 'mongo/mongod.log', 'postgres/postgres.log'],
};

/** Where the guard writes what it found; scripts/test-all.sh prints it after a lane's summary. */
const GUARD_LOG = 'guard.log';

/**
 * Runs before each integration suite (integration-setup.ts): when a service of the stack that
 * stack/up.sh runs for this suite is down (it crashed during an earlier suite, or a suite that
 * stopped it failed to start it again), says so with the last lines of its logs, on stderr and
 * in $STACK_DIR/guard.log, and starts it again, so that one crash fails the suite it happened
 * in, not every suite after it. Services given from outside are never touched.
 */
export async function guardStack(suite: string): Promise<void> {
  const { owned, mongoBackend } = stackState();
  const down = owned.filter((s) => !s.running).map((s) => s.service);
  if (down.length === 0) return;
  const report = [
    `stack guard: before ${basename(suite)}, ${down.join(' and ')} of ${stackDir()} ${down.length > 1 ? 'were' : 'was'} not running; starting ${down.length > 1 ? 'them' : 'it'} again.`,
    ...down.flatMap((service) => logTails(service)),
    ...kernelLines(),
  ].join('\n');
  process.stderr.write(`${report}\n`);
  appendFileSync(join(stackDir(), GUARD_LOG), `${new Date().toISOString()} ${report}\n`);
  await stackUp(mongoBackend);
}

/** What the kernel said of killed or faulting processes (the OOM killer, a SIGBUS), when readable. */
function kernelLines(): string[] {
  try {
    const lines = execFileSync('dmesg', [], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .split('\n')
      .filter((l) => /out of memory|killed process|segfault|bus error|ferretdb|java/i.test(l))
      .slice(-10);
    return lines.length ? ['--- the kernel said:', ...lines.map((l) => `    ${l}`)] : [];
  } catch {
    return [];
  }
}

function logTails(service: StackService, lines = 25): string[] {
  return LOGS[service]
    .map((file) => join(stackDir(), file))
    .filter((path) => existsSync(path))
    .map((path) => {
      const tail = readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines);
      return [`--- last ${tail.length} lines of ${path}:`, ...tail.map((l) => `    ${l}`)].join(
        '\n',
      );
    });
}
