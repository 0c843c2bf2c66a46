interface Waiter {
  readonly seq: number;
  readonly grant: () => void;
}

interface HostState {
  active: number;
  readonly waiters: Waiter[];
}

/**
 * Caps concurrent requests in total and per host, so one slow or dead endpoint holds at most
 * `maxPerHost` slots and never delays other hosts. A waiter for a host at its cap does not
 * hold a global slot; when a slot frees, the longest-waiting waiter whose host has room gets
 * it; within one host waiters go first in, first out.
 */
export class HostLimiter {
  private readonly hosts = new Map<string, HostState>();
  private active = 0;
  private nextSeq = 0;

  constructor(
    private readonly maxInFlight: number,
    private readonly maxPerHost: number,
  ) {
    for (const [name, value] of [
      ['maxInFlight', maxInFlight],
      ['maxPerHost', maxPerHost],
    ] as const) {
      if (!Number.isInteger(value) || value < 1) {
        throw new RangeError(`HostLimiter ${name} must be a positive integer, got ${value}`);
      }
    }
  }

  get inFlight(): number {
    return this.active;
  }

  /** Waiters for `host`, or for all hosts. */
  queued(host?: string): number {
    if (host !== undefined) return this.hosts.get(host)?.waiters.length ?? 0;
    let total = 0;
    for (const state of this.hosts.values()) total += state.waiters.length;
    return total;
  }

  /** A slot at once when one is free and nobody waits for the host, else undefined. */
  tryAcquire(host: string): (() => void) | undefined {
    const state = this.stateOf(host);
    if (state.waiters.length === 0 && this.hasRoom(state)) return this.take(host, state);
    this.forgetIfIdle(host, state);
    return undefined;
  }

  /**
   * Resolves with a release function once a slot is held (call it exactly when the request is
   * done; extra calls do nothing). An abort while waiting rejects with the signal's reason.
   */
  acquire(host: string, signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    const state = this.stateOf(host);
    if (state.waiters.length === 0 && this.hasRoom(state)) {
      return Promise.resolve(this.take(host, state));
    }
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const index = state.waiters.indexOf(waiter);
        if (index !== -1) state.waiters.splice(index, 1);
        this.forgetIfIdle(host, state);
        reject(signal?.reason as Error);
      };
      const waiter: Waiter = {
        seq: this.nextSeq++,
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(this.take(host, state));
        },
      };
      state.waiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private stateOf(host: string): HostState {
    let state = this.hosts.get(host);
    if (!state) {
      state = { active: 0, waiters: [] };
      this.hosts.set(host, state);
    }
    return state;
  }

  private hasRoom(state: HostState): boolean {
    return this.active < this.maxInFlight && state.active < this.maxPerHost;
  }

  private take(host: string, state: HostState): () => void {
    this.active++;
    state.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      state.active--;
      this.forgetIfIdle(host, state);
      this.grantWaiting();
    };
  }

  private forgetIfIdle(host: string, state: HostState): void {
    if (state.active === 0 && state.waiters.length === 0) this.hosts.delete(host);
  }

  /** Hands free slots to the oldest heads of hosts with room. */
  private grantWaiting(): void {
    while (this.active < this.maxInFlight) {
      let oldest: HostState | undefined;
      for (const state of this.hosts.values()) {
        const head = state.waiters[0];
        if (
          head &&
          state.active < this.maxPerHost &&
          (!oldest || head.seq < oldest.waiters[0]!.seq)
        ) {
          oldest = state;
        }
      }
      if (!oldest) return;
      oldest.waiters.shift()!.grant();
    }
  }
}
