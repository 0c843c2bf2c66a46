import { type WorkerRecord } from '../runs/run-records';

/** The `workers` collection: the last heartbeat of each worker process. */
export abstract class WorkersRepository {
  abstract save(worker: WorkerRecord): Promise<void>;
  /** Workers heard from since `since`, newest first. */
  abstract seenSince(since: number): Promise<WorkerRecord[]>;
  /** Deletes the workers last heard from before `before` (ms); how many. */
  abstract deleteSeenBefore(before: number): Promise<number>;
}
