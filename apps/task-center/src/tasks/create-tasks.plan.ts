import { type Settled } from '../bulk/settle-each';
import { type CreateTaskItemResult, type CreateTasksResponse } from './dto/create-tasks.dto';
import { type CreateResult } from './tasks.service';

/**
 * How the items of a bulk create are written: the first item of each key (and every item
 * without one) goes into the one insert; a later item with the same key is a repeat, answered
 * after it, as if the items had been sent one by one in order.
 */
export interface CreatePlan {
  /** Indexes of the items inserted together, in request order. */
  inserted: number[];
  /** Per key that repeats: the later items with it, in request order, by the first one's index. */
  repeats: Map<number, number[]>;
}

/**
 * `keys[i]`: item i's key, undefined when it has none, null when the item is invalid (it
 * takes part in nothing).
 */
export function planCreates(keys: readonly (string | undefined | null)[]): CreatePlan {
  const firstWithKey = new Map<string, number>();
  const plan: CreatePlan = { inserted: [], repeats: new Map() };
  keys.forEach((key, i) => {
    if (key === null) return;
    const first = key === undefined ? undefined : firstWithKey.get(key);
    if (first === undefined) {
      if (key !== undefined) firstWithKey.set(key, i);
      plan.inserted.push(i);
    } else {
      plan.repeats.set(first, [...(plan.repeats.get(first) ?? []), i]);
    }
  });
  return plan;
}

/** The wire form of one item's outcome: the single create's answer, or its own error. */
export function itemResult(outcome: Settled<CreateResult>): CreateTaskItemResult {
  if (!outcome.ok) return { ok: false, err: outcome.error.code, msg: outcome.error.message };
  const { task, created } = outcome.value;
  return { ok: true, taskid: task.id, name: task.name, created };
}

/** The response: every item's result in request order, counted. */
export function createTasksResponse(outcomes: Settled<CreateResult>[]): CreateTasksResponse {
  const results = outcomes.map(itemResult);
  const created = results.filter((r) => r.created === true).length;
  const failed = results.filter((r) => !r.ok).length;
  return { results, created, existing: results.length - created - failed, failed };
}
