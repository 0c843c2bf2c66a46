import { Injectable } from '@nestjs/common';
import { FiresRepository } from '../repositories/fires.repository';
import { RunEventsRepository } from '../repositories/run-events.repository';
import { type FireHistory, foldFires } from './fire-history';
import { type FireKey, type FireRecord, type RunEvent } from './run-records';
import {
  decodeCursor,
  encodeCursor,
  type ErrorGroup,
  ErrorGroups,
  type RunSearchState,
  searchStateOf,
  windowOf,
} from './run-search';

export interface RunSearch {
  states?: RunSearchState[];
  name?: string;
  taskId?: string;
  /** Unix seconds of the scheduled time, [from, to). */
  from?: number;
  to?: number;
  limit?: number;
  cursor?: string;
}

/** Fires read per round when a state filter drops some (a state is known only once folded). */
const SCAN_BATCH = 500;
/** Fires examined per request at most: a rare state over a busy window answers in pages. */
const SCAN_BUDGET = 5000;

/**
 * Finding fires across tasks (GET runs) and failures by message (GET run-errors). Work is
 * bounded per request: at most SCAN_BUDGET fires folded, and only the window's failure events.
 */
@Injectable()
export class RunSearchService {
  constructor(
    private readonly fires: FiresRepository,
    private readonly events: RunEventsRepository,
  ) {}

  /**
   * A page of fires, newest first (scheduled time, then message id). With a state filter a
   * page may hold fewer than `limit` fires (even none) and still have a `nextCursor`: the
   * scan budget ran out before the window did.
   */
  async search(
    q: RunSearch,
    now = Date.now(),
  ): Promise<{ fires: FireHistory[]; nextCursor: string | null }> {
    const { from, to } = windowOf(q.from, q.to, now);
    const limit = q.limit ?? 50;
    const states = q.states?.length ? new Set(q.states) : undefined;
    const batch = states ? Math.max(SCAN_BATCH, limit + 1) : limit + 1;
    const found: FireHistory[] = [];
    let after: FireKey | undefined = q.cursor ? decodeCursor(q.cursor) : undefined;
    for (let examined = 0; ;) {
      const keys = await this.fires.search({
        from,
        to,
        name: q.name,
        taskId: q.taskId,
        after,
        limit: batch,
      });
      examined += keys.length;
      const folded = await this.fold(keys);
      for (const fire of folded) {
        if (states && !states.has(searchStateOf(fire))) continue;
        found.push(fire);
        if (found.length > limit) {
          const page = found.slice(0, limit);
          return { fires: page, nextCursor: encodeCursor(page.at(-1)!) };
        }
      }
      if (keys.length < batch) return { fires: found, nextCursor: null };
      after = keys.at(-1)!;
      if (examined >= SCAN_BUDGET) return { fires: found, nextCursor: encodeCursor(after) };
    }
  }

  /** Failure events recorded in the window, grouped by error message, largest count first. */
  async errors(
    q: { from?: number; to?: number; limit?: number },
    now = Date.now(),
  ): Promise<ErrorGroup[]> {
    const { from, to } = windowOf(q.from, q.to, now);
    const groups = new ErrorGroups();
    for await (const e of this.events.failures(from, to)) groups.add(e);
    return groups.top(q.limit ?? 20);
  }

  /** The histories of these fires, in the keys' order. */
  private async fold(keys: FireKey[]): Promise<FireHistory[]> {
    if (keys.length === 0) return [];
    const [attempts, events] = await Promise.all([
      this.fires.ofFires(keys),
      this.events.ofFires(keys),
    ]);
    // foldFires folds one task's fires: fold per task, then put them back in the keys' order.
    const byTask = new Map<string, { attempts: FireRecord[]; events: RunEvent[] }>();
    const of = (taskId: string) => {
      let t = byTask.get(taskId);
      if (!t) byTask.set(taskId, (t = { attempts: [], events: [] }));
      return t;
    };
    for (const a of attempts) of(a.taskId).attempts.push(a);
    for (const e of events) of(e.taskId).events.push(e);
    const byId = new Map(
      [...byTask.values()]
        .flatMap((t) => foldFires(t.attempts, t.events))
        .map((f) => [f.fireId, f]),
    );
    return keys.flatMap((k) => {
      const fire = byId.get(`${k.taskId}:${k.scheduledAt}`);
      return fire ? [fire] : [];
    });
  }
}
