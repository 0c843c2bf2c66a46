import { TaskType } from '@task-center/contracts';
import { type TaskCenterClient } from '../http/task-center-client';
import {
  type CreateTaskRequest,
  type RunSearchState,
  type SearchableTaskStatus,
  type Task,
} from '../http/task-center.types';
import { intOption, stringOption, timeOption, UsageError } from './args';
import {
  formatFields,
  formatTable,
  isoFromMs,
  isoFromSeconds,
  truncate,
  zonedTime,
} from './format';

/** A failure that is neither an API error nor a usage error (exit 1), e.g. deleting nothing. */
export class CliFailure extends Error {
  override readonly name = 'CliFailure';
}

export interface OptionHelp {
  name: string;
  /** The value's placeholder; absent for a flag. */
  value?: string;
  help: string;
}

/** What a command produced: `data` is printed by `--json`, `text()` otherwise. */
export interface CommandResult {
  data: unknown;
  text: () => string;
}

export interface CommandInput {
  api: TaskCenterClient;
  options: Record<string, string | boolean>;
  positionals: string[];
}

export interface Command {
  /** `['tasks', 'list']`. */
  words: string[];
  /** Placeholders of the positional arguments, all required: `['ID']`. */
  args: string[];
  summary: string;
  options: OptionHelp[];
  /** Extra lines for `--help`. */
  notes?: string[];
  run: (input: CommandInput) => Promise<CommandResult>;
}

const LIMIT: OptionHelp = { name: 'limit', value: 'N', help: 'items per page' };
const CURSOR: OptionHelp = {
  name: 'cursor',
  value: 'CURSOR',
  help: 'the cursor printed by the previous page',
};
const FROM: OptionHelp = {
  name: 'from',
  value: 'TIME',
  help: 'window start, unix seconds or ISO 8601 (default: to - 24 h)',
};
const TO: OptionHelp = {
  name: 'to',
  value: 'TIME',
  help: 'window end, exclusive (default: now); at most 7 days after from',
};

const TYPE_NAMES: Record<number, string> = {
  [TaskType.OneShot]: 'once',
  [TaskType.Loop]: 'loop',
  [TaskType.Crontab]: 'cron',
};

