import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { ROOT } from '../support';
import { childPids, type FireHook, type Peer, type PeerMemory, rssMiB } from './peer';

/** The peers that run in a child process (bench/peers/peer-process.ts builds them). */
export type ChildPeerKind = 'agenda' | 'bullmq';

/** Calls the bench makes on the peer in the child, with their arguments. */
export type PeerCall =
  | { call: 'setup'; args: [] }
  | { call: 'createRepeating'; args: Parameters<Peer['createRepeating']> }
  | { call: 'removeRepeating'; args: Parameters<Peer['removeRepeating']> }
  | { call: 'createOneShots'; args: Parameters<Peer['createOneShots']> }
  | { call: 'storeIdle'; args: Parameters<Peer['storeIdle']> }
  | { call: 'teardown'; args: [] };

/**
 * What the child sends: that it listens (once, first: IPC messages sent before the child has
 * a listener are dropped), the answer to call `id`, or handler starts ([key, scheduledAt,
 * startedAt]).
 */
export type PeerMessage =
  | { ready: true }
  | { id: number; result?: unknown; error?: string }
  | { fires: [string, number, number][] };

/** The child's entry, bundled once per bench process (plain node, no TypeScript loader). */
let entry: string | undefined;

/**
 * Bundles bench/peers/peer-process.ts with esbuild into dist/bench/ (packages stay external),
 * so the peer runs on plain `node` like our production bundle: an on-the-fly TypeScript
 * loader in the child would add its own memory to the peer's RSS.
 */
function childEntry(): string {
  if (entry) return entry;
  const outfile = join(ROOT, 'dist/bench/peer-process.js');
  buildSync({
    entryPoints: [join(ROOT, 'bench/peers/peer-process.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  entry = outfile;
  return outfile;
}

export interface ChildPeerOptions {
  kind: ChildPeerKind;
  /** Constructor arguments of the peer in the child. */
  args: string[];
  /** Backend memory; default: the processes the child started (e.g. its redis-server). */
  backendMiB?: () => number;
}

/**
 * A peer whose scheduler and handlers run in their own node process, so that its RSS is the
 * peer's and not the bench's. Calls go over IPC; the child reports handler starts in batches
 * (every 20 ms) with the times it took itself, so batching does not touch the lateness.
 */
export class ChildPeer implements Peer {
  readonly name: string;
  readonly backend: string;
  readonly settings: string[];
  private child: ChildProcess | undefined;
  private readonly pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void }
  >();
  private nextId = 1;

  /** `describe` is an instance of the same peer in this process, for its name and settings only. */
  constructor(
    describe: Pick<Peer, 'name' | 'backend' | 'settings'>,
    private readonly opts: ChildPeerOptions,
  ) {
    this.name = describe.name;
    this.backend = describe.backend;
    this.settings = [
      ...describe.settings,
      'scheduler and handler in their own node process (the bench forks it; handler starts are reported over IPC)',
    ];
  }

  async setup(onFire: FireHook): Promise<void> {
    const child = fork(childEntry(), [this.opts.kind, JSON.stringify(this.opts.args)], {
      execArgv: [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child = child;
    let ready: () => void = () => undefined;
    const listening = new Promise<void>((resolve) => (ready = resolve));
    child.on('message', (message: PeerMessage) => {
      if ('ready' in message) return ready();
      if ('fires' in message) {
        for (const [key, scheduledAt, startedAt] of message.fires)
          onFire(key, scheduledAt, startedAt);
        return;
      }
      const call = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error !== undefined) call?.reject(new Error(message.error));
      else call?.resolve(message.result);
    });
    child.on('exit', (code, signal) => {
      const error = new Error(`${this.name} process exited (${code ?? signal})`);
      for (const call of this.pending.values()) call.reject(error);
      this.pending.clear();
      ready();
    });
    await listening;
    await this.call({ call: 'setup', args: [] });
  }

  async createRepeating(...args: Parameters<Peer['createRepeating']>): Promise<void> {
    await this.call({ call: 'createRepeating', args });
  }

  async removeRepeating(...args: Parameters<Peer['removeRepeating']>): Promise<void> {
    await this.call({ call: 'removeRepeating', args });
  }

  async createOneShots(...args: Parameters<Peer['createOneShots']>): Promise<void> {
    await this.call({ call: 'createOneShots', args });
  }

  async storeIdle(total: number): Promise<number> {
    return (await this.call({ call: 'storeIdle', args: [total] })) as number;
  }

  memory(): PeerMemory {
    const pid = this.child?.pid ?? 0;
    return {
      schedulerMiB: rssMiB([pid]),
      backendMiB: this.opts.backendMiB?.() ?? rssMiB(childPids(pid)),
    };
  }

  /** Asks the child to stop cleanly for up to 60 s, then kills it (a collapsed peer may not answer). */
  async teardown(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const timeout = new Promise((resolve) => setTimeout(resolve, 60_000).unref());
    try {
      await Promise.race([this.call({ call: 'teardown', args: [] }), timeout]);
    } finally {
      child.disconnect();
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
  }

  private call(request: PeerCall): Promise<unknown> {
    const child = this.child;
    if (!child?.connected) return Promise.reject(new Error(`${this.name} process is not running`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      child.send({ id, ...request });
    });
  }
}
