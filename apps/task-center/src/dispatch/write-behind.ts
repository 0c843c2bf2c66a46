import { type ConditionLog } from '../background/condition-log';
import { MAX_BULK_OPS } from '../database/bulk-write';
import { bucketOf } from '../due-time/shard-read-ahead';
import { type FireRecord, type RunTimer } from '../runs/run-records';
import { type Task } from '../tasks/task';
import { type Advance, advanced, combined } from '../tasks/task-advance';

/**
 * Fired tasks whose database write may still be queued before the loop stops publishing and
 * waits for the writes: a database slower than the fire rate slows dispatch down instead of
 * growing the queue of writes (and the memory it holds) without bound.
 */
export const MAX_PENDING_WRITES = 20_000;
/**
 * Fire records per insert of a write-back. Write-backs go in chunks (advances: MAX_BULK_OPS),
 * each started only outside the publish's quiet window: on FerretDB, 1,000 advances take
 * over a second.
 */
const RECORDS_CHUNK = 10 * MAX_BULK_OPS;

/** What the write-behind needs from the rest of the dispatcher and the database. */
export interface WriteBehindPorts {
  /**
   * Writes advances (at most one per task) conditionally on the state each was planned from;
   * returns those another advance of the same version superseded.
   */
  advance(advances: Advance[]): Promise<Advance[] | void>;
  /** Inserts fire records; a re-published fire's existing record is kept. */
  recordFires(records: FireRecord[]): Promise<void>;
  /** Arms the `ack` deadlines of published fires (idempotent by timer id). */
  armDeadlines(deadlines: RunTimer[]): Promise<void>;
  /** Resolves once no publish is about to start or under way (see PublishLoop.quiet). */
  quiet(): Promise<void>;
  /**
   * Tells memory that a publish planned from `planned` was acknowledged and leads to `next`
   * (see LoadedTasks.settle): whether memory holds the task now, whether the API changed it
   * while the publish was in flight, and when the task is due as memory or the database
   * will have it.
   */
  settle(planned: Task, advance: Advance, next: Task): Settled;
  /** Published but not written: drop the task from memory and read its shard again. */
  forget(task: Task): void;
  conditions: ConditionLog;
  onError?(err: unknown): void;
}

/** Where a published task stands once its publish was acknowledged. */
export interface Settled {
  /** Held in memory (the read-ahead covers its next due time). */
  kept: boolean;
  /** The API changed it while the publish was in flight: the advance is merged, written now. */
  changed: boolean;
  dueAt: number | null;
}

/**
 * Publishes of one task that stays in memory, not written yet: folded into one advance
 * (`advance.before` is what the database holds) and written `writeBehindMs` after the first
 * of them, or as soon as anything else needs the database copy to be current.
 */
export interface HeldAdvance {
  advance: Advance;
  /** The in-memory state it leads to: the next publish of the task is planned from it. */
  latest: Task;
  since: number;
}

/** What a shutdown left to the next owner of the shards (see WriteBehind.stopBy). */
export interface LeftUnwritten {
  /** Fire records not inserted (the re-publish inserts them). */
  records: number;
  /** Advances not written: the next owner re-publishes their fires under the same ids. */
  advances: number;
}

/** One write-back in the queue. */
interface QueuedWrite {
  done: Promise<void>;
  /**
   * Earliest bucket a task of this write was moved to while leaving memory: a read of that
   * bucket must wait for the write. Infinity when none did.
   */
  leavingBucket: number;
}

/**
 * The dispatcher's database writes after a publish, in order: fire records and `ack`
 * deadlines first (a crash before them re-publishes the fires under the same ids, which
 * writes them then), then the tasks' advances. Advances of tasks that stay in memory are
 * held and folded (write-behind); writes run one after the other, each conditional on the
 * state the previous one left.
 */
export class WriteBehind {
  /** Advances queued and not written yet. */
  private pending = 0;
  private readonly queue: QueuedWrite[] = [];
  /** The newest queued write of each task, for readers of its database copy to wait on. */
  private readonly writing = new Map<string, Promise<void>>();
  /** Advances held in memory, oldest first. */
  private readonly held = new Map<string, HeldAdvance>();
  /** The in-memory state each advance moved its task to (see `unwritten`). */
  private readonly advancedTo = new WeakMap<Advance, Task>();
  /**
   * In-memory task states whose advance was not written. A later batch planned from such a
   * state (it was in flight when the write failed) must not be written either: its
   * conditional update would not match, and the merge would take the older slot the
   * database still has for an API reschedule and count the fires twice.
   */
  private readonly unwritten = new WeakSet<Task>();
  /** Shutdown: no write-back chunk starts from this time on (see `stopBy`). */
  private stopAt = Infinity;
  private readonly left: LeftUnwritten = { records: 0, advances: 0 };

