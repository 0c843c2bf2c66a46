import { Transform } from 'class-transformer';

/**
 * A boolean in a query string: `true` and `false` become booleans; anything else (`1`, `yes`,
 * an empty value) stays a string for the property's boolean rule to reject with its own message.
 */
export function QueryBoolean(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) =>
    value === 'true' ? true : value === 'false' ? false : value,
  );
}
