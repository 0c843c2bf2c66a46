import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { type ClassConstructor, plainToInstance } from 'class-transformer';
import { validateSync, type ValidatorOptions } from 'class-validator';
import { ApiError } from '../errors/api-error';
import { ErrorCode } from '../errors/error-codes';

/** Flattens nested errors into "retry.delay must not be less than 1" style messages. */
function messages(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((e) => {
    const path = `${prefix}${e.property}`;
    const own = Object.values(e.constraints ?? {}).map((m) =>
      prefix && m.startsWith(`${e.property} `) ? `${prefix}${m}` : m,
    );
    return [...own, ...messages(e.children ?? [], `${path}.`)];
  });
}

const VALIDATOR_OPTIONS: ValidatorOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  validationError: { target: false, value: false },
};

/** Strict input: unknown fields are rejected, types are never coerced in JSON bodies. */
export function apiValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    ...VALIDATOR_OPTIONS,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors) =>
      new ApiError(ErrorCode.INVALID_PARAM, messages(errors).join('; ')),
  });
}

/**
 * `plain` checked as the pipe checks a body of class `type`, with the same message: for the
 * items of a bulk body, each validated on its own (one bad item must not fail the request).
 * @throws ApiError 40001 naming every field and rule broken.
 */
export function validatedAs<T extends object>(type: ClassConstructor<T>, plain: object): T {
  const value = plainToInstance(type, plain, { enableImplicitConversion: false });
  const errors = validateSync(value, VALIDATOR_OPTIONS);
  if (errors.length > 0) throw new ApiError(ErrorCode.INVALID_PARAM, messages(errors).join('; '));
  return value;
}
