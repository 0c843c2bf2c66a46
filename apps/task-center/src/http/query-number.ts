import { Transform } from 'class-transformer';

const DECIMAL = /^-?\d+(\.\d+)?$/;

/**
 * A number in a query string: a decimal numeral becomes its number; anything else (an empty
 * value, "1e3", " 5") stays a string for the property's number rule to reject with its own
 * message. `@Type(() => Number)` would read "" as 0 and accept it.
 */
export function QueryNumber(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && DECIMAL.test(value) ? Number(value) : value,
  );
}
