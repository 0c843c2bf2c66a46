import { type ConditionLog } from './condition-log';

export interface SingleFlightOptions {
  /** Logs the work's failures once per outage under this condition name (and the recovery). */
  conditions?: ConditionLog;
  condition?: string;
  /** Called with every failure, after it is logged (e.g. to count it or pause). */
  onError?: (err: unknown) => void;
}

/**
 * Background work of which at most one run is under way: a call while one runs joins it
 * instead of starting a second (a periodic tick that outlasts its period, a poll that the
 * publish path also asks for). Failures never reject: they are logged and reported.
 */
export class SingleFlight {
  private running: Promise<void> | undefined;

  constructor(
    private readonly work: () => Promise<void>,
    private readonly options: SingleFlightOptions = {},
  ) {}

  /** Starts the work unless it is running; resolves when the run under way ends. */
  run(): Promise<void> {
    this.running ??= this.once().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Resolves when the run under way (if any) ends; starts nothing. */
  settled(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  private async once(): Promise<void> {
    const { conditions, condition, onError } = this.options;
    try {
      await this.work();
      if (conditions && condition) conditions.ok(condition);
    } catch (err) {
      if (conditions && condition) conditions.fail(condition, err);
      onError?.(err);
    }
  }
}
