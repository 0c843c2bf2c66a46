import { type WorkerIdentity } from '@task-center/contracts';
import { fireIdOf, type FireRecord, type RunEvent, type RunEventKind } from './run-records';

/**
 * - `dispatched`: the latest attempt is out, no outcome yet;
 * - `succeeded`: the latest answered attempt succeeded;
 * - `retrying`: the latest attempt failed or timed out; the next one is scheduled;
 * - `dead`: attempts exhausted, on the dead-letter topic (until redriven).
 */
export type FireState = 'dispatched' | 'succeeded' | 'retrying' | 'dead';

export interface AttemptOutcome {
  kind: RunEventKind;
  at: number;
  error?: string;
  durationMs?: number;
  worker?: WorkerIdentity;
}

export interface AttemptHistory {
  attempt: number;
  messageId: string;
  /** Absent when only an outcome is known (its publish record was not written yet). */
  publishedAt?: number;
  manual?: boolean;
  outcomes: AttemptOutcome[];
}

export interface FireHistory {
  fireId: string;
  taskId: string;
  name: string;
  scheduledAt: number;
  state: FireState;
  attempts: AttemptHistory[];
  lastError?: string;
}

/**
 * Pure: folds the insert-only records of some fires (published attempts and run events,
 * in any order, duplicates allowed) into one history per fire, newest fire first.
 */
export function foldFires(attempts: FireRecord[], events: RunEvent[]): FireHistory[] {
  const fires = new Map<number, FireHistory>();
  const fireOf = (r: { taskId: string; name: string; scheduledAt: number }) => {
    let fire = fires.get(r.scheduledAt);
    if (!fire) {
      fire = {
        fireId: fireIdOf(r.taskId, r.scheduledAt),
        taskId: r.taskId,
        name: r.name,
        scheduledAt: r.scheduledAt,
        state: 'dispatched',
        attempts: [],
      };
      fires.set(r.scheduledAt, fire);
    }
    return fire;
  };
  const attemptOf = (fire: FireHistory, n: number, messageId: string) => {
    let a = fire.attempts.find((x) => x.attempt === n);
    if (!a) {
      a = { attempt: n, messageId, outcomes: [] };
      fire.attempts.push(a);
    }
    return a;
  };
  for (const p of attempts) {
    const a = attemptOf(fireOf(p), p.attempt, p.messageId);
    a.publishedAt = p.publishedAt;
    a.manual = p.manual;
  }
  for (const e of events) {
    const a = attemptOf(fireOf(e), e.attempt, e.messageId);
    if (a.outcomes.some((o) => o.kind === e.kind)) continue;
    a.outcomes.push({
      kind: e.kind,
      at: e.at,
      ...(e.error !== undefined && { error: e.error }),
      ...(e.durationMs !== undefined && { durationMs: e.durationMs }),
      ...(e.worker !== undefined && { worker: e.worker }),
    });
  }
  for (const fire of fires.values()) {
    fire.attempts.sort((x, y) => x.attempt - y.attempt);
    for (const a of fire.attempts) a.outcomes.sort((x, y) => x.at - y.at);
    fire.state = stateOf(fire.attempts);
    const lastError = fire.attempts
      .flatMap((a) => a.outcomes)
      .filter((o) => o.error !== undefined)
      .at(-1)?.error;
    if (lastError !== undefined) fire.lastError = lastError;
  }
  return [...fires.values()].sort((x, y) => y.scheduledAt - x.scheduledAt);
}

function stateOf(attempts: AttemptHistory[]): FireState {
  const latest = attempts.at(-1);
  if (!latest) return 'dispatched';
  const kinds = new Set(latest.outcomes.map((o) => o.kind));
  if (kinds.has('succeeded')) return 'succeeded';
  if (kinds.has('dead') && !kinds.has('redriven')) return 'dead';
  if (kinds.has('failed') || kinds.has('timeout') || kinds.has('redriven')) return 'retrying';
  return 'dispatched';
}
