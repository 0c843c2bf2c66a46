import { inSmallGroups } from '../database/bulk-write';
import { ApiError } from '../errors/api-error';

/** One item of a bulk request: its value, or the error the API reports for it alone. */
export type Settled<R> = { ok: true; value: R } | { ok: false; error: ApiError };

export interface SettledAll<R> {
  /** In the order of the items; complete only when there is no `failure`. */
  settled: Settled<R>[];
  /** The values of the items that succeeded, also when there is a `failure`. */
  done: R[];
  /** The first error that was not an ApiError (the database went away...): rethrow it. */
  failure?: unknown;
}

/**
 * Runs `fn` over `items` a few at a time (one-document commands side by side). One item's
 * ApiError never fails the others; any other error is handed back once every item settled,
 * so that the caller can record what did change before it fails the request.
 */
export async function settleEach<T, R>(
  items: T[],
  fn: (item: T) => Promise<R>,
): Promise<SettledAll<R>> {
  const failures: unknown[] = [];
  const settled: Settled<R>[] = [];
  const done: R[] = [];
  await inSmallGroups(items, async (item) => {
    try {
      return { ok: true as const, value: await fn(item) };
    } catch (err) {
      if (err instanceof ApiError) return { ok: false as const, error: err };
      failures.push(err);
      return undefined;
    }
  }).then((all) => {
    for (const one of all) {
      if (one === undefined) continue;
      settled.push(one);
      if (one.ok) done.push(one.value);
    }
  });
  return failures.length > 0 ? { settled, done, failure: failures[0] } : { settled, done };
}
