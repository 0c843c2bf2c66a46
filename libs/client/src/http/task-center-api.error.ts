/**
 * A failed call to the task center. `status` and `err` are the HTTP status and the API's
 * numeric code (its first three digits are the status, e.g. 40401 = no such task); both are
 * 0 when no answer came back (timeout, connection refused), with the reason in `msg`.
 */
export class TaskCenterApiError extends Error {
  override readonly name = 'TaskCenterApiError';

  constructor(
    readonly status: number,
    readonly err: number,
    readonly msg: string,
    options?: { cause?: unknown },
  ) {
    super(status === 0 ? msg : `task center answered ${status} (${err}): ${msg}`, options);
  }
}
