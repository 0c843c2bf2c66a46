import {
  EVENT_KIND_HEADER,
  type FireOutcomeEvent,
  type WorkerEvent,
  type WorkerHeartbeatEvent,
} from '@task-center/contracts';
import { type Message, type Producer } from 'kafkajs';
import { type WorkerLogger } from './worker-logger';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Most events in one produce request. */
const MAX_EVENTS_PER_REQUEST = 500;

interface Pending {
  message: Message;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Sends messages to one topic one request at a time: whatever arrives while a request is in
 * flight goes out together in the next one. No linger: a lone message leaves at once, and a
 * burst of outcomes (one per handler run) costs a few requests instead of one each. Each
 * caller's promise settles with the request that carried its message; order is kept.
 */
export class CoalescingSender {
  private readonly queue: Pending[] = [];
  private sending = false;

  constructor(
    private readonly producer: Pick<Producer, 'send'>,
    private readonly topic: string,
    private readonly maxPerRequest = MAX_EVENTS_PER_REQUEST,
  ) {}

  send(message: Message): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ message, resolve, reject });
      if (!this.sending) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.sending = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxPerRequest);
        try {
          await this.producer.send({
            topic: this.topic,
            acks: -1,
            messages: batch.map((p) => p.message),
          });
          for (const p of batch) p.resolve();
        } catch (err) {
          for (const p of batch) p.reject(err);
        }
      }
    } finally {
      this.sending = false;
    }
  }
}

/**
 * The worker's only writer: outcome and heartbeat events on the results topic. Outcomes (one
 * per run) are coalesced; a heartbeat (one every few seconds) goes on its own request, so a
 * slow or failing one never holds outcomes back.
 */
export class ResultsPublisher {
  private readonly outcomes: CoalescingSender;

  constructor(
    private readonly producer: Producer,
    private readonly topic: string,
    private readonly logger: WorkerLogger,
  ) {
    this.outcomes = new CoalescingSender(producer, topic);
  }

  /**
   * Publishes an outcome, acknowledged by every in-sync replica, retrying with backoff for as
   * long as `keepTrying()` says: its offset is committed only after this resolves, so giving
   * up (rejecting) leaves the fire to be redelivered.
   */
  async publishOutcome(event: FireOutcomeEvent, keepTrying: () => boolean): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.outcomes.send(message(event, event.taskId));
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
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: [message(event, event.worker.id)],
    });
  }
}

function message(event: WorkerEvent, key: string): Message {
  return { key, value: JSON.stringify(event), headers: { [EVENT_KIND_HEADER]: event.kind } };
}
