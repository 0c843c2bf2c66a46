import { type DeadLetter } from '../runs/run-records';

export interface DeadLetterPage {
  items: DeadLetter[];
  nextCursor: string | null;
}

/** Which dead letters a bulk redrive selects; every field given must hold. Epoch ms. */
export interface DeadLetterFilter {
  name?: string;
  /** dead_at >= this. */
  deadFrom?: number;
  /** dead_at < this. */
  deadBefore?: number;
}

/** Where a read of `matching` ended: the last dead letter's dead_at and message id. */
export interface DeadLetterPosition {
  deadAt: number;
  messageId: string;
}

/** The `dead_letters` collection: fires that exhausted their attempts, until redriven. */
export abstract class DeadLettersRepository {
  /** Inserts a dead letter; one that exists already is left as it is. */
  abstract insert(dead: DeadLetter): Promise<void>;
  abstract findById(messageId: string): Promise<DeadLetter | null>;
  abstract delete(messageId: string): Promise<void>;
  /** Dead letters waiting (not redriven): a count over the whole collection. */
  abstract count(): Promise<number>;
  /** Newest first; `cursor` is the `nextCursor` of the previous page. */
  abstract page(limit: number, cursor?: string): Promise<DeadLetterPage>;
  /** Oldest dead first (then by message id), strictly after `after`: at most `limit`. */
  abstract matching(
    filter: DeadLetterFilter,
    limit: number,
    after?: DeadLetterPosition,
  ): Promise<DeadLetter[]>;
  /** Deletes the documents of retention bucket `rb` in one equality statement; how many. */
  abstract deleteBucket(rb: number): Promise<number>;
  /** The oldest retention bucket stored, null when none (read once, when the purge starts). */
  abstract oldestBucket(): Promise<number | null>;
}
