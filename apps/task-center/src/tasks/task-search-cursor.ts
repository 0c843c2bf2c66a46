import { type TaskSearchPosition, type TaskSearchSort } from '../repositories/tasks.repository';
import { ApiError } from '../errors/api-error';
import { ErrorCode } from '../errors/error-codes';

/**
 * The search's opaque cursor: base64url of `<sort>:<key>:<id>`, where key is the last task's
 * sort value in epoch ms (`-` for a task without a next run) and id its `_id`.
 */
const SORT_TAGS: Record<TaskSearchSort, string> = { created_at: 'c', next_run_at: 'n' };
const CURSOR_TEXT = /^([cn]):(-|\d{1,16}):([0-9a-f]{24})$/;
const CURSOR_SHAPE = /^[A-Za-z0-9_-]{1,200}$/;
const MALFORMED = 'cursor is malformed: pass the next_cursor of a previous page unchanged';

export function encodeCursor(sort: TaskSearchSort, at: TaskSearchPosition): string {
  const key = at.key === null ? '-' : String(at.key);
  return Buffer.from(`${SORT_TAGS[sort]}:${key}:${at.id}`).toString('base64url');
}

/** @throws ApiError (400) naming what is wrong with the cursor. */
export function decodeCursor(cursor: string, sort: TaskSearchSort): TaskSearchPosition {
  const text = CURSOR_SHAPE.test(cursor) ? Buffer.from(cursor, 'base64url').toString() : '';
  const parts = CURSOR_TEXT.exec(text);
  if (!parts) {
    throw new ApiError(ErrorCode.INVALID_PARAM, MALFORMED);
  }
  const [, tag, key, id] = parts as unknown as [string, string, string, string];
  const madeFor = (Object.keys(SORT_TAGS) as TaskSearchSort[]).find((s) => SORT_TAGS[s] === tag)!;
  if (madeFor !== sort) {
    throw new ApiError(
      ErrorCode.INVALID_PARAM,
      `cursor belongs to a search with sort=${madeFor}, not sort=${sort}: repeat that sort or start without a cursor`,
    );
  }
  // Every task has a created_at: only a next_run_at cursor may stand on "no next run".
  if (key === '-' && sort === 'created_at') throw new ApiError(ErrorCode.INVALID_PARAM, MALFORMED);
  return { key: key === '-' ? null : Number(key), id };
}
