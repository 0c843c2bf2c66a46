import { ApiError } from '../errors/api-error';
import { ErrorCode } from '../errors/error-codes';
import { createTasksResponse, planCreates } from './create-tasks.plan';
import { loopTaskAt } from './task.fixtures';

describe('planCreates', () => {
  it('inserts every valid item without a key and the first of each key, in request order', () => {
    const plan = planCreates(['a', undefined, null, 'b', 'a', undefined, 'a', 'b']);
    expect(plan.inserted).toEqual([0, 1, 3, 5]);
    expect([...plan.repeats]).toEqual([
      [0, [4, 6]],
      [3, [7]],
    ]);
  });

  it('an invalid first item does not hold its key: the next valid one inserts it', () => {
    // null is an item that failed validation, whatever key it carried.
    const plan = planCreates([null, 'k', 'k']);
    expect(plan.inserted).toEqual([1]);
    expect(plan.repeats.get(1)).toEqual([2]);
  });

  it('plans nothing for a request of invalid items', () => {
    expect(planCreates([null, null])).toEqual({ inserted: [], repeats: new Map() });
  });
});

describe('createTasksResponse', () => {
  it('keeps request order and maps each outcome to the single create answer or its error', () => {
    const a = loopTaskAt(1000, { name: 'a' });
    const b = loopTaskAt(2000, { name: 'b' });
    const response = createTasksResponse([
      { ok: true, value: { task: a, created: true } },
      { ok: false, error: new ApiError(ErrorCode.INVALID_SCHEDULE, 'bad crontab') },
      { ok: true, value: { task: b, created: false } },
      { ok: true, value: { task: a, created: false } },
      { ok: false, error: new ApiError(ErrorCode.DATA_TOO_LARGE, 'too big') },
    ]);
    expect(response).toEqual({
      results: [
        { ok: true, taskid: a.id, name: 'a', created: true },
        { ok: false, err: 40003, msg: 'bad crontab' },
        { ok: true, taskid: b.id, name: 'b', created: false },
        { ok: true, taskid: a.id, name: 'a', created: false },
        { ok: false, err: 41302, msg: 'too big' },
      ],
      created: 1,
      existing: 2,
      failed: 2,
    });
  });
});
