import { type ConditionLog } from '../background/condition-log';
import { type FirePublisher, type PreparedFires } from '../kafka/fire-publisher';
import { type RunTimer } from '../runs/run-records';
import { type FireMessage } from '../kafka/fire-message';
import { type Planned, planFires, type PlanSettings } from './fire-plan';
import { type Task } from '../tasks/task';
import { type LoadedTasks } from './loaded-tasks';
import { type WriteBehind } from './write-behind';

/**
 * The loop wakes this long before a due time to plan the batch, then publishes it at the due
 * time: the planning is not on the clock of the fires.
 */
export const PREPARE_MS = 50;
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5000;
/**
 * Background database work (write-behind flushes, read-ahead) does not start this close
 * before a publish: it would compete with the publish for the event loop, the database (the
 * change-log read at the due time) and the CPU. It runs right after the publish instead.
 */
const QUIET_BEFORE_MS = 50;
/** Past the due time, by when the publish in question is normally acknowledged. */
const QUIET_AFTER_MS = 15;
/** Longest wait for a publish to pass: background work is delayed, never starved. */
const MAX_QUIET_WAIT_MS = QUIET_BEFORE_MS + QUIET_AFTER_MS;
/**
 * Longest wait for a backlog (fires already due, a batch after another: a burst, or the
 * catch-up after an outage) to be published. The write-behind's bound (MAX_PENDING_WRITES)
 * still holds: when the loop waits for room, background work goes at once.
 */
const MAX_BACKLOG_WAIT_MS = 2000;
/**
 * Bytes of fires in one publish, all partitions together: each partition's share is one
 * record batch, which the broker refuses above its `message.max.bytes` (1 MiB by default), and
 * a refused batch would be planned and refused again forever. After an outage a batch of 1,000
 * `fire_all` tasks can carry 100,000 catch-up fires; it goes out in parts instead.
 */
export const MAX_BATCH_BYTES = 512 * 1024;
/** Record overhead beyond key, value and headers (lengths, offsets, timestamp), generously. */
const RECORD_OVERHEAD_BYTES = 32;

function messageBytes(m: FireMessage): number {
  let bytes = RECORD_OVERHEAD_BYTES + m.key.length + Buffer.byteLength(m.value);
  for (const name in m.headers) bytes += name.length + Buffer.byteLength(m.headers[name]!);
  return bytes;
}

/** Resolves at `at` (never before): a timer to the last millisecond, then the next turns. */
async function sleepUntil(at: number): Promise<void> {
  for (let left = at - Date.now(); left > 0; left = at - Date.now())
    await new Promise((resolve) =>
      left > 1 ? setTimeout(resolve, left - 1) : setImmediate(resolve),
    );
}

export interface PublishLoopPorts {
  memory: LoadedTasks;
  writes: WriteBehind;
  publisher: Pick<FirePublisher, 'prepare' | 'publishPrepared'>;
  /** Applies the API's changes logged so far (a deleted task must not fire after its delete). */
  pollChanges(): Promise<void>;
  /** Whether this replica may publish for the shard at `now`. */
  holds(shard: number, now: number): boolean;
  /** The shard's tasks must be read from the database again. */
  reread(shard: number): void;
  /** The `ack` deadlines of a published batch (empty for tasks without `ack`). */
  deadlinesOf(batch: Planned[]): RunTimer[];
  isRunning(): boolean;
  conditions: ConditionLog;
  onPublished?(messages: FireMessage[], now: number): void;
  onError?(err: unknown): void;
}

/**
 * Arms one timer before the earliest due task, plans each batch PREPARE_MS ahead of its due
 * time (messages encoded, advances computed), publishes it at the due time in one request
 * and hands what was acknowledged to the write-behind. A failed publish leaves its tasks due
 * and retries with backoff, under the same message ids.
 */
export class PublishLoop {
  private timer: { handle: NodeJS.Timeout; at: number } | undefined;
  /** Due time of the batch being planned or published; Infinity when none is. */
  private publishingAt = Infinity;
  /** Backoff after a Kafka failure: no publish attempt before `until`. */
  private readonly retry = { delayMs: 0, until: 0 };
  private draining: Promise<void> | undefined;
  private drainAgain = false;
  /** The first failed publish since the last one that worked. */
  private failedSince: number | undefined;
  /** Start of the publish waiting for Kafka's answer, if one is. */
  private sendingSince: number | undefined;
  /** Writes the drain waits for (see `needs`): while any, background work is not held. */
  private writesNeeded = 0;
  /** Wakes the `quiet` calls waiting for a backlog to pass. */
  private readonly quietWaiters = new Set<() => void>();

