import { type TaskWorker } from '@task-center/client';

/**
 * The lifecycle of an SDK worker run as its own process by a test or a bench: prints `READY`
 * once it has joined its group, exits 1 with one line if it cannot start, and on SIGTERM stops
 * gracefully, runs `onStopped` and exits 0. `evenIfStopFails` runs `onStopped` and exits 0 also
 * when the stop fails (a bench that must flush what it recorded).
 */
export function runWorkerProcess(
  worker: TaskWorker,
  options: { name?: string; onStopped?: () => void; evenIfStopFails?: boolean } = {},
): void {
  const { name = 'worker', onStopped = () => undefined, evenIfStopFails = false } = options;
  const stopped = () => {
    onStopped();
    process.exit(0);
  };
  process.once('SIGTERM', () => {
    const stop = worker.stop();
    void (evenIfStopFails ? stop.finally(stopped) : stop.then(stopped));
  });
  worker.start().then(
    () => process.stdout.write('READY\n'),
    (err: unknown) => {
      process.stderr.write(`${name} failed to start: ${String(err)}\n`);
      process.exit(1);
    },
  );
}
