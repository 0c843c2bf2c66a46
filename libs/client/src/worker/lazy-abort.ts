/** What a handler run needs of an AbortController. */
export interface Abortable {
  readonly signal: AbortSignal;
  abort(reason?: unknown): void;
}

/**
 * An AbortController made only when someone reads the signal. Most handlers never do, and
 * making one per fire (an EventTarget each) cost more than the rest of a fire's bookkeeping in
 * a burst. Read after `abort`, the signal is already aborted, with the same reason.
 */
export class LazyAbort implements Abortable {
  private controller: AbortController | undefined;
  private aborted: { reason: unknown } | undefined;

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.aborted.reason);
    }
    return this.controller.signal;
  }

  /** Whether the signal has been read (and so a controller exists). */
  get made(): boolean {
    return this.controller !== undefined;
  }

  abort(reason?: unknown): void {
    if (this.aborted) return;
    this.aborted = { reason };
    this.controller?.abort(reason);
  }
}
