import { ValidationPipe, type ValidationError } from '@nestjs/common';
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

/** Strict input: unknown fields are rejected, types are never coerced in JSON bodies. */
export function apiValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) =>
      new ApiError(ErrorCode.INVALID_PARAM, messages(errors).join('; ')),
  });
}
