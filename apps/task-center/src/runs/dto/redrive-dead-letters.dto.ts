import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsDefined,
  IsInt,
  IsObject,
  IsString,
  Matches,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
  registerDecorator,
  type ValidationArguments,
} from 'class-validator';
import { FilterLimit, given, NamesOneOf, NotWith } from '../../bulk/bulk-request.validators';
import { MAX_UNIX_SECONDS, TAG_PATTERN, TAG_RULE } from '../../tasks/dto/task-fields';

export const REDRIVE_MAX_ITEMS = 1000;
/** As `message_id` of GET /v1/api/dead-letters: `<task id>:<scheduled ms>:<attempt>`. */
const MESSAGE_ID = /^[0-9a-f]{24}:\d{1,15}:\d{1,4}$/;

/** Fails unless the property is later than `other` (when both are given). */
function LaterThan(other: string, message: string): PropertyDecorator {
  return (target, property) =>
    registerDecorator({
      name: 'laterThan',
      target: target.constructor,
      propertyName: String(property),
      options: { message },
      validator: {
        validate: (value: unknown, args: ValidationArguments) => {
          const from = (args.object as Record<string, unknown>)[other];
          return typeof value !== 'number' || typeof from !== 'number' || value > from;
        },
      },
    });
}

const UNIX_SECONDS = { type: 'integer', minimum: 0, maximum: MAX_UNIX_SECONDS } as const;

export class DeadLetterFilterDto {
  @ApiPropertyOptional({ description: 'Task name, exact.', pattern: TAG_PATTERN.source })
  @ValidateIf((o: object) => given(o, 'name'))
  @IsString({ message: 'filter.name must be a string' })
  @Matches(TAG_PATTERN, { message: `filter.name ${TAG_RULE}` })
  name?: string;

  @ApiPropertyOptional({ description: 'Unix seconds: dead at or after this.', ...UNIX_SECONDS })
  @ValidateIf((o: object) => given(o, 'since'))
  @IsInt({ message: 'filter.since must be unix seconds (an integer)' })
  @Min(0, { message: 'filter.since must be unix seconds (an integer)' })
  @Max(MAX_UNIX_SECONDS, { message: `filter.since must be at most ${MAX_UNIX_SECONDS}` })
  since?: number;

  @ApiPropertyOptional({
    description: 'Unix seconds: dead before this (exclusive); later than since.',
    ...UNIX_SECONDS,
  })
  @ValidateIf((o: object) => given(o, 'until'))
  @IsInt({ message: 'filter.until must be unix seconds (an integer)' })
  @Min(0, { message: 'filter.until must be unix seconds (an integer)' })
  @Max(MAX_UNIX_SECONDS, { message: `filter.until must be at most ${MAX_UNIX_SECONDS}` })
  @LaterThan('since', 'filter.until must be later than filter.since')
  until?: number;
}

export class RedriveDeadLettersDto {
  @ApiPropertyOptional({
    description:
      "Dead letters' `message_id`s, redriven in this order; one result per id. Exactly one of message_ids and filter. Needs a write key.",
    type: 'array',
    items: { type: 'string', pattern: MESSAGE_ID.source },
    minItems: 1,
    maxItems: REDRIVE_MAX_ITEMS,
  })
  @ValidateIf((o: object) => given(o, 'message_ids') || !given(o, 'filter'))
  @IsDefined({ message: 'give exactly one of message_ids and filter' })
  @IsArray({ message: 'message_ids must be an array of message ids' })
  @ArrayMinSize(1, { message: 'message_ids must hold at least 1 message id' })
  @ArrayMaxSize(REDRIVE_MAX_ITEMS, {
    message: `message_ids must hold at most ${REDRIVE_MAX_ITEMS} message ids`,
  })
  @Matches(MESSAGE_ID, {
    each: true,
    message: 'each value in message_ids must be <task id>:<scheduled epoch ms>:<attempt>',
  })
  message_ids?: string[];

  @ApiPropertyOptional({
    type: DeadLetterFilterDto,
    description:
      'Redrives the dead letters matching every field given, oldest dead first, at most `limit` per request; a redriven one leaves the list, so repeating the request converges. Dead letters of deleted tasks are not selected. At least one field (to redrive every one, give since: 0). Needs an admin key.',
  })
  @ValidateIf((o: object) => given(o, 'filter'))
  @NotWith('message_ids', 'give exactly one of message_ids and filter, not both')
  @IsObject({ message: 'filter must be an object' })
  @ValidateNested()
  @Type(() => DeadLetterFilterDto)
  @NamesOneOf(
    ['name', 'since', 'until'],
    'filter must give at least one of name, since, until (to redrive every dead letter, give since: 0)',
  )
  filter?: DeadLetterFilterDto;

  @FilterLimit(REDRIVE_MAX_ITEMS, 'message_ids', 'dead letters', 'redriven')
  limit?: number;
}

export class RedriveResultDto {
  @ApiProperty({ description: "The dead letter's message id, as given or as found." })
  message_id!: string;

  @ApiProperty({ description: 'true: queued as its next attempt; false: see err, msg.' })
  ok!: boolean;

  @ApiPropertyOptional({ description: 'With ok: the message id of the new attempt.' })
  redriven_as?: string;

  @ApiPropertyOptional({ description: 'With ok: the number of the new attempt.', type: 'integer' })
  attempt?: number;

  @ApiPropertyOptional({
    description:
      'Without ok: the code redrive-dead-letter answers (40404 no such dead letter, 40401 its task was deleted, 40902 being redriven).',
    type: 'integer',
    example: 40404,
  })
  err?: number;

  @ApiPropertyOptional({ description: 'Without ok: why.' })
  msg?: string;
}

export class RedriveDeadLettersResponse {
  @ApiProperty({
    type: [RedriveResultDto],
    description: 'By message_ids: one per id, in the order given. By filter: oldest dead first.',
  })
  results!: RedriveResultDto[];

  @ApiProperty({ description: 'Results with ok: true.', type: 'integer' })
  succeeded!: number;

  @ApiProperty({ description: 'Results with ok: false.', type: 'integer' })
  failed!: number;

  @ApiProperty({
    description:
      'By filter: more dead letters match than were redriven; repeat the request. Always false by message_ids.',
  })
  more!: boolean;
}
