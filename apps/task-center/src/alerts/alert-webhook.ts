import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config';

/** The JSON body POSTed to `ALERT_WEBHOOK_URL`. `at` is unix seconds, like the API's times. */
export interface Alert {
  kind: string;
  message: string;
  details: Record<string, unknown>;
  at: number;
}

const ATTEMPTS = 4;
const FIRST_BACKOFF_MS = 500;
const TIMEOUT_MS = 5000;
/** Deliveries in flight at most; more are dropped (and logged) rather than queued forever. */
const MAX_IN_FLIGHT = 20;

/**
 * POSTs alerts to the webhook in the background: never awaited by whoever raised them,
 * retried with exponential backoff on a network error or a non-2xx answer.
 */
@Injectable()
export class AlertWebhook implements OnApplicationShutdown {
  private readonly logger = new Logger(AlertWebhook.name);
  private inFlight = 0;
  private closed = false;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  send(alert: Alert): void {
    const url = this.config.alerts.webhookUrl;
    if (!url || this.closed) return;
    if (this.inFlight >= MAX_IN_FLIGHT) {
      this.logger.warn(
        `alert webhook: ${this.inFlight} deliveries in flight; dropped ${alert.kind}`,
      );
      return;
    }
    this.inFlight++;
    void this.deliver(url, alert).finally(() => this.inFlight--);
  }

  onApplicationShutdown(): void {
    this.closed = true;
  }

  private async deliver(url: string, alert: Alert): Promise<void> {
    let last = '';
    for (let attempt = 1; attempt <= ATTEMPTS && !this.closed; attempt++) {
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(alert),
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) return;
        last = `HTTP ${res.status}`;
      } catch (err) {
        last = err instanceof Error ? err.message : String(err);
      }
      if (attempt < ATTEMPTS) {
        const delay = FIRST_BACKOFF_MS * 2 ** (attempt - 1);
        await new Promise((resolve) => setTimeout(resolve, delay).unref());
      }
    }
    this.logger.warn(
      `alert webhook: ${alert.kind} not delivered after ${ATTEMPTS} attempts (${last})`,
    );
  }
}
