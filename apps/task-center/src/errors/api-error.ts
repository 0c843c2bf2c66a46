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
