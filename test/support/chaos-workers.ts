import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { type HandlerRecord, parseRecords } from './chaos-checks';
import { waitFor } from './stack';

const ROOT = join(__dirname, '..', '..');

export interface ChaosWorkerSpec {
  brokers: string[];
  groupId: string;
  topic: string;
  resultsTopic: string;
  recordFile: string;
  minMs: number;
  maxMs: number;
}

/** test/support/chaos-worker.ts as a real OS process (the real SDK), with its record file. */
export class ChaosWorker {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  private out = '';
  private readonly parsed: HandlerRecord[] = [];
  private readonly open = new Set<string>();
  private offset = 0;
  private partial = '';

  constructor(
    readonly label: string,
    readonly spec: ChaosWorkerSpec,
  ) {
    this.child = spawn(
      process.execPath,
      ['-r', '@swc-node/register', join(ROOT, 'test/support/chaos-worker.ts')],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          NO_COLOR: '1',
          CHAOS_WORKER_SPEC: JSON.stringify(spec),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.child.stdout?.on('data', (chunk: Buffer) => (this.out += chunk.toString()));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.out += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.on('exit', () => resolve()));
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  output(): string {
    return this.out;
  }

  async ready(timeoutMs = 60_000): Promise<void> {
    await waitFor(
      `worker ${this.label} (pid ${this.pid}) to say READY (${this.out.slice(-1000)})`,
      () => {
        if (!this.running) throw new Error(`exited: ${this.out.slice(-1000)}`);
        return this.out.includes('READY');
      },
      { timeoutMs, intervalMs: 100 },
    );
  }

  /** Every whole line of the record file so far (read on from where the last call ended). */
  records(): HandlerRecord[] {
    let fd: number;
    try {
      fd = openSync(this.spec.recordFile, 'r');
    } catch {
      return this.parsed; // not created yet
    }
    try {
      const chunk = Buffer.alloc(1 << 20);
      for (;;) {
        const n = readSync(fd, chunk, 0, chunk.length, this.offset);
        if (n === 0) break;
        this.offset += n;
        const text = this.partial + chunk.subarray(0, n).toString('utf8');
        const cut = text.lastIndexOf('\n') + 1;
        this.partial = text.slice(cut);
        for (const r of parseRecords(text.slice(0, cut))) {
          this.parsed.push(r);
          if (r.kind === 'S') this.open.add(r.messageId);
          else this.open.delete(r.messageId);
        }
      }
    } finally {
      closeSync(fd);
    }
    return this.parsed;
  }

  /** Message ids whose handler started in this process and has not ended (yet). */
  inFlight(): string[] {
    this.records();
    return [...this.open];
  }

  async kill(signal: NodeJS.Signals): Promise<void> {
    if (this.running) this.child.kill(signal);
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, 15_000))]);
    if (this.running) this.child.kill('SIGKILL');
  }
}