  constructor(
    private readonly ports: PublishLoopPorts,
    private readonly settings: PlanSettings & { maxBatch: number },
  ) {}

  /**
   * Resolves once no publish is due within QUIET_BEFORE_MS nor under way, waiting at most
   * MAX_QUIET_WAIT_MS: background database work started then would compete with the publish
   * for the CPU, the event loop and the database (the change-log read at the due time). While
   * a backlog is being drained, it waits for the drain to end (at most MAX_BACKLOG_WAIT_MS):
   * a burst reaches Kafka first, its writes follow. Never while the drain itself waits for a
   * write (see `needs`).
   */
  async quiet(): Promise<void> {
    const until = Date.now() + MAX_BACKLOG_WAIT_MS;
    while (this.backlogged() && Date.now() < until) {
      let wake!: () => void;
      const woken = new Promise<void>((resolve) => (wake = resolve));
      const timer = setTimeout(wake, until - Date.now());
      this.quietWaiters.add(wake);
      void this.draining?.then(wake);
      await woken;
      this.quietWaiters.delete(wake);
      clearTimeout(timer);
    }
    const now = Date.now();
    const slot = Math.min(this.publishingAt, this.timer?.at ?? Infinity);
    if (!this.ports.isRunning() || this.writesNeeded > 0 || slot - now > QUIET_BEFORE_MS) return;
    const wait = Math.min(slot + QUIET_AFTER_MS - now, MAX_QUIET_WAIT_MS);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }

  /**
   * The drain waits for `write` (room in the write-behind, or a task's write that a change
   * must follow): background work held back by `quiet` goes at once, or the drain would wait
   * for itself.
   */
  async needs(write: Promise<void>): Promise<void> {
    this.writesNeeded++;
    for (const wake of this.quietWaiters) wake();
    try {
      await write;
    } finally {
      this.writesNeeded--;
    }
  }

  /** A drain is under way with more fires due already than the batch it is on. */
  private backlogged(): boolean {
    if (!this.draining || this.writesNeeded > 0 || !this.ports.isRunning()) return false;
    const due = this.ports.memory.peekDue();
    return due !== undefined && due <= Date.now();
  }

  /** Keeps one timer, set PREPARE_MS before the earliest due task. */
  arm(): void {
    if (!this.ports.isRunning()) return;
    const due = this.ports.memory.peekDue();
    if (due === undefined) return;
    const next = Math.max(due, this.retry.until);
    if (this.timer && next >= this.timer.at) return;
    clearTimeout(this.timer?.handle);
    const handle = setTimeout(
      () => {
        this.timer = undefined;
        void this.drain();
      },
      Math.max(0, next - PREPARE_MS - Date.now()),
    );
    this.timer = { handle, at: next };
  }

  /** Stops the timer; a batch in flight finishes (see `settled`). */
  stop(): void {
    clearTimeout(this.timer?.handle);
    this.timer = undefined;
  }

  /**
   * Since when publishing has not worked: the first failure after the last success, or the
   * start of a publish still waiting for Kafka's answer (a cut-off network fails nothing, it
   * just never answers). Undefined while publishing works.
   */
  failingSince(): number | undefined {
    const times = [this.failedSince, this.sendingSince].filter((t) => t !== undefined);
    return times.length > 0 ? Math.min(...times) : undefined;
  }

  /** Kafka answers again (a probe said so): past failures no longer count. */
  forgetFailures(): void {
    this.failedSince = undefined;
  }

  /** Resolves when no batch is being planned or published. */
  settled(): Promise<void> {
    return this.draining ?? Promise.resolve();
  }

  private drain(): Promise<void> {
    if (this.draining) {
      this.drainAgain = true;
      return this.draining;
    }
    this.draining = this.drainLoop().finally(() => {
      this.draining = undefined;
      if (this.drainAgain) {
        this.drainAgain = false;
        void this.drain();
      } else this.arm();
    });
    return this.draining;
  }

