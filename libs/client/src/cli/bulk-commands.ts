import { type TaskType } from '@task-center/contracts';
import { type TaskCenterClient } from '../http/task-center-client';
import {
  type BulkTaskAction,
  type BulkTaskActionResult,
  type BulkTaskFilter,
  type DeadLetterFilter,
  type RedriveDeadLettersResult,
  type SearchableTaskStatus,
  type Task,
} from '../http/task-center.types';
import { intOption, stringOption, timeOption, UsageError } from './args';
import {
  CliFailure,
  type Command,
  type CommandInput,
  type CommandResult,
  list,
  type OptionHelp,
  taskLine,
  TYPE_OPTION,
} from './command-helpers';
import { formatTable } from './format';

/** Requests made at most by one --all-matching command: 1000 tasks each. */
const MAX_ROUNDS = 1000;

const BULK_LIMIT: OptionHelp = {
  name: 'limit',
  value: 'N',
  help: 'with a filter: at most N per request, 1..1000 (default 1000)',
};
const ALL_MATCHING: OptionHelp = {
  name: 'all-matching',
  help: 'with a filter: repeat the request until nothing matches (else one request)',
};

const TASK_FILTER_OPTIONS: OptionHelp[] = [
  { name: 'name', value: 'NAME', help: 'filter: exact name' },
  { name: 'name-prefix', value: 'PREFIX', help: 'filter: names starting with this' },
  { name: 'status', value: 'S[,S]', help: 'filter: active, paused, completed; comma-separated' },
  { name: 'type', value: 'TYPE', help: 'filter: once (1), loop (2) or cron (3)' },
  BULK_LIMIT,
  ALL_MATCHING,
];

const DONE: Record<BulkTaskAction, string> = {
  pause: 'paused',
  resume: 'resumed',
  delete: 'deleted',
};

/**
 * `tasks pause|resume|delete`: one id as before (pause-task, resume-task, delete-task), several
 * ids or a filter through POST /v1/api/bulk-task-action, a result per task.
 */
export function bulkTaskCommand(
  action: BulkTaskAction,
  summary: string,
  single: (api: TaskCenterClient, id: string) => Promise<CommandResult>,
): Command {
  const command = `tasks ${action}`;
  return {
    words: ['tasks', action],
    args: [],
    moreArgs: 'ID',
    summary,
    options: TASK_FILTER_OPTIONS,
    notes: [
      'One ID: the single-task endpoint. Several IDs, or a filter (needs an admin key), go through',
      `POST /v1/api/bulk-task-action: a line per task, exit 1 if any failed. A filter ${action}s only`,
      `tasks it changes; see them first with \`task-center tasks list\` and the same options.`,
    ],
    run: async (input) => {
      const filter = taskFilterOf(input, command);
      const ids = input.positionals;
      if (filter === undefined) {
        forbidWithIds(input, command);
        if (ids.length === 0) {
          throw new UsageError(
            `${command} needs task IDs or a filter (--name, --name-prefix, --status, --type)`,
            command,
          );
        }
        if (ids.length === 1) return single(input.api, ids[0]!);
        return taskResults(await input.api.bulkTaskAction({ action, ids }));
      }
      if (ids.length > 0) {
        throw new UsageError('give task IDs or a filter, not both', command);
      }
      const limit = intOption(input.options.limit, 'limit', command, 1, 1000);
      const all = input.options['all-matching'] === true;
      return taskResults(
        await repeat(all, () => input.api.bulkTaskAction({ action, filter, limit })),
      );
    },
  };
}

/** `redrive`: one message id as before; several, or a filter, through redrive-dead-letters. */
export const REDRIVE_COMMAND: Command = {
  words: ['redrive'],
  args: [],
  moreArgs: 'MESSAGE_ID',
  summary: 'publish dead fires again as their next attempt (POST /v1/api/redrive-dead-letter[s])',
  options: [
    { name: 'name', value: 'NAME', help: 'filter: task name, exact' },
    { name: 'since', value: 'TIME', help: 'filter: dead at or after, unix seconds or ISO 8601' },
    { name: 'until', value: 'TIME', help: 'filter: dead before (exclusive)' },
    BULK_LIMIT,
    ALL_MATCHING,
  ],
  notes: [
    'One MESSAGE_ID: redrive-dead-letter. Several, or a filter (needs an admin key, oldest dead',
    'first), go through POST /v1/api/redrive-dead-letters: a line per dead letter, exit 1 if any failed.',
  ],
  run: async (input) => {
    const command = 'redrive';
    const { api, options, positionals: ids } = input;
    const filter: DeadLetterFilter = {};
    if (options.name !== undefined) filter.name = stringOption(options.name);
    if (options.since !== undefined) filter.since = timeOption(options.since, 'since', command);
    if (options.until !== undefined) filter.until = timeOption(options.until, 'until', command);
    if (Object.keys(filter).length === 0) {
      forbidWithIds(input, command);
      if (ids.length === 0) {
        throw new UsageError(
          'redrive needs MESSAGE_IDs or a filter (--name, --since, --until)',
          command,
        );
      }
      if (ids.length > 1) return redriveResults(await api.redriveDeadLetters({ message_ids: ids }));
      const result = await api.redriveDeadLetter(ids[0]!);
      return {
        data: result,
        text: () => `redriven ${result.message_id}: attempt ${result.attempt} queued`,
      };
    }
    if (ids.length > 0) throw new UsageError('give MESSAGE_IDs or a filter, not both', command);
    const limit = intOption(options.limit, 'limit', command, 1, 1000);
    const all = options['all-matching'] === true;
    return redriveResults(await repeat(all, () => api.redriveDeadLetters({ filter, limit })));
  },
};

