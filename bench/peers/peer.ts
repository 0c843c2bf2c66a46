import { readFileSync } from 'node:fs';
import { parentOf, procPids, stackProcesses } from '../support';

/** Called by a peer's handler as its first statement: the slot it runs for and the time now. */
export type FireHook = (key: string, scheduledAt: number, startedAt: number) => void;

/** Resident memory of the processes doing the scheduling, in MiB (Linux /proc only). */
export interface PeerMemory {
  /** The process that decides when a schedule is due and runs the handlers' side. */
  schedulerMiB: number;
  /** The storage server(s) it depends on: FerretDB (+ its PostgreSQL), or Redis. */
  backendMiB: number;
  /** The message broker between scheduler and workers, when there is one (Kafka). */
  brokerMiB?: number;
}

/**
 * One scheduler under test. Schedules and one-shots are identified by `key`s the bench chooses;
 * every handler start is reported through the FireHook with the time the peer itself planned
 * for that fire (each adapter says which field that is and why it is the fair equivalent).
 */
export interface Peer {
  readonly name: string;
  /** Storage it runs on, for the table header, e.g. "FerretDB 1.24.2" or "Redis 7.0.15". */
  readonly backend: string;
  /** What was configured and why, printed with the results. */
  readonly settings: string[];
  /** Connects, starts the handler side, and calls `onFire` for every handler start. */
  setup(onFire: FireHook): Promise<void>;
  /**
   * Repeating schedules that fire every second, on whole seconds, from `firstSlot` (epoch ms)
   * until at least `lastSlot`; resolves once all are stored.
   */
  createRepeating(keys: string[], firstSlot: number, lastSlot: number): Promise<void>;
  /** Stops and deletes the repeating schedules with these keys. */
  removeRepeating(keys: string[]): Promise<void>;
  /**
   * One-shots all due at `dueAt` (epoch ms, a whole second), through the peer's own API for
   * many at once where it has one (settings say which).
   */
  createOneShots(keys: string[], dueAt: number): Promise<void>;
  /**
   * Stores idle schedules (due in about a month, never firing during the bench) until `total`
   * are stored, the fastest way that leaves them exactly as the peer's own API would; prints
   * progress. Resolves with the documents per second of this call.
   */
  storeIdle(total: number): Promise<number>;
  memory(): PeerMemory;
  teardown(): Promise<void>;
}

/** Sum of a `/proc/<pid>/<file>` kB field over the processes, in MiB; 0 for those gone. */
function procMiB(pids: number[], file: string, field: string): number {
  let kib = 0;
  for (const pid of pids) {
    try {
      const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(
        readFileSync(`/proc/${pid}/${file}`, 'utf8'),
      );
      kib += Number(match?.[1] ?? 0);
    } catch {
      // exited, or not readable
    }
  }
  return Math.round(kib / 1024);
}

/** VmRSS of the processes in MiB; 0 for processes that are gone. */
export function rssMiB(pids: number[]): number {
  return procMiB(pids, 'status', 'VmRSS');
}

/** Proportional set size (shared pages split between their users) of the processes, in MiB. */
function pssMiB(pids: number[]): number {
  return procMiB(pids, 'smaps_rollup', 'Pss');
}

/**
 * Memory of this stack's MongoDB-wire server: VmRSS of FerretDB or mongod, plus for FerretDB's
 * PostgreSQL backend the PSS of all PostgreSQL processes (postmaster, its workers and one per
 * connection: their RSS would count the shared buffers once per process).
 */
export function mongoBackendMiB(): number {
  const stack = stackProcesses();
  return rssMiB([...stack.ferretdb!, ...stack.mongod!]) + pssMiB(stack.postgres!);
}

/** Runs `fn` over `items` with at most `concurrency` calls in flight. */
export async function mapConcurrent<T>(
  items: T[],
  concurrency: number,
  fn: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/** Pids of the direct children of `pid` (e.g. the redis-server a peer process started). */
export function childPids(pid: number): number[] {
  return procPids().filter((p) => parentOf(p) === pid);
}