  constructor(
    private readonly ports: WriteBehindPorts,
    private readonly writeBehindMs: number,
  ) {}

  /** Publishes not written to the database yet (held or queued). */
  get unwrittenCount(): number {
    return this.held.size + this.pending;
  }

  heldOf(id: string): HeldAdvance | undefined {
    return this.held.get(id);
  }

  /** The newest queued write of the task, if any. */
  writingOf(id: string): Promise<void> | undefined {
    return this.writing.get(id);
  }

  /** Forgets a held advance without writing it (the task is gone). */
  drop(id: string): void {
    this.held.delete(id);
  }

  /**
   * Moves the fired tasks on in memory at once. A task that stays in memory holds its
   * advance (folded with the next ones) for up to `writeBehindMs`; one that leaves memory is
   * written now, so the read-ahead finds it where it moved.
   */
  afterPublish(batch: { advance: Advance; records: FireRecord[] }[], deadlines: RunTimer[]) {
    const now: Advance[] = [];
    let leavingBucket = Infinity;
    for (const { advance } of batch) {
      const id = advance.before.id;
      const held = this.held.get(id);
      // Planned from the state the held advance leads to: fold the two into one write.
      const continues = held?.latest === advance.before;
      let folded = advance;
      if (continues) folded = combined(held.advance, advance);
      // Planned from another copy: written apart, before (one advance per task per write).
      else if (held) this.enqueue([this.take(id)], [], [], Infinity);
      const next = advanced(folded);
      this.advancedTo.set(folded, next);
      const settled = this.ports.settle(advance.before, folded, next);
      if (settled.kept && !settled.changed && this.writeBehindMs > 0) {
        const since = continues ? held.since : advance.now;
        this.held.set(id, { advance: folded, latest: next, since });
        continue;
      }
      if (!settled.kept && settled.dueAt !== null) {
        leavingBucket = Math.min(leavingBucket, bucketOf(settled.dueAt));
      }
      this.held.delete(id);
      now.push(folded);
    }
    const records = batch.flatMap((p) => p.records);
    this.enqueue(now, records, deadlines, leavingBucket);
    this.writeHeld(Date.now());
  }

  /** Queues the held advances of these tasks (those that have one) for writing now. */
  write(ids: Iterable<string>): void {
    const advances: Advance[] = [];
    for (const id of ids) if (this.held.has(id)) advances.push(this.take(id));
    this.enqueue(advances, [], [], Infinity);
  }

  /** Queues the held advances of one shard's tasks. */
  writeShard(shard: number): void {
    const ids = [...this.held.values()].filter((h) => h.latest.shard === shard);
    this.write(ids.map((h) => h.latest.id));
  }

  /** Queues the held advances first held at or before `until - writeBehindMs` (Infinity: all). */
  writeHeld(until: number): void {
    const cutoff = until - this.writeBehindMs;
    const due: string[] = [];
    for (const [id, held] of this.held) {
      if (held.since > cutoff) break; // held in order of `since`
      due.push(id);
    }
    this.write(due);
  }

  /**
   * Shutdown: no write-back chunk starts at or after `deadline` (one under way finishes);
   * what is queued then, and anything queued later, is left unwritten, and `flushed`
   * resolves once the chunk under way has landed. Nothing is lost: records and deadlines
   * are written before advances, so a task left unadvanced is due as the database has it,
   * and the next owner of its shard re-publishes its fires under the same message ids (what a
   * crash after the publish does), while a SIGTERM during a burst exits in time.
   */
  stopBy(deadline: number): void {
    this.stopAt = Math.min(this.stopAt, deadline);
  }

  /** What `stopBy` left unwritten so far. */
  get leftUnwritten(): LeftUnwritten {
    return { ...this.left };
  }

  /** Settles once every write queued so far has landed (or failed). */
  flushed(): Promise<void> {
    return this.queue.at(-1)?.done ?? Promise.resolve();
  }