/** The single-task `tasks pause|resume` as before: the task's line. */
export const singleTask =
  (call: (api: TaskCenterClient, id: string) => Promise<Task>, done: string) =>
  async (api: TaskCenterClient, id: string): Promise<CommandResult> => {
    const task = await call(api, id);
    return { data: task, text: () => taskLine(done, task) };
  };

/** The single-task `tasks delete` as before: exit 1 when there was no such task. */
export async function singleDelete(api: TaskCenterClient, id: string): Promise<CommandResult> {
  if (!(await api.deleteTask(id))) throw new CliFailure(`no task ${id}`);
  return { data: { taskid: id, deleted: true }, text: () => `deleted task ${id}` };
}

function taskFilterOf({ options }: CommandInput, command: string): BulkTaskFilter | undefined {
  const filter: BulkTaskFilter = {};
  if (options.name !== undefined) filter.name = stringOption(options.name);
  if (options['name-prefix'] !== undefined)
    filter.name_prefix = stringOption(options['name-prefix']);
  if (options.status !== undefined) filter.status = list(options.status) as SearchableTaskStatus[];
  if (options.type !== undefined) {
    const type: TaskType | undefined = TYPE_OPTION[String(options.type)];
    if (type === undefined) {
      throw new UsageError('--type must be once, loop or cron (or 1, 2, 3)', command);
    }
    filter.type = type;
  }
  return Object.keys(filter).length > 0 ? filter : undefined;
}

function forbidWithIds({ options }: CommandInput, command: string): void {
  for (const name of ['limit', 'all-matching']) {
    if (options[name] !== undefined) {
      throw new UsageError(`--${name} goes with a filter`, command);
    }
  }
}

/**
 * One request, or with `all` the same request again while `more` is true and the last one
 * did something (a request in which every item failed would select the same items again).
 */
async function repeat<
  T extends { results: unknown[]; succeeded: number; failed: number; more: boolean },
>(all: boolean, send: () => Promise<T>): Promise<T> {
  let merged = await send();
  for (let round = 1; all && merged.more && round < MAX_ROUNDS; round++) {
    const next = await send();
    merged = {
      ...next,
      results: [...merged.results, ...next.results],
      succeeded: merged.succeeded + next.succeeded,
      failed: merged.failed + next.failed,
    };
    if (next.succeeded === 0) break;
  }
  return merged;
}

const MORE = 'more match: run the command again, or add --all-matching';

function taskResults(res: BulkTaskActionResult): CommandResult {
  return {
    data: res,
    text: () => {
      if (res.results.length === 0) return `no tasks to ${res.action}`;
      const table = formatTable(
        ['TASK ID', 'RESULT', 'DETAIL'],
        res.results.map((r) =>
          r.ok
            ? [r.taskid, DONE[res.action], `status ${r.status}`]
            : [r.taskid, `error ${r.err}`, r.msg],
        ),
      );
      const summary = `${DONE[res.action]} ${res.succeeded}, failed ${res.failed}`;
      return [table, summary, ...(res.more ? [MORE] : [])].join('\n');
    },
    ...(res.failed > 0 && {
      failure: `${res.failed} of ${res.results.length} tasks failed`,
    }),
  };
}

function redriveResults(res: RedriveDeadLettersResult): CommandResult {
  return {
    data: res,
    text: () => {
      if (res.results.length === 0) return 'no dead letters to redrive';
      const table = formatTable(
        ['MESSAGE ID', 'RESULT', 'DETAIL'],
        res.results.map((r) =>
          r.ok
            ? [r.message_id, 'redriven', `attempt ${r.attempt} queued as ${r.redriven_as}`]
            : [r.message_id, `error ${r.err}`, r.msg],
        ),
      );
      const summary = `redriven ${res.succeeded}, failed ${res.failed}`;
      return [table, summary, ...(res.more ? [MORE] : [])].join('\n');
    },
    ...(res.failed > 0 && {
      failure: `${res.failed} of ${res.results.length} dead letters failed`,
    }),
  };
}
