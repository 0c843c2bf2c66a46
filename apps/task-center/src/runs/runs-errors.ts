import { type ErrorCodeValue } from '../errors/error-codes';

/**
 * Codes of the runs API not in errors/error-codes.ts yet (that file belongs to the API
 * owner; these numbers should move there). Same `{err, msg}` shape, first three digits = status.
 */
export const RunsErrorCode = {
  FIRE_NOT_FOUND: 40403 as number as ErrorCodeValue,
  DEAD_LETTER_NOT_FOUND: 40404 as number as ErrorCodeValue,
} as const;