const TYPE_OPTION: Record<string, TaskType> = {
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

const list = (value: string | boolean | undefined) =>
  typeof value === 'string' ? value.split(',').filter(Boolean) : undefined;

const withCursor = (table: string, cursor: string | null | undefined) =>
  cursor ? `${table}\nnext page: --cursor ${cursor}` : table;

function taskLine(verb: string, task: Task): string {
  return `${verb} ${task._id} (${task.name}): status ${task.status}, next run ${isoFromSeconds(task.next_run_at)}`;
}

function taskFields(task: Task): string {
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
  if (task.max_runtime) fields.push(['max runtime', `${task.max_runtime}s`]);
  if (task.ack) fields.push(['ack', 'true']);
  if (task.retry) fields.push(['retry', JSON.stringify(task.retry)]);
  if (task.misfire) fields.push(['misfire', task.misfire]);
  fields.push(['data', truncate(task.data, 200)]);
  fields.push(['created', isoFromSeconds(task.created_at)]);
  fields.push(['updated', isoFromSeconds(task.updated_at)]);
  return formatFields(fields);
}

function taskAction(
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

export const COMMANDS: Command[] = [
  {
    words: ['tasks', 'list'],
    args: [],
    summary: 'find live tasks, one page (GET /v1/api/tasks)',
    options: [
      { name: 'name', value: 'NAME', help: 'exact name' },
      { name: 'name-prefix', value: 'PREFIX', help: 'names starting with this (not with --name)' },
      {
        name: 'status',
        value: 'S[,S]',
        help: 'active, paused, completed; comma-separated (default: all)',
      },
      { name: 'type', value: 'TYPE', help: 'once (1), loop (2) or cron (3)' },
      { name: 'topic', value: 'TOPIC', help: 'tasks created with this topic' },
      { name: 'task-key', value: 'KEY', help: 'the task with this idempotency key' },
      { name: 'sort', value: 'FIELD', help: 'created_at (newest first, default) or next_run_at' },
      { ...LIMIT, help: 'tasks per page, 1..1000 (default 50)' },
      CURSOR,
      { name: 'count', help: 'also count the matches (up to 10,000)' },
    ],
    run: async ({ api, options }) => {
      const command = 'tasks list';
      let type: TaskType | undefined;
      if (options.type !== undefined) {
        type = TYPE_OPTION[String(options.type)];
        if (type === undefined) {
          throw new UsageError('--type must be once, loop or cron (or 1, 2, 3)', command);
        }
      }
      const page = await api.searchTasks({
        name: stringOption(options.name),
        name_prefix: stringOption(options['name-prefix']),
        status: list(options.status) as SearchableTaskStatus[] | undefined,
        type,
        topic: stringOption(options.topic),
        key: stringOption(options['task-key']),
        sort: stringOption(options.sort) as 'created_at' | 'next_run_at' | undefined,
        limit: intOption(options.limit, 'limit', command, 1),
        cursor: stringOption(options.cursor),
        count: options.count === true ? true : undefined,
      });
      return {
        data: page,
        text: () => {
          if (page.tasks.length === 0 && !page.next_cursor) return 'no tasks found';
          const table = formatTable(
            ['ID', 'NAME', 'TYPE', 'SCHEDULE', 'STATUS', 'NEXT RUN', 'RUNS'],
            page.tasks.map((t) => [
              t._id,
              t.name,
              TYPE_NAMES[t.type] ?? String(t.type),
              scheduleOf(t),
              t.status,
              isoFromSeconds(t.next_run_at),
              String(t.run_count),
            ]),
          );
          const total =
            page.total === undefined
              ? ''
              : `\n${page.total_capped ? 'more than ' : ''}${page.total} matching`;
          return withCursor(table + total, page.next_cursor);
        },
      };
    },
  },
  {
    words: ['tasks', 'get'],
    args: ['ID'],
    summary: 'show one task (GET /v1/api/query-task-by-id)',
    options: [],
    run: async ({ api, positionals }) => {
      const task = await api.getTask(positionals[0]!);
      return { data: task, text: () => taskFields(task) };
    },
  },
  {
    words: ['tasks', 'create'],
    args: [],
    summary: 'create a cron, interval or one-shot task (POST /v1/api/task)',
    options: [
      { name: 'name', value: 'NAME', help: 'the tag workers subscribe to (required)' },
      { name: 'cron', value: 'EXPR', help: 'crontab: 5 fields, or 6 with leading seconds' },
      { name: 'tz', value: 'ZONE', help: 'IANA time zone of --cron (default: the server’s)' },
      { name: 'every', value: 'SECONDS', help: 'a loop: seconds between fires' },
      { name: 'count', value: 'N', help: 'with --cron or --every: fire at most N times' },
      { name: 'at', value: 'TIME', help: 'one fire at this time (ISO 8601 or unix seconds)' },
      { name: 'data', value: 'STRING', help: 'delivered to the worker as is (default: empty)' },
      {
        name: 'task-key',
        value: 'KEY',
        help: 'idempotency key: a live task holding it is returned unchanged',
      },
    ],
    notes: ['Give exactly one of --cron, --every and --at.'],
    run: async ({ api, options }) => {
      const command = 'tasks create';
      const name = stringOption(options.name);
      if (!name) throw new UsageError('--name is required', command);
      const schedules = ['cron', 'every', 'at'].filter((o) => options[o] !== undefined);
      if (schedules.length !== 1) {
        throw new UsageError('give exactly one of --cron, --every and --at', command);
      }
      if (options.tz !== undefined && options.cron === undefined) {
        throw new UsageError('--tz goes with --cron', command);
      }
      if (options.count !== undefined && options.at !== undefined) {
        throw new UsageError('--count goes with --cron or --every', command);
      }
      const request: CreateTaskRequest = { name, type: TaskType.OneShot, data: '' };
      if (typeof options.data === 'string') request.data = options.data;
      if (typeof options['task-key'] === 'string') request.key = options['task-key'];
      const count = intOption(options.count, 'count', command, 1);
      if (typeof options.cron === 'string') {
        request.type = TaskType.Crontab;
        request.crontab = options.cron;
        if (typeof options.tz === 'string') request.timezone = options.tz;
      } else if (options.every !== undefined) {
        request.type = TaskType.Loop;
        request.loop_time = intOption(options.every, 'every', command, 1);
      } else {
        request.start_time = timeOption(options.at, 'at', command);
      }
      if (count !== undefined) request.loop_count = count;
      const created = await api.createTask(request);
      return {
        data: created,
        text: () =>
          created.created
            ? `created task ${created.taskid} (${created.name})`
            : `task ${created.taskid} (${created.name}) already holds key ${request.key ?? ''}: unchanged`,
      };
    },
  },
  taskAction(
    'pause',
    'stop firing until resumed (POST /v1/api/pause-task)',
    (api, id) => api.pauseTask(id),
    'paused',
  ),
  taskAction(
    'resume',
    'fire again from the next slot (POST /v1/api/resume-task)',
    (api, id) => api.resumeTask(id),
    'resumed',
  ),
  taskAction(
    'run',
    'queue one extra fire now, schedule unchanged (POST /v1/api/run-task-now)',
    (api, id) => api.runTaskNow(id),
    'queued a run of',
  ),
  {
    words: ['tasks', 'delete'],
    args: ['ID'],
    summary: 'delete a task (POST /v1/api/delete-task)',
    options: [],
    notes: ['Exits 1 when no task has this id.'],
    run: async ({ api, positionals }) => {
      const id = positionals[0]!;
      if (!(await api.deleteTask(id))) throw new CliFailure(`no task ${id}`);
      return { data: { taskid: id, deleted: true }, text: () => `deleted task ${id}` };
    },
  },
  {
    words: ['preview'],
    args: ['CRON'],
    summary: 'the next fire times of a crontab, stored nowhere (POST /v1/api/preview-task)',
    options: [
      { name: 'tz', value: 'ZONE', help: 'IANA time zone (default: the server’s)' },
      { name: 'count', value: 'N', help: 'how many fires, 1..1000 (default 10)' },
    ],
    run: async ({ api, options, positionals }) => {
      const timezone = stringOption(options.tz);
      const fires = await api.previewTask({
        type: TaskType.Crontab,
        crontab: positionals[0]!,
        timezone,
        count: intOption(options.count, 'count', 'preview', 1),
      });
      return {
        data: fires,
        text: () => {
          if (fires.length === 0) return 'no fires';
          const headers = timezone ? ['#', timezone, 'UTC', 'UNIX'] : ['#', 'UTC', 'UNIX'];
          return formatTable(
            headers,
            fires.map((f, i) => [
              String(i + 1),
              ...(timezone ? [zonedTime(f.at * 1000, timezone)] : []),
              isoFromSeconds(f.at),
              String(f.at),
            ]),
          );
        },
      };
    },
  },
  {
    words: ['runs'],
    args: [],
    summary: 'fires across tasks, newest first (GET /v1/api/runs)',
    options: [
      {
        name: 'state',
        value: 'S[,S]',
        help: 'pending, succeeded, failed, timeout, dead; comma-separated',
      },
      { name: 'name', value: 'NAME', help: 'task name, exact' },
      { name: 'task-id', value: 'ID', help: 'one task' },
      FROM,
      TO,
      { ...LIMIT, help: 'fires per page, 1..500 (default 50)' },
      CURSOR,
    ],
    run: async ({ api, options }) => {
      const command = 'runs';
      const page = await api.runs({
        state: list(options.state) as RunSearchState[] | undefined,
        name: stringOption(options.name),
        task_id: stringOption(options['task-id']),
        from: timeOption(options.from, 'from', command),
        to: timeOption(options.to, 'to', command),
        limit: intOption(options.limit, 'limit', command, 1),
        cursor: stringOption(options.cursor),
      });
      return {
        data: page,
        text: () => {
          if (page.fires.length === 0 && !page.next_cursor) return 'no fires found';
          const table = formatTable(
            ['SCHEDULED', 'NAME', 'STATE', 'ATTEMPTS', 'TASK ID', 'LAST ERROR'],
            page.fires.map((f) => [
              isoFromMs(f.scheduled_at_ms),
              f.name,
              f.state,
              String(f.attempts.length),
              f.task_id,
              truncate(f.last_error ?? '', 60),
            ]),
          );
          return withCursor(table, page.next_cursor);
        },
      };
    },
  },
  {
    words: ['run-errors'],
    args: [],
    summary: 'failures of a window grouped by message (GET /v1/api/run-errors)',
    options: [FROM, TO, { ...LIMIT, help: 'groups, 1..100 (default 20)' }],
    run: async ({ api, options }) => {
      const command = 'run-errors';
      const groups = await api.runErrors({
        from: timeOption(options.from, 'from', command),
        to: timeOption(options.to, 'to', command),
        limit: intOption(options.limit, 'limit', command, 1),
      });
      return {
        data: groups,
        text: () =>
          groups.length === 0
            ? 'no failures in the window'
            : formatTable(
                ['COUNT', 'LAST SEEN', 'NAMES', 'ERROR'],
                groups.map((g) => [
                  String(g.count),
                  isoFromSeconds(g.last_seen),
                  truncate(g.names.join(','), 40),
                  truncate(g.error || '(no message)', 80),
                ]),
              ),
      };
    },
  },
  {
    words: ['dead-letters'],
    args: [],
    summary: 'dead fires not redriven, newest first (GET /v1/api/dead-letters)',
    options: [{ ...LIMIT, help: 'per page, 1..500 (default 50)' }, CURSOR],
    run: async ({ api, options }) => {
      const page = await api.deadLetters({
        limit: intOption(options.limit, 'limit', 'dead-letters', 1),
        cursor: stringOption(options.cursor),
      });
      return {
        data: page,
        text: () => {
          if (page.deadLetters.length === 0) return 'no dead letters';
          const table = formatTable(
            ['MESSAGE ID', 'NAME', 'ATTEMPTS', 'DEAD AT', 'LAST ERROR'],
            page.deadLetters.map((d) => [
              d.message_id,
              d.name,
              String(d.attempts),
              isoFromMs(d.dead_at_ms),
              truncate(d.last_error, 60),
            ]),
          );
          return withCursor(table, page.nextCursor);
        },
      };
    },
  },
  {
    words: ['redrive'],
    args: ['MESSAGE_ID'],
    summary: 'publish a dead fire again as its next attempt (POST /v1/api/redrive-dead-letter)',
    options: [],
    run: async ({ api, positionals }) => {
      const result = await api.redriveDeadLetter(positionals[0]!);
      return {
        data: result,
        text: () => `redriven ${result.message_id}: attempt ${result.attempt} queued`,
      };
    },
  },
  {
    words: ['workers'],
    args: [],
    summary: 'workers heard from recently (GET /v1/api/workers)',
    options: [],
    run: async ({ api }) => {
      const view = await api.workers();
      return {
        data: view,
        text: () =>
          view.workers.length === 0
            ? 'no workers'
            : formatTable(
                ['ID', 'GROUP', 'HOST', 'PID', 'ALIVE', 'LAST SEEN', 'TAGS'],
                view.workers.map((w) => [
                  w.id,
                  w.group,
                  w.host,
                  String(w.pid),
                  w.stopping ? 'stopping' : w.alive ? 'yes' : 'no',
                  isoFromMs(w.last_seen_ms),
                  truncate(w.tags.join(','), 60),
                ]),
              ),
      };
    },
  },
];
