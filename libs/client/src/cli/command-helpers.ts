import { TaskType } from '@task-center/contracts';
import { type TaskCenterClient } from '../http/task-center-client';
import { type Task } from '../http/task-center.types';
import { formatFields, isoFromSeconds, truncate } from './format';
import { targetFields } from './target-options';

/** A failure that is neither an API error nor a usage error (exit 1), e.g. deleting nothing. */
export class CliFailure extends Error {
  override readonly name = 'CliFailure';
}

export interface OptionHelp {
  name: string;
  /** The value's placeholder; absent for a flag. */
  value?: string;
  /** May be given several times (`CommandInput.lists` holds every value). */
  repeatable?: boolean;
  help: string;
}

/** What a command produced: `data` is printed by `--json`, `text()` otherwise. */
export interface CommandResult {
  data: unknown;
  text: () => string;
  /** Set when part of the work failed (a bulk action): printed on stderr after the output, exit 1. */
  failure?: string;
}

export interface CommandInput {
  api: TaskCenterClient;
  options: Record<string, string | boolean>;
  /** Every value of the repeatable options, in order. */
  lists: Record<string, string[]>;
  positionals: string[];
  /** A progress line of a long command, printed on stderr (not part of the output). */
  progress: (line: string) => void;
}

export interface Command {
  /** `['tasks', 'list']`. */
  words: string[];
  /** Placeholders of the positional arguments, all required: `['ID']`. */
  args: string[];
  /** The placeholder of any number of further positionals (`ID` shows as `[ID...]`). */
  moreArgs?: string;
  summary: string;
  options: OptionHelp[];
  /** Extra lines for `--help`. */
  notes?: string[];
  run: (input: CommandInput) => Promise<CommandResult>;
}

export const LIMIT: OptionHelp = { name: 'limit', value: 'N', help: 'items per page' };
export const CURSOR: OptionHelp = {
  name: 'cursor',
  value: 'CURSOR',
  help: 'the cursor printed by the previous page',
};
export const FROM: OptionHelp = {
  name: 'from',
  value: 'TIME',
  help: 'window start, unix seconds or ISO 8601 (default: to - 24 h)',
};
export const TO: OptionHelp = {
  name: 'to',
  value: 'TIME',
  help: 'window end, exclusive (default: now); at most 7 days after from',
};

export const TYPE_NAMES: Record<number, string> = {
  [TaskType.OneShot]: 'once',
  [TaskType.Loop]: 'loop',
  [TaskType.Crontab]: 'cron',
};

export const TYPE_OPTION: Record<string, TaskType> = {
  '1': TaskType.OneShot,
  once: TaskType.OneShot,
  'one-shot': TaskType.OneShot,
  '2': TaskType.Loop,
  loop: TaskType.Loop,
  '3': TaskType.Crontab,
  cron: TaskType.Crontab,
  crontab: TaskType.Crontab,
};

/** `0 30 2 * * * (Europe/Berlin)`, `every 60s, 3 times`, `at 2026-01-01T10:00:00Z`. */
export function scheduleOf(task: Task): string {
  const times = task.loop_count ? `, ${task.loop_count} times` : '';
  switch (task.type) {
    case TaskType.Crontab:
      return `${task.crontab ?? ''}${task.timezone ? ` (${task.timezone})` : ''}${times}`;
    case TaskType.Loop:
      return `every ${task.loop_time ?? 0}s${times}`;
    default:
      return task.start_time ? `at ${isoFromSeconds(task.start_time)}` : 'once';
  }
}

export const list = (value: string | boolean | undefined) =>
  typeof value === 'string' ? value.split(',').filter(Boolean) : undefined;

export const withCursor = (table: string, cursor: string | null | undefined) =>
  cursor ? `${table}\nnext page: --cursor ${cursor}` : table;

export function taskLine(verb: string, task: Task): string {
  return `${verb} ${task._id} (${task.name}): status ${task.status}, next run ${isoFromSeconds(task.next_run_at)}`;
}

export function taskFields(task: Task): string {
  const fields: [string, string][] = [
    ['id', task._id],
    ['name', task.name],
    ['type', `${task.type} (${TYPE_NAMES[task.type] ?? '?'})`],
    ['schedule', scheduleOf(task)],
    ['status', task.status],
    ['next run', isoFromSeconds(task.next_run_at)],
    ['last run', isoFromSeconds(task.last_run_at)],
    ['runs', String(task.run_count)],
  ];
  if (task.manual_runs.length > 0) {
    fields.push(['manual runs', task.manual_runs.map((s) => isoFromSeconds(s)).join(', ')]);
  }
  if (task.start_time) fields.push(['start', isoFromSeconds(task.start_time)]);
  if (task.end_time) fields.push(['end', isoFromSeconds(task.end_time)]);
  if (task.key) fields.push(['key', task.key]);
  if (task.topic) fields.push(['topic', task.topic]);
  if (task.target) fields.push(...targetFields(task.target));
  if (task.max_runtime) fields.push(['max runtime', `${task.max_runtime}s`]);
  if (task.ack) fields.push(['ack', 'true']);
  if (task.retry) fields.push(['retry', JSON.stringify(task.retry)]);
  if (task.misfire) fields.push(['misfire', task.misfire]);
  fields.push(['data', truncate(task.data, 200)]);
  fields.push(['created', isoFromSeconds(task.created_at)]);
  fields.push(['updated', isoFromSeconds(task.updated_at)]);
  return formatFields(fields);
}

export function taskAction(
  verb: 'pause' | 'resume' | 'run',
  summary: string,
  call: (api: TaskCenterClient, id: string) => Promise<Task>,
  done: string,
): Command {
  return {
    words: ['tasks', verb],
    args: ['ID'],
    summary,
    options: [],
    run: async ({ api, positionals }) => {
      const task = await call(api, positionals[0]!);
      return { data: task, text: () => taskLine(done, task) };
    },
  };
}