  /**
   * Fires what is due, a batch at a time: planned up to PREPARE_MS ahead of its due time and
   * published at it, never before.
   */
  private async drainLoop(): Promise<void> {
    const { memory, writes, publisher } = this.ports;
    while (this.ports.isRunning()) {
      if (writes.full) await this.needs(writes.room());
      // SIGTERM while waiting for room: nothing more goes out.
      if (!this.ports.isRunning()) return;
      const due = memory.peekDue();
      if (due === undefined) return;
      // After a failed publish, nothing goes out before the backoff has passed.
      const next = Math.max(due, this.retry.until);
      if (next > Date.now() + PREPARE_MS) return;
      const at = Math.max(next, Date.now());
      this.publishingAt = at;
      const planned = this.plan(memory.popDue(at, this.settings.maxBatch), at);
      const batch = publisher.prepare(planned.flatMap((p) => p.messages));
      await sleepUntil(at);
      // A deleted or paused task must not fire once the API has answered: catch up first.
      await this.ports.pollChanges();
      const sentAt = Date.now();
      const ready: Planned[] = [];
      const dropped = new Set<FireMessage>();
      for (const p of planned) {
        // Changed meanwhile (a new copy was taken, or it was unloaded): the new copy is back
        // in the queue and planned again from there.
        if (memory.get(p.task.id) !== p.task) {
          for (const m of p.messages) dropped.add(m);
          continue;
        }
        // The lease ran out meanwhile (a database that stopped answering holds the change-log
        // read above for seconds): sent now, its fires could go out beside the next owner's.
        if (!this.ports.holds(p.task.shard, sentAt)) {
          for (const m of p.messages) dropped.add(m);
          this.letGo(p.task);
          continue;
        }
        for (const r of p.records) r.publishedAt = sentAt;
        ready.push(p);
      }
      batch.drop(dropped);
      memory.sending(ready.map((p) => p.task));
      const published = await this.publish(ready, batch, sentAt);
      this.publishingAt = Infinity;
      if (!published) {
        this.backOff();
        return;
      }
    }
  }

  /**
   * The fires of `ids` due by `now`, and how each task moves on once they are acknowledged.
   * Tasks due later (changed under us) go back into the queue.
   */
  private plan(ids: string[], now: number): Planned[] {
    const { memory } = this.ports;
    const planned: Planned[] = [];
    let bytes = 0;
    for (const id of ids) {
      const task = memory.get(id);
      if (!task || task.dueAt === null) continue;
      if (task.dueAt > now) {
        memory.requeue(id, task.dueAt); // changed under us to a later time
        continue;
      }
      if (!this.ports.holds(task.shard, now)) {
        this.letGo(task);
        continue;
      }
      const plan = planFires(task, now, this.settings);
      bytes += plan.messages.reduce((sum, m) => sum + messageBytes(m), 0);
      // Over the bound: this task and the rest wait for the next batch (one goes alone).
      if (bytes > MAX_BATCH_BYTES && planned.length > 0) {
        for (const rest of ids.slice(ids.indexOf(id))) {
          const t = memory.get(rest);
          if (t && t.dueAt !== null) memory.requeue(rest, t.dueAt);
        }
        break;
      }
      planned.push(plan);
    }
    return planned;
  }

  /**
   * Not ours to publish right now: the renewal is late, or the lease is lost (then the shard
   * is released and forgotten). Dropping the task from memory alone would lose it for good if
   * the renewal then succeeds: the read-ahead has passed its bucket, so the shard is read again
   * from the database, whose copy is the truth once our advances (the held ones written now)
   * have landed.
   */
  private letGo(task: Task): void {
    this.ports.reread(task.shard);
    this.ports.writes.write([task.id]);
    this.ports.memory.unload(task.id);
  }

  /**
   * Publishes the batch in one request per broker (one `sendBatch`) and, once Kafka has
   * acknowledged it, moves its tasks on. On failure they go back into the queue, not advanced:
   * the retry re-publishes them under the same message ids.
   */
  private async publish(planned: Planned[], batch: PreparedFires, sentAt: number) {
    const messages = planned.flatMap((p) => p.messages);
    if (messages.length > 0) {
      this.sendingSince = sentAt;
      try {
        await this.ports.publisher.publishPrepared(batch, sentAt);
      } catch (err) {
        this.failedSince ??= sentAt;
        this.ports.memory.unsent(planned.map((p) => p.task));
        for (const { task } of planned)
          if (task.dueAt !== null) this.ports.memory.requeue(task.id, task.dueAt);
        this.ports.conditions.fail('dispatch: publishing to Kafka', err);
        this.ports.onError?.(err);
        return false;
      } finally {
        this.sendingSince = undefined;
      }
      this.failedSince = undefined;
      this.ports.onPublished?.(messages, Date.now());
      this.retry.delayMs = 0;
      this.ports.conditions.ok('dispatch: publishing to Kafka');
    }
    this.ports.writes.afterPublish(planned, this.ports.deadlinesOf(planned));
    return true;
  }

  private backOff(): void {
    this.retry.delayMs = Math.min(RETRY_MAX_MS, Math.max(RETRY_MIN_MS, this.retry.delayMs * 2));
    this.retry.until = Date.now() + this.retry.delayMs;
  }
}
