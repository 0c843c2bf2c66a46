import { type ErrorCodeValue, statusOf } from './error-codes';

/** An error the API reports to its caller as is: a stable code and a precise message. */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly code: ErrorCodeValue,
    message: string,
  ) {
    super(message);
  }

  get status(): number {
    return statusOf(this.code);
  }
}

/**
 * A temporary condition below the API (a resource busy for longer than we wait): the caller
 * gets 503 with code 50301 and may retry. Thrown by layers that know nothing of HTTP.
 */
export class TemporarilyUnavailableError extends Error {
  override readonly name = 'TemporarilyUnavailableError';
}
