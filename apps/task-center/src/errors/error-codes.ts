/**
 * Stable numeric error codes of the `{"err": code, "msg": reason}` body. The first three
 * digits are the HTTP status, the last two number the reasons within it. Never reuse one.
 */
export const ErrorCode = {
  INVALID_PARAM: 40001,
  MALFORMED_JSON: 40002,
  INVALID_SCHEDULE: 40003,
  UNAUTHORIZED: 40101,
  /** A known API key whose scope (admin, write, read) does not allow the route. */
  FORBIDDEN_SCOPE: 40301,
  TASK_NOT_FOUND: 40401,
  ROUTE_NOT_FOUND: 40402,
  FIRE_NOT_FOUND: 40403,
  DEAD_LETTER_NOT_FOUND: 40404,
  METHOD_NOT_ALLOWED: 40501,
  KEY_CONFLICT: 40901,
  STATE_CONFLICT: 40902,
  BODY_TOO_LARGE: 41301,
  DATA_TOO_LARGE: 41302,
  UNSUPPORTED_MEDIA_TYPE: 41501,
  INTERNAL: 50001,
  UNAVAILABLE: 50301,
} as const;

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

/** HTTP status of a code: its first three digits. */
export const statusOf = (code: ErrorCodeValue): number => Math.floor(code / 100);
