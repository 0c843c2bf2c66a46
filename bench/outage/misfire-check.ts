/**
 * Whether the fires a task got around an outage follow its misfire policy
 * (apps/task-center/src/scheduling/misfire.ts): after the outage a slot older than the
 * threshold is missed; `fire_all` publishes every missed slot (up to the catch-up cap),
 * `fire_once` only the earliest missed slot, `skip` none; slots within the threshold always
 * fire, and a one-shot fires whatever the policy. Pure: fed what an independent consumer saw.
 */
export type MisfirePolicy = 'fire_once' | 'skip' | 'fire_all';

export interface TaskFires {
  policy: MisfirePolicy;
  oneShot: boolean;
  /** Every slot the schedule has in the window (epoch ms, ascending). */
  slots: number[];
  /** Publish time (tc-published-at) of each slot received, by slot. */
  published: Map<number, number>;
  /**
   * Slots after this are only looked at as the fires that followed (the reader stopped
   * before all of them came): not counted, never missing.
   */
  until?: number;
}

export interface MisfireSettings {
  thresholdMs: number;
  maxCatchUp: number;
  /**
   * Slack for the instants the bench cannot see: the dispatcher decides "missed" at its
   * planning time, a little before the publish time a fire carries.
   */
  slackMs: number;
}

export interface MisfireVerdict {
  expected: number;
  received: number;
  /** Slots never published. */
  missing: number;
  /** Fires published later than threshold + slack after their slot (catch-up fires). */
  late: number;
  /** Fires for slots the schedule does not have. */
  unexpected: number;
  /** Empty when the fires follow the policy; else why not. */
  problems: string[];
}

export function checkMisfire(task: TaskFires, s: MisfireSettings): MisfireVerdict {
  const expectedSlots = new Set(task.slots);
  const problems: string[] = [];
  const iso = (t: number) => new Date(t).toISOString();
  const unexpected = [...task.published.keys()].filter((slot) => !expectedSlots.has(slot));
  if (unexpected.length > 0)
    problems.push(`fires for unexpected slots: ${unexpected.map(iso).join(', ')}`);
  const counted = task.slots.filter((slot) => slot <= (task.until ?? Infinity));
  const missing = counted.filter((slot) => !task.published.has(slot));
  const late = counted.filter((slot) => {
    const at = task.published.get(slot);
    return at !== undefined && at - slot > s.thresholdMs + s.slackMs;
  });
  const verdict = (): MisfireVerdict => ({
    expected: counted.length,
    received: counted.length - missing.length,
    missing: missing.length,
    late: late.length,
    unexpected: unexpected.length,
    problems,
  });

  if (task.oneShot) {
    if (missing.length > 0) problems.push('a one-shot fires whatever the policy: it never did');
    return verdict();
  }
  // A missing slot is allowed only if it was missed: the next fire the task got was published
  // more than the threshold after it (that publish planned it as past the cutoff).
  for (const slot of missing) {
    const next = task.slots.find((t) => t > slot && task.published.has(t));
    const at = next === undefined ? undefined : task.published.get(next)!;
    if (at === undefined || at - slot < s.thresholdMs - s.slackMs) {
      problems.push(
        `slot ${iso(slot)} was not missed (next publish ${at === undefined ? 'never' : iso(at)}) yet never fired`,
      );
      break;
    }
  }
  if (task.policy === 'fire_all') {
    const allowed = Math.max(0, late.length + missing.length - s.maxCatchUp);
    if (missing.length > allowed)
      problems.push(`fire_all: ${missing.length} missed slots not caught up`);
  } else if (task.policy === 'skip') {
    if (late.length > 0)
      problems.push(`skip: ${late.length} missed slots fired (first ${iso(late[0]!)})`);
  } else {
    // fire_once: each run of missed slots follows one catch-up fire, the earliest missed slot
    // published late. (A dispatcher late again later makes another run: one fire each.)
    // One publish (one plan; a batch carries one publish time) makes one catch-up fire.
    const byPublish = new Map<number, number>();
    for (const slot of late) {
      const at = task.published.get(slot)!;
      byPublish.set(at, (byPublish.get(at) ?? 0) + 1);
    }
    const most = Math.max(0, ...byPublish.values());
    if (most > 1) problems.push(`fire_once: ${most} catch-up fires in one publish`);
    const missed = new Set(missing);
    for (let i = 0; i < task.slots.length; i++) {
      const slot = task.slots[i]!;
      if (!missed.has(slot) || (i > 0 && missed.has(task.slots[i - 1]!))) continue;
      const before = task.slots[i - 1];
      const at = before === undefined ? undefined : task.published.get(before);
      if (before === undefined || at === undefined || at - before <= s.thresholdMs - s.slackMs) {
        problems.push(`fire_once: the missed slots from ${iso(slot)} follow no catch-up fire`);
        break;
      }
    }
  }
  return verdict();
}
