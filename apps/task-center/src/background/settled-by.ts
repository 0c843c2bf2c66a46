/**
 * Whether `work` settled (resolved or rejected) before `deadline` (epoch ms), waiting no
 * longer than that: a shutdown phase bounded by what is left of its budget. `work` itself
 * goes on; a rejection after the deadline is ignored.
 */
export async function settledBy(work: Promise<unknown>, deadline: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
  });
  const done = work.then(
    () => true as const,
    () => true as const,
  );
  try {
    return await Promise.race([done, late]);
  } finally {
    clearTimeout(timer);
  }
}
