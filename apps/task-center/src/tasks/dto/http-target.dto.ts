import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  HTTP_METHODS,
  HTTP_TARGET_DEFAULTS,
  HTTP_TARGET_LIMITS,
  type HttpMethod,
} from '@task-center/contracts';
import { IsIn, IsInt, IsObject, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/**
 * `target` of a task: call this URL at every fire instead of publishing for SDK workers.
 * The shape is checked here; the URL's rules (scheme, credentials, SSRF) and the headers'
 * names and values in TaskDefinitions, which knows the configuration.
 */
export class HttpTargetDto {
  @ApiProperty({ enum: ['http'], description: 'The only target type: an HTTP(S) request.' })
  @IsIn(['http'], { message: 'target.type must be "http"' })
  type!: 'http';

  @ApiProperty({
    description:
      'Absolute http:// or https:// URL without user:password. Loopback, private, link-local ' +
      '(169.254.169.254 included), carrier-grade NAT, multicast and reserved addresses are ' +
      'refused unless HTTP_TARGET_ALLOW lists them (400 err 40001 here for IP literals and ' +
      'localhost; names are checked on the address connected to at each delivery).',
    maxLength: HTTP_TARGET_LIMITS.urlMaxLength,
    example: 'https://api.example.com/hooks/nightly-report',
  })
  @IsString({ message: 'target.url must be a string' })
  @MaxLength(HTTP_TARGET_LIMITS.urlMaxLength)
  url!: string;

  @ApiPropertyOptional({ enum: HTTP_METHODS, default: HTTP_TARGET_DEFAULTS.method })
  @IsOptional()
  @IsIn(HTTP_METHODS, { message: `target.method must be one of ${HTTP_METHODS.join(', ')}` })
  method?: HttpMethod;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    maxProperties: HTTP_TARGET_LIMITS.maxHeaders,
    description:
      'Sent with every request (content-type defaults to application/octet-stream). Names are ' +
      'HTTP tokens, case-insensitive, each once; not host, hop-by-hop headers, content-length, ' +
      `expect, user-agent, idempotency-key or tc-*; values without control characters; at most ` +
      `${HTTP_TARGET_LIMITS.maxHeaders} headers and ${HTTP_TARGET_LIMITS.headersMaxBytes} bytes. ` +
      'Stored with the task and carried in the fire (like data): do not put secrets here that ' +
      'readers of the tasks API or the HTTP topic must not see.',
    example: { 'content-type': 'application/json', authorization: 'Bearer …' },
  })
  @IsOptional()
  @IsObject({ message: 'target.headers must be an object of header names to string values' })
  headers?: Record<string, string>;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: HTTP_TARGET_LIMITS.timeoutMinS,
    maximum: HTTP_TARGET_LIMITS.timeoutMaxS,
    default: HTTP_TARGET_DEFAULTS.timeoutS,
    description: 'Seconds until the response headers must have arrived; past it, a failed attempt.',
  })
  @IsOptional()
  @IsInt()
  @Min(HTTP_TARGET_LIMITS.timeoutMinS)
  @Max(HTTP_TARGET_LIMITS.timeoutMaxS)
  timeout_s?: number;
}
