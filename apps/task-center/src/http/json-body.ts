import { json, type RequestHandler } from 'express';
import { ApiError } from '../errors/api-error';
import { ErrorCode } from '../errors/error-codes';

/** body-parser marks its errors with a `type`; turn the ones a client causes into ApiErrors. */
function toApiError(err: Error & { type?: string }, limitBytes: number): ApiError {
  switch (err.type) {
    case 'entity.parse.failed':
      return new ApiError(ErrorCode.MALFORMED_JSON, `malformed JSON body: ${err.message}`);
    case 'entity.too.large':
      return new ApiError(
        ErrorCode.BODY_TOO_LARGE,
        `request body is over the limit of ${limitBytes} bytes (HTTP_BODY_LIMIT_BYTES)`,
      );
    default:
      return new ApiError(ErrorCode.INVALID_PARAM, `unreadable request body: ${err.message}`);
  }
}

/**
 * The JSON body parser, with its errors in our shape. Nest would otherwise turn a parse
 * error into a plain 400 that cannot be told apart from a validation failure.
 */
export function jsonBody(limitBytes: number): RequestHandler {
  const parse = json({ limit: limitBytes, strict: true });
  return (req, res, next) =>
    parse(req, res, (err?: unknown) =>
      next(err ? toApiError(err as Error, limitBytes) : undefined),
    );
}
