import { ApiError } from '../errors/api-error';
import { ErrorCode } from '../errors/error-codes';
import { type FailureEvent } from '../repositories/run-events.repository';
import { type FireHistory } from './fire-history';
import { type FireKey, fireIdOf } from './run-records';

/**
 * What the fire search filters by, from the folded state (fire-history.ts):
 * `dispatched` is `pending`; `retrying` is `failed` or `timeout` after the latest attempt's
 * last failure; `succeeded` and `dead` are themselves.
 */
export const RUN_SEARCH_STATES = ['succeeded', 'failed', 'timeout', 'dead', 'pending'] as const;
export type RunSearchState = (typeof RUN_SEARCH_STATES)[number];

export function searchStateOf(fire: FireHistory): RunSearchState {
  switch (fire.state) {
    case 'succeeded':
    case 'dead':
      return fire.state;
    case 'dispatched':
      return 'pending';
    case 'retrying': {
      const failures = (fire.attempts.at(-1)?.outcomes ?? []).filter(
        (o) => o.kind === 'failed' || o.kind === 'timeout',
      );
      // A redriven dead attempt keeps its failure; without one nothing is known yet.
      return (failures.at(-1)?.kind as 'failed' | 'timeout' | undefined) ?? 'pending';
    }
  }
}

const SECOND = 1000;
export const DEFAULT_WINDOW_MS = 24 * 3600 * SECOND;
export const MAX_WINDOW_MS = 7 * 24 * 3600 * SECOND;

/**
 * [from, to) in epoch ms from the query's unix seconds: `to` defaults to now (the next whole
 * second), `from` to a day before `to`; at most 7 days.
 */
export function windowOf(
  fromS: number | undefined,
  toS: number | undefined,
  now: number,
): { from: number; to: number } {
  const to = toS !== undefined ? toS * SECOND : (Math.floor(now / SECOND) + 1) * SECOND;
  const from = fromS !== undefined ? fromS * SECOND : to - DEFAULT_WINDOW_MS;
  if (from >= to) throw new ApiError(ErrorCode.INVALID_PARAM, 'from must be before to');
  if (to - from > MAX_WINDOW_MS) {
    throw new ApiError(ErrorCode.INVALID_PARAM, 'from..to must span at most 7 days (604800 s)');
  }
  return { from, to };
}

const CURSOR = /^(\d{1,15})\.([0-9a-f]{24})$/;

/** Opaque to callers: the last fire of a page (scheduled ms, task id), base64url. */
export const encodeCursor = (k: FireKey): string =>
  Buffer.from(`${k.scheduledAt}.${k.taskId}`).toString('base64url');

export function decodeCursor(cursor: string): FireKey {
  const m = CURSOR.exec(Buffer.from(cursor, 'base64url').toString('latin1'));
  if (!m || encodeCursor({ scheduledAt: Number(m[1]), taskId: m[2]! }) !== cursor) {
    throw new ApiError(
      ErrorCode.INVALID_PARAM,
      'cursor must be the next_cursor of a previous page',
    );
  }
  return { scheduledAt: Number(m[1]), taskId: m[2]! };
}

export interface ErrorGroup {
  error: string;
  count: number;
  /** Epoch ms of the first and the last event. */
  firstSeen: number;
  lastSeen: number;
  /** Up to MAX_NAMES task names, in the order first seen. */
  names: string[];
  /** The latest event of the group. */
  example: { fireId: string; messageId: string };
}

const MAX_NAMES = 10;

/**
 * Failure events grouped by error message, largest count first (then the latest). Memory is
 * one entry per distinct message, whatever the number of events. An event without a message
 * is grouped under "".
 */
export class ErrorGroups {
  private readonly groups = new Map<string, ErrorGroup>();

  add(e: FailureEvent): void {
    const error = e.error ?? '';
    const g = this.groups.get(error);
    const example = { fireId: fireIdOf(e.taskId, e.scheduledAt), messageId: e.messageId };
    if (!g) {
      this.groups.set(error, {
        error,
        count: 1,
        firstSeen: e.at,
        lastSeen: e.at,
        names: [e.name],
        example,
      });
      return;
    }
    g.count += 1;
    g.firstSeen = Math.min(g.firstSeen, e.at);
    if (e.at >= g.lastSeen) {
      g.lastSeen = e.at;
      g.example = example;
    }
    if (g.names.length < MAX_NAMES && !g.names.includes(e.name)) g.names.push(e.name);
  }

  top(limit: number): ErrorGroup[] {
    return [...this.groups.values()]
      .sort(
        (x, y) =>
          y.count - x.count ||
          y.lastSeen - x.lastSeen ||
          (x.error < y.error ? -1 : x.error > y.error ? 1 : 0),
      )
      .slice(0, limit);
  }
}
