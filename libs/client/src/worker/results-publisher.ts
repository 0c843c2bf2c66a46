import {
  EVENT_KIND_HEADER,
  type FireOutcomeEvent,
  type WorkerEvent,
  type WorkerHeartbeatEvent,
} from '@task-center/contracts';
import { type Producer } from 'kafkajs';
import { type WorkerLogger } from './worker-logger';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The worker's only writer: outcome and heartbeat events on the results topic. */
export class ResultsPublisher {
  constructor(
    private readonly producer: Producer,
    private readonly topic: string,
    private readonly logger: WorkerLogger,
  ) {}

  /**
   * Publishes an outcome, acknowledged by every in-sync replica, retrying with backoff for as
   * long as `keepTrying()` says: its offset is committed only after this resolves, so giving
   * up (rejecting) leaves the fire to be redelivered.
   */
  async publishOutcome(event: FireOutcomeEvent, keepTrying: () => boolean): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.send(event, event.taskId);
        if (attempt > 1)
          this.logger.log(`outcome of ${event.messageId} published (attempt ${attempt})`);
        return;
      } catch (err) {
        if (!keepTrying()) throw err;
        if (attempt === 1 || attempt % 10 === 0) {
          this.logger.warn(
            `publishing the outcome of ${event.messageId} failed (attempt ${attempt}): ${String(err)}; retrying, offset not committed`,
          );
        }
        await sleep(Math.min(5000, 100 * 2 ** Math.min(attempt, 6)));
      }
    }
  }

  async publishHeartbeat(event: WorkerHeartbeatEvent): Promise<void> {
    await this.send(event, event.worker.id);
  }

  private async send(event: WorkerEvent, key: string): Promise<void> {
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: [
        { key, value: JSON.stringify(event), headers: { [EVENT_KIND_HEADER]: event.kind } },
      ],
    });
  }
}
