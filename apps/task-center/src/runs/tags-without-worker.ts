/** The tag of an SDK handler that receives every fire no other handler of its worker takes. */
export const ANY_TAG = '*';

/**
 * The names (tags) among `names` that no live worker handles. A live worker with a `'*'`
 * handler handles them all: it receives every fire its topic carries, its other handlers
 * first, the rest through `'*'` (libs/client's tag router).
 */
export function tagsWithoutWorker(
  names: readonly string[],
  liveOn: (tag: string) => boolean,
): string[] {
  if (liveOn(ANY_TAG)) return [];
  return names.filter((name) => !liveOn(name));
}
