import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { type Collection, type Connection } from 'mongoose';
import { TemporarilyUnavailableError } from '../../errors/api-error';
import { DatabaseFlavor } from '../database-flavor';
import { isDuplicateKey } from '../duplicate-key';

/** A lock older than this is taken to belong to a crashed writer and is broken. */
export const LOCK_TTL_MS = 15_000;
/** How long a writer waits for locks before it gives up with `TaskLockBusyError`. */
const WAIT_MS = LOCK_TTL_MS + 2000;
/** Pause between attempts to release locks while the database is unreachable. */
const RELEASE_RETRY_MS = 250;

interface LockDoc {
  _id: string;
  owner: string;
  expires_at: number;
}

export class TaskLockBusyError extends TemporarilyUnavailableError {
  constructor(ids: string[]) {
    super(`tasks ${ids.slice(0, 3).join(', ')}${ids.length > 3 ? '…' : ''} are being written`);
  }
}

/**
 * Mutual exclusion for writes of task documents, for FerretDB v1 only.
 *
 * FerretDB v1 runs an update as "read the matching documents, then write each one back whole",
 * without isolation: a conditional update of the dispatcher (`version: 3`) that read the task
 * just before an API delete wrote it still writes its copy afterwards, and the delete is lost
 * (the task comes back and fires again). On MongoDB the same conditional update is atomic and
 * these locks are skipped.
 *
 * A lock is a document `task_locks/<task id>`, taken by insert: the unique `_id` is the one
 * thing FerretDB does atomically. Writers take every lock they need in one `insertMany` or
 * none (they release partial sets and retry, so two writers never wait on each other), run
 * their read-modify-write, and delete their locks. A lock past `LOCK_TTL_MS` is broken.
 */
@Injectable()
export class TaskWriteLocks {
  private readonly logger = new Logger(TaskWriteLocks.name);
  private readonly locks: Collection<LockDoc>;

  constructor(
    @InjectConnection() connection: Connection,
    private readonly flavor: DatabaseFlavor,
  ) {
    this.locks = connection.collection<LockDoc>('task_locks');
  }

  /** Runs `write` while holding the locks of `ids` (no locks on MongoDB). */
  async withLocks<T>(ids: string[], write: () => Promise<T>): Promise<T> {
    const unique = [...new Set(ids)];
    if (unique.length === 0 || !(await this.flavor.isFerretDb())) return write();
    const owner = randomUUID();
    const expiresAt = await this.acquire(unique, owner);
    try {
      return await write();
    } finally {
      await this.release(unique, owner, expiresAt);
    }
  }

  /**
   * Deletes our locks. If the database is unreachable (the usual reason the write failed
   * too), keeps trying in the background until they expire: the next writer of these tasks
   * (the dispatcher re-firing them once the database is back) would otherwise wait for the
   * whole TTL, and every dispatcher write queued behind it with it.
   */
  private async release(ids: string[], owner: string, expiresAt: number): Promise<void> {
    const release = async (): Promise<boolean> => {
      await this.locks.deleteMany({ _id: { $in: ids }, owner });
      return true;
    };
    try {
      await release();
    } catch (err) {
      this.logger.warn(`releasing task locks failed (retrying until they expire): ${String(err)}`);
      void (async () => {
        while (Date.now() < expiresAt) {
          await new Promise((resolve) => setTimeout(resolve, RELEASE_RETRY_MS));
          if (await release().catch(() => false)) return;
        }
      })();
    }
  }

  /** Takes the locks of `ids`; returns when they expire. */
  private async acquire(ids: string[], owner: string): Promise<number> {
    const deadline = Date.now() + WAIT_MS;
    for (let round = 0; ; round++) {
      const now = Date.now();
      const taken = await this.tryInsert(ids, owner, now + LOCK_TTL_MS);
      if (taken.length === ids.length) return now + LOCK_TTL_MS;
      // All or nothing: hold none while waiting, so no two writers wait on each other.
      if (taken.length > 0) await this.locks.deleteMany({ _id: { $in: taken }, owner });
      await this.locks.deleteMany({
        _id: { $in: ids.filter((id) => !taken.includes(id)) },
        expires_at: { $lt: now },
      });
      if (now > deadline) throw new TaskLockBusyError(ids);
      const backoff = Math.min(100, 2 ** round) * (0.5 + Math.random());
      await new Promise((resolve) => setTimeout(resolve, backoff));
    }
  }

  /** Inserts one lock per id; returns the ids whose lock this call took. */
  private async tryInsert(ids: string[], owner: string, expiresAt: number): Promise<string[]> {
    try {
      await this.locks.insertMany(
        ids.map((_id) => ({ _id, owner, expires_at: expiresAt })),
        { ordered: false },
      );
      return ids;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      // Which ones failed is reported differently by MongoDB and FerretDB: ask the database.
      const mine = await this.locks
        .find({ _id: { $in: ids }, owner }, { projection: { _id: 1 } })
        .toArray();
      return mine.map((d) => d._id);
    }
  }
}
