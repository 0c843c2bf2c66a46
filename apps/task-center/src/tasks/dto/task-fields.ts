/** Limits shared by the create, update and preview bodies. */
export const TAG_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:@/-]{0,199}$/;
export const TAG_RULE =
  'must be 1-200 characters of letters, digits and _ . : @ / - starting with a letter or digit (no spaces, "||" or "*")';
/** 9999-12-31T23:59:59Z: anything later is a unit mistake (milliseconds sent as seconds). */
export const MAX_UNIX_SECONDS = 253_402_300_799;
export const MAX_LOOP_SECONDS = 10 * 366 * 86_400;
export const MAX_LOOP_COUNT = 1_000_000_000;
export const MAX_RUNTIME_SECONDS = 7 * 86_400;
export const MAX_RETRY_ATTEMPTS = 100;
export const MAX_RETRY_DELAY_SECONDS = 7 * 86_400;
/** A task id as `IsMongoId` accepts it: 24 hex digits, either case. */
export const TASK_ID_PATTERN = '^[0-9a-fA-F]{24}$';
/** The API-property options of a task id. */
export const TASK_ID_PROPERTY = {
  pattern: TASK_ID_PATTERN,
  description: 'A task id: 24 hex digits.',
  example: '6740a5f3c2d1e0b9a8f7e6d5',
} as const;
/** A string with no control characters (U+0000..U+001F). */
export const NO_CONTROL_CHARACTERS = '^[^\\u0000-\\u001f]*$';
export const MISFIRE_POLICIES = ['fire_once', 'skip', 'fire_all'] as const;
