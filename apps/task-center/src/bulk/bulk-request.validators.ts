import { registerDecorator, type ValidationArguments } from 'class-validator';

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