  /**
   * Our own writes that a read of buckets up to `horizon` depends on: those that moved a task
   * leaving memory into one of them. Tasks that stay in memory need no wait (a stale copy of
   * one is due in a bucket already passed, and memory wins over a copy of the same version),
   * nor completed ones.
   */
  writesInto(horizon: number): Promise<void> {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const write = this.queue[i]!;
      // Writes run in order: waiting for the newest one that matters waits for all before it.
      if (write.leavingBucket <= horizon) return write.done;
    }
    return Promise.resolve();
  }

  /** MAX_PENDING_WRITES advances or more are queued: `room()` would wait. */
  get full(): boolean {
    return this.pending >= MAX_PENDING_WRITES;
  }

  /** Backpressure: resolves once fewer than MAX_PENDING_WRITES advances are queued. */
  async room(): Promise<void> {
    while (this.pending >= MAX_PENDING_WRITES) await this.queue[0]?.done;
  }

  /** Removes a task's held advance, to be written by the caller. */
  private take(id: string): Advance {
    const { advance } = this.held.get(id)!;
    this.held.delete(id);
    return advance;
  }

  private enqueue(
    advances: Advance[],
    records: FireRecord[],
    deadlines: RunTimer[],
    leavingBucket: number,
  ): void {
    if (advances.length === 0 && records.length === 0 && deadlines.length === 0) return;
    this.pending += advances.length;
    const done = this.flushed()
      .then(() => this.writeBack(advances, records, deadlines))
      .finally(() => {
        this.pending -= advances.length;
        this.queue.shift();
        for (const a of advances)
          if (this.writing.get(a.before.id) === done) this.writing.delete(a.before.id);
      });
    this.queue.push({ done, leavingBucket });
    for (const a of advances) this.writing.set(a.before.id, done);
  }

  private async writeBack(
    advances: Advance[],
    records: FireRecord[],
    deadlines: RunTimer[],
  ): Promise<void> {
    // Planned from a state whose own write failed: the database is behind it. Leave the
    // database as it is and read the task again (see `unwritten`).
    const stale = advances.filter((a) => this.unwritten.has(a.before));
    const fresh = advances.filter((a) => !this.unwritten.has(a.before));
    this.notWritten(stale);
    let recorded = 0;
    let written = 0;
    /** Shutdown passed its deadline: leave the rest, in order (no advance before its records). */
    const stopped = () => {
      if (Date.now() < this.stopAt) return false;
      this.left.records += records.length - recorded;
      this.left.advances += fresh.length - written;
      return true;
    };
    try {
      // Records of stale advances too: the fires were published, and a re-publish's insert
      // of the same message id is ignored.
      for (; recorded < records.length; recorded += RECORDS_CHUNK) {
        await this.ports.quiet();
        if (stopped()) return;
        await this.ports.recordFires(records.slice(recorded, recorded + RECORDS_CHUNK));
      }
      recorded = records.length;
      if (stopped()) return;
      if (deadlines.length > 0) await this.ports.armDeadlines(deadlines);
      for (; written < fresh.length; written += MAX_BULK_OPS) {
        await this.ports.quiet();
        if (stopped()) return;
        const superseded = await this.ports.advance(fresh.slice(written, written + MAX_BULK_OPS));
        // Another replica (or a copy of ours) moved these on: read them again (see notWritten).
        if (superseded && superseded.length > 0) this.notWritten(superseded);
      }
      this.ports.conditions.ok('dispatch: advancing tasks');
    } catch (err) {
      this.ports.conditions.fail('dispatch: advancing tasks', err);
      this.ports.onError?.(err);
      this.notWritten(fresh.slice(written));
    }
  }

  /**
   * Published but not advanced: forget these tasks and read their shards again. The database
   * copy re-publishes the fires under the same message ids (at-least-once, never lost).
   */
  private notWritten(advances: Advance[]): void {
    for (const advance of advances) {
      const next = this.advancedTo.get(advance);
      if (next) this.unwritten.add(next);
      // Publishes held on top of it were planned from an unwritten state: not written either
      // (a batch planned from it may still be in flight), re-published from the database.
      const held = this.held.get(advance.before.id);
      if (held) this.unwritten.add(held.latest);
      this.held.delete(advance.before.id);
      this.ports.forget(advance.before);
    }
  }
}
