import { TaskType } from '@task-center/contracts';
import { type RunSearchState } from '../http/task-center.types';
import { intOption, stringOption, timeOption } from './args';
import { REDRIVE_COMMAND } from './bulk-commands';
import { formatTable, isoFromMs, isoFromSeconds, truncate, zonedTime } from './format';

import { type Command, CURSOR, FROM, LIMIT, list, TO, withCursor } from './command-helpers';

/** `preview`, `runs`, `run-errors`, `dead-letters`, `redrive`, `workers`. */
export const RUN_COMMANDS: Command[] = [
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
      const { fires, description } = await api.previewSchedule({
        type: TaskType.Crontab,
        crontab: positionals[0]!,
        timezone,
        count: intOption(options.count, 'count', 'preview', 1),
      });
      return {
        data: fires,
        text: () => {
          // A server older than the description answers without it.
          const words = description ? `${description}\n` : '';
          if (fires.length === 0) return `${words}no fires`;
          const headers = timezone ? ['#', timezone, 'UTC', 'UNIX'] : ['#', 'UTC', 'UNIX'];
          return (
            `${description}\n` +
            formatTable(
              headers,
              fires.map((f, i) => [
                String(i + 1),
                ...(timezone ? [zonedTime(f.at * 1000, timezone)] : []),
                isoFromSeconds(f.at),
                String(f.at),
              ]),
            )
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
  REDRIVE_COMMAND,
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
