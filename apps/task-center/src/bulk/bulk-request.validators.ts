import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsInt,
  Max,
  Min,
  registerDecorator,
  ValidateIf,
  type ValidationArguments,
} from 'class-validator';

/** Whether a body field is present (`null` counts: it is then refused by the field's rules). */
export const given = (o: object, property: string): boolean =>
  (o as Record<string, unknown>)[property] !== undefined;

/** Fails when the property and `other` are both given (checked on the property). */
export function NotWith(other: string, message: string): PropertyDecorator {
  return (target, property) =>
    registerDecorator({
      name: 'notWith',
      target: target.constructor,
      propertyName: String(property),
      options: { message },
      validator: {
        validate: (value: unknown, args: ValidationArguments) =>
          value === undefined || !given(args.object, other),
      },
    });
}

/** Fails on an object none of whose `fields` is given: an empty filter is never implied. */
export function NamesOneOf(fields: readonly string[], message: string): PropertyDecorator {
  return (target, property) =>
    registerDecorator({
      name: 'namesOneOf',
      target: target.constructor,
      propertyName: String(property),
      options: { message },
      validator: {
        validate: (value: unknown) =>
          typeof value !== 'object' || value === null || fields.some((f) => given(value, f)),
      },
    });
}

/**
 * The `limit` of a bulk request: with a filter only (not with the ids field `idsField`), an
 * integer in 1..max, max when absent. `items` and `done` word it: "tasks", "acted on".
 */
export function FilterLimit(
  max: number,
  idsField: string,
  items: string,
  done: string,
): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      description: `With filter only: the most ${items} ${done} in this request.`,
      type: 'integer',
      minimum: 1,
      maximum: max,
      default: max,
    }),
    ValidateIf((o: object) => given(o, 'limit')),
    NotWith(idsField, `limit goes with filter: with ${idsField}, every id given is ${done}`),
    IsInt({ message: 'limit must be an integer' }),
    Min(1, { message: 'limit must be at least 1' }),
    Max(max, { message: `limit must be at most ${max}` }),
  );
}
