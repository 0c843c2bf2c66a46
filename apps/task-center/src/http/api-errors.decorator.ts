import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { type SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { ErrorCode, type ErrorCodeValue, statusOf } from '../errors/error-codes';

/** What each code means: the document's descriptions and example messages. */
export const ERROR_MEANINGS: Record<ErrorCodeValue, string> = {
  [ErrorCode.INVALID_PARAM]: 'invalid parameter (the message names the field and the rule)',
  [ErrorCode.MALFORMED_JSON]: 'malformed JSON body',
  [ErrorCode.INVALID_SCHEDULE]:
    'invalid schedule: crontab, time zone, window, or a task that would never fire',
  [ErrorCode.UNAUTHORIZED]: 'API key missing or unknown (with API_KEYS set)',
  [ErrorCode.FORBIDDEN_SCOPE]: "the API key's scope does not allow this route",
  [ErrorCode.TASK_NOT_FOUND]: 'no such task',
  [ErrorCode.ROUTE_NOT_FOUND]: 'no such route',
  [ErrorCode.FIRE_NOT_FOUND]: 'no such fire',
  [ErrorCode.DEAD_LETTER_NOT_FOUND]: 'no such dead letter (or already redriven)',
  [ErrorCode.METHOD_NOT_ALLOWED]:
    'the path does not take this method (Allow lists the ones it does)',
  [ErrorCode.KEY_CONFLICT]: 'the key belongs to another task',
  [ErrorCode.STATE_CONFLICT]: "the task's status does not allow this",
  [ErrorCode.BODY_TOO_LARGE]: 'request body over HTTP_BODY_LIMIT_BYTES',
  [ErrorCode.DATA_TOO_LARGE]: 'data over TASK_DATA_MAX_BYTES',
  [ErrorCode.UNSUPPORTED_MEDIA_TYPE]: 'content-type must be application/json',
  [ErrorCode.INTERNAL]: 'internal error; the message carries an id to find in the log',
  [ErrorCode.UNAVAILABLE]: 'a resource is busy for longer than the server waits; retry shortly',
};

/** The one error body, `{"err": <code>, "msg": <reason>}`, with the codes a response may carry. */
export function errorSchema(codes: readonly ErrorCodeValue[]): SchemaObject {
  const sorted = [...new Set(codes)].sort((a, b) => a - b);
  const first = sorted[0] ?? ErrorCode.INTERNAL;
  return {
    type: 'object',
    required: ['err', 'msg'],
    additionalProperties: false,
    properties: {
      err: {
        type: 'integer',
        enum: sorted,
        description: 'Stable code; its first 3 digits are the status.',
      },
      msg: { type: 'string', description: 'The precise reason.' },
    },
    example: { err: first, msg: ERROR_MEANINGS[first] },
  };
}

/** The description of one error status: its codes and what they mean. */
export function errorDescription(codes: readonly ErrorCodeValue[]): string {
  return [...new Set(codes)]
    .sort((a, b) => a - b)
    .map((code) => `${code}: ${ERROR_MEANINGS[code]}`)
    .join('; ');
}

/**
 * Declares the error answers of a route (or of every route of a controller) by code: one
 * response per status, with the `{err, msg}` schema restricted to those codes. Errors every
 * route may give (bad parameter, API key, content type, body size, 500) are added to the
 * whole document by `completeOpenApiDocument`; declare here what is particular to the route:
 * `@ApiErrors(ErrorCode.TASK_NOT_FOUND, ErrorCode.STATE_CONFLICT)`.
 */
export function ApiErrors(...codes: ErrorCodeValue[]): MethodDecorator & ClassDecorator {
  const byStatus = new Map<number, ErrorCodeValue[]>();
  for (const code of codes) {
    byStatus.set(statusOf(code), [...(byStatus.get(statusOf(code)) ?? []), code]);
  }
  return applyDecorators(
    ...[...byStatus].map(([status, group]) =>
      ApiResponse({ status, description: errorDescription(group), schema: errorSchema(group) }),
    ),
  );
}
