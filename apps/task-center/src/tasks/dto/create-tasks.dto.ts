import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { registerDecorator } from 'class-validator';

/** The most tasks one POST /v1/api/create-tasks takes (the SDK sends more in several). */
export const CREATE_TASKS_MAX_ITEMS = 1000;

export class CreateTasksDto {
  @ApiProperty({
    description:
      `1..${CREATE_TASKS_MAX_ITEMS} task bodies, each exactly what POST /v1/api/task takes ` +
      '(CreateTaskDto). Each is validated on its own: a bad item gets its own {ok: false, err, ' +
      'msg} result and the others are created; only a non-object item fails the request.',
    type: 'array',
    // Kept open here: an item the task rules refuse is an answer of 200, not a bad request.
    items: { type: 'object', additionalProperties: true },
    minItems: 1,
    maxItems: CREATE_TASKS_MAX_ITEMS,
    example: [
      { name: 'mail.remind', type: 1, data: '{"user":7}', key: 'remind:7' },
      { name: 'reports.daily', type: 3, data: '', crontab: '0 30 2 * * *', key: 'daily' },
    ],
  })
  @TaskList(CREATE_TASKS_MAX_ITEMS)
  tasks!: object[];
}

/** What is wrong with the list of tasks as a whole, or undefined (its items are checked one by one). */
export function taskListProblem(value: unknown, max: number): string | undefined {
  if (!Array.isArray(value)) return 'tasks must be an array of task definitions';
  if (value.length === 0) return 'tasks must hold at least 1 task';
  if (value.length > max) {
    return `tasks must hold at most ${max} tasks; send more in several requests`;
  }
  const at = value.findIndex(
    (item) => typeof item !== 'object' || item === null || Array.isArray(item),
  );
  if (at >= 0) return `tasks[${at}] must be an object (a task definition)`;
  return undefined;
}

/** One message for the list: the first rule it breaks (class-validator would list them all). */
function TaskList(max: number): PropertyDecorator {
  return (target, property) =>
    registerDecorator({
      name: 'taskList',
      target: target.constructor,
      propertyName: String(property),
      validator: {
        validate: (value: unknown) => taskListProblem(value, max) === undefined,
        defaultMessage: (args) => taskListProblem(args?.value, max) ?? '',
      },
    });
}

/** One item's result: what POST /v1/api/task answers for it, or its own error. */
export class CreateTaskItemResult {
  @ApiProperty({ description: 'true: created or found by key; false: see err, msg.' })
  ok!: boolean;
  @ApiPropertyOptional({ description: 'With ok: the task id.' })
  taskid?: string;
  @ApiPropertyOptional({ description: 'With ok: the task name.' })
  name?: string;
  @ApiPropertyOptional({
    description:
      'With ok: false when the key matched a live task (returned, or with upsert updated).',
  })
  created?: boolean;
  @ApiPropertyOptional({
    description:
      'Without ok: the code POST /v1/api/task answers for this body (40001, 40003, 41302...).',
    type: 'integer',
    example: 40001,
  })
  err?: number;
  @ApiPropertyOptional({ description: 'Without ok: why.' })
  msg?: string;
}

export class CreateTasksResponse {
  @ApiProperty({ type: [CreateTaskItemResult], description: 'One per item, in the order sent.' })
  results!: CreateTaskItemResult[];
  @ApiProperty({ description: 'Results with created: true.', type: 'integer' })
  created!: number;
  @ApiProperty({
    description: 'Results with ok and created: false (the key matched a live task).',
    type: 'integer',
  })
  existing!: number;
  @ApiProperty({ description: 'Results with ok: false.', type: 'integer' })
  failed!: number;
}
