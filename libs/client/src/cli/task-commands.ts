import { TaskType } from '@task-center/contracts';
import {
  type CreateTaskRequest,
  type SearchableTaskStatus,
  type UpdateTaskRequest,
} from '../http/task-center.types';
import { intOption, stringOption, timeOption, UsageError } from './args';
import { bulkTaskCommand, singleDelete, singleTask } from './bulk-commands';
import { CREATE_TASKS_COMMAND } from './create-tasks-command';
import { formatTable, isoFromSeconds } from './format';
import { hasTargetOptions, TARGET_OPTIONS, targetOf } from './target-options';

import {
  type Command,
  CURSOR,
  LIMIT,
  list,
  scheduleOf,
  taskAction,
  taskFields,
  TYPE_NAMES,
  TYPE_OPTION,
  withCursor,
} from './command-helpers';

/** `tasks list|get|create|update|pause|resume|run|delete`. */
export const TASK_COMMANDS: Command[] = [
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
      ...TARGET_OPTIONS,
    ],
    notes: [
      'Give exactly one of --cron, --every and --at.',
      'With --target, each fire is an HTTP request (body: --data) made by the task center',
      "instead of a message for SDK workers, e.g. --target https://api.example.com/hook --header 'Authorization: Bearer …'.",
    ],
    run: async ({ api, options, lists }) => {
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
      const target = targetOf({ options, lists }, command);
      if (target) request.target = target;
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
  CREATE_TASKS_COMMAND,
  {
    words: ['tasks', 'update'],
    args: ['ID'],
    summary: "set or remove a task's HTTP target (POST /v1/api/update-task)",
    options: [
      ...TARGET_OPTIONS,
      { name: 'no-target', help: 'remove the target: fires go to SDK workers again' },
    ],
    notes: [
      'Options not given keep their value; --header replaces all the headers.',
      'Give --target URL (and its options), request options alone (the task has a target), or --no-target.',
    ],
    run: async ({ api, options, lists, positionals }) => {
      const command = 'tasks update';
      const id = positionals[0]!;
      const setting = hasTargetOptions({ options, lists });
      if (options['no-target'] === true && setting) {
        throw new UsageError('--no-target goes alone', command);
      }
      if (options['no-target'] !== true && !setting) {
        throw new UsageError(
          'nothing to change: give --target URL (and its options) or --no-target',
          command,
        );
      }
      const changes: UpdateTaskRequest = { target: null };
      if (setting) {
        const current = await api.getTask(id);
        changes.target = targetOf({ options, lists }, command, current.target);
        // a target and a topic exclude each other: the target wins, as in the dashboard
        if (current.topic) changes.topic = '';
      }
      const task = await api.updateTask(id, changes);
      return { data: task, text: () => `updated task ${task._id}\n${taskFields(task)}` };
    },
  },
  bulkTaskCommand(
    'pause',
    'stop firing until resumed (POST /v1/api/pause-task, or bulk-task-action)',
    singleTask((api, id) => api.pauseTask(id), 'paused'),
  ),
  bulkTaskCommand(
    'resume',
    'fire again from the next slot (POST /v1/api/resume-task, or bulk-task-action)',
    singleTask((api, id) => api.resumeTask(id), 'resumed'),
  ),
  taskAction(
    'run',
    'queue one extra fire now, schedule unchanged (POST /v1/api/run-task-now)',
    (api, id) => api.runTaskNow(id),
    'queued a run of',
  ),
  bulkTaskCommand(
    'delete',
    'delete tasks (POST /v1/api/delete-task, or bulk-task-action); exits 1 when one did not exist',
    singleDelete,
  ),
];
