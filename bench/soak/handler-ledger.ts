/**
 * The soak's account of handler runs against the slots it expects: which (task, slot) was
 * handled, which was lost, and which ran more often than at-least-once delivery allows. Pure:
 * fed the lines the soak workers append (soak-worker.ts), no I/O.
 */

/** Whether the first attempt of this slot throws: 1 in `oneIn` slots, the same in every process. */
export function failsFirstAttempt(taskId: string, scheduledAt: number, oneIn: number): boolean {
  // FNV-1a: deterministic across processes and runs, spread well enough for a 1 % sample.
  let h = 0x811c9dc5;
  const key = `${taskId}:${scheduledAt}`;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % oneIn === 0;
}

/** One handler start as a soak worker records it. */
export interface HandlerRun {
  taskId: string;
  scheduledAt: number;
  attempt: number;
  startedAt: number;
  failed: boolean;
  /** tc-published-at of the fire. */
  publishedAt: number;
}

/**
 * `<taskId>:<scheduledAt>:<attempt> <startedAt> <S|F> <publishedAt>` (the message id is
 * messageIdOf's).
 */
export function parseRunLine(line: string): HandlerRun | undefined {
  const m = /^([^:\s]+):(\d+):(\d+) (\d+) ([SF]) (\d+)$/.exec(line);
  if (!m) return undefined;
  return {
    taskId: m[1]!,
    scheduledAt: Number(m[2]),
    attempt: Number(m[3]),
    startedAt: Number(m[4]),
    failed: m[5] === 'F',
    publishedAt: Number(m[6]),
  };
}

// One byte per expected slot: which (attempt, outcome) ran.
const FIRST_OK = 1;
const FIRST_FAILED = 2;
const SECOND_OK = 4;
const SECOND_FAILED = 8;
const LATER = 16;

function bitOf(run: HandlerRun): number {
  if (run.attempt === 1) return run.failed ? FIRST_FAILED : FIRST_OK;
  if (run.attempt === 2) return run.failed ? SECOND_FAILED : SECOND_OK;
  return LATER;
}

/** A task's expected slots: `count` slots `stepMs` apart from `first`. */
interface ExpectedSeries {
  first: number;
  stepMs: number;
  states: Uint8Array;
}

export interface LedgerSummary {
  /** Expected (task, slot)s whose slot has passed by `until`. */
  expected: number;
  handled: number;
  /** Expected and never handled successfully (a failed first attempt whose retry never came too). */
  lost: number;
  /**
   * Never run because the misfire policy (fire_once) skipped them: a fire of the same task for
   * an earlier slot was published more than the misfire threshold after this slot.
   */
  skipped: number;
  /** Slots whose first attempt failed (by design) and whose retry ran. */
  retried: number;
  /** Runs of a message id that had run already (a redelivery: allowed). */
  redelivered: number;
  /**
   * Slots handled beyond at-least-once of one message id: a second attempt of a slot whose
   * first did not fail, or a third attempt (the handler fails first attempts only).
   */
  duplicates: number;
  /** Runs for a task or slot that was never expected. */
  unexpected: number;
  /** A few lost and duplicate slots, for the report. */
  samples: string[];
}

export class HandlerLedger {
  private readonly series = new Map<string, ExpectedSeries>();
  private redelivered = 0;
  private unexpected = 0;
  private readonly unexpectedSamples: string[] = [];
  private orphans: HandlerRun[] = [];
  /** [slot, publishedAt] of the fires published later than the threshold, by task. */
  private readonly lateFires = new Map<string, [number, number][]>();

  constructor(private readonly misfireThresholdMs = Infinity) {}

  /** Task `taskId` is expected to fire `count` times, `stepMs` apart from `first` (epoch ms). */
  expect(taskId: string, first: number, stepMs: number, count: number): void {
    this.series.set(taskId, { first, stepMs, states: new Uint8Array(count) });
  }

  get tasks(): number {
    return this.series.size;
  }

  take(run: HandlerRun): void {
    const s = this.series.get(run.taskId);
    if (!s) {
      // Its create may not have answered yet (a one-shot due soon after it): kept for later.
      this.orphans.push(run);
      return;
    }
    const index = (run.scheduledAt - s.first) / s.stepMs;
    if (!Number.isInteger(index) || index < 0 || index >= s.states.length) {
      this.unexpected++;
      if (this.unexpectedSamples.length < 5)
        this.unexpectedSamples.push(
          `unexpected ${run.taskId} @ ${new Date(run.scheduledAt).toISOString()} attempt ${run.attempt}`,
        );
      return;
    }
    if (run.attempt === 1 && run.publishedAt - run.scheduledAt > this.misfireThresholdMs) {
      const late = this.lateFires.get(run.taskId) ?? [];
      late.push([run.scheduledAt, run.publishedAt]);
      this.lateFires.set(run.taskId, late);
    }
    const bit = bitOf(run);
    if (s.states[index]! & bit) this.redelivered++;
    s.states[index]! |= bit;
  }

  /** The account of every expected slot due by `until` (epoch ms). */
  summary(until: number): LedgerSummary {
    const orphans = this.orphans;
    this.orphans = [];
    for (const run of orphans) this.take(run);
    const out: LedgerSummary = {
      expected: 0,
      handled: 0,
      lost: 0,
      skipped: 0,
      retried: 0,
      redelivered: this.redelivered,
      duplicates: 0,
      unexpected: this.unexpected + this.orphans.length,
      samples: [
        ...this.unexpectedSamples,
        ...this.orphans
          .slice(0, 5)
          .map(
            (r) => `run of an unknown task ${r.taskId} @ ${new Date(r.scheduledAt).toISOString()}`,
          ),
      ],
    };
    let sampled = '';
    const sample = (what: string, taskId: string, slot: number) => {
      // One per task, ten in all: enough to see whether one task or many are affected.
      if (out.samples.length >= 10 || sampled === taskId) return;
      sampled = taskId;
      out.samples.push(`${what} ${taskId} @ ${new Date(slot).toISOString()}`);
    };
    for (const [taskId, s] of this.series) {
      for (let i = 0; i < s.states.length; i++) {
        const slot = s.first + i * s.stepMs;
        if (slot > until) break;
        const state = s.states[i]!;
        out.expected++;
        // A later attempt never fails (the handler fails first attempts only).
        if (state & (FIRST_OK | SECOND_OK | LATER)) out.handled++;
        else if (state === 0 && this.skippedByMisfire(taskId, slot)) out.skipped++;
        else {
          out.lost++;
          sample('lost', taskId, slot);
        }
        const second = state & (SECOND_OK | SECOND_FAILED);
        if (second && state & FIRST_FAILED) out.retried++;
        if ((second && !(state & FIRST_FAILED)) || state & LATER) {
          out.duplicates++;
          sample('duplicate', taskId, slot);
        }
      }
    }
    return out;
  }

  private skippedByMisfire(taskId: string, slot: number): boolean {
    const late = this.lateFires.get(taskId);
    return (
      late !== undefined &&
      late.some(
        ([earlier, publishedAt]) => earlier < slot && publishedAt - slot > this.misfireThresholdMs,
      )
    );
  }
}
