import { TaskCenterApiError } from '../http/task-center-api.error';
import { TaskCenterClient } from '../http/task-center-client';
import { GLOBAL_OPTIONS, parseArgs, splitCommand, UsageError, type OptionSpec } from './args';
import { CliFailure, type Command, COMMANDS } from './commands';

export const DEFAULT_URL = 'http://localhost:3000';

export interface CliIo {
  /** Only TASK_CENTER_URL and TASK_CENTER_API_KEY are read. */
  env: Record<string, string | undefined>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** For tests: builds the client (default: a TaskCenterClient). */
  client?: (options: { baseUrl: string; apiKey?: string }) => TaskCenterClient;
}

const GROUPS = new Set(COMMANDS.filter((c) => c.words.length > 1).map((c) => c.words[0]!));

const nameOf = (command: Command) => command.words.join(' ');

/** 0 success, 1 the API (or the request) failed, 2 a usage error. */
export type ExitCode = 0 | 1 | 2;

/** Runs one command line (without `node` and the script) and answers the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  let where = '';
  try {
    const { leading, words, rest } = splitCommand(argv, (word) => GROUPS.has(word));
    const globals = parseArgs(leading, GLOBAL_OPTIONS).options;
    if (words.length === 0) {
      if (globals.help || rest.includes('--help') || rest.includes('-h')) {
        io.stdout(topHelp());
        return 0;
      }
      throw new UsageError('missing command');
    }
    const command = COMMANDS.find((c) => nameOf(c) === words.join(' '));
    if (!command) {
      const group = words[0]!;
      if (GROUPS.has(group) && words.length === 1) {
        const { options } = parseArgs(rest, GLOBAL_OPTIONS, group);
        if (options.help || globals.help) {
          io.stdout(groupHelp(group));
          return 0;
        }
        throw new UsageError(`${group} needs a command: ${subcommands(group).join(', ')}`, group);
      }
      const unknown = GROUPS.has(group) ? words.join(' ') : group;
      throw new UsageError(`unknown command '${unknown}'`, GROUPS.has(group) ? group : '');
    }
    where = nameOf(command);
    const spec: OptionSpec = { ...GLOBAL_OPTIONS };
    for (const o of command.options) {
      spec[o.name] = o.repeatable ? 'list' : o.value ? 'string' : 'boolean';
    }
    const parsed = parseArgs(rest, spec, where);
    const options = { ...globals, ...parsed.options };
    if (options.help) {
      io.stdout(commandHelp(command));
      return 0;
    }
    if (parsed.positionals.length < command.args.length) {
      throw new UsageError(`${where} needs ${command.args.join(' ')}`, where);
    }
    if (parsed.positionals.length > command.args.length && !command.moreArgs) {
      const extra = parsed.positionals[command.args.length]!;
      throw new UsageError(`unexpected argument '${extra}'`, where);
    }

    const baseUrl =
      (typeof options.url === 'string' ? options.url : undefined) ??
      io.env.TASK_CENTER_URL ??
      DEFAULT_URL;
    const apiKey =
      (typeof options.key === 'string' ? options.key : undefined) ?? io.env.TASK_CENTER_API_KEY;
    const clientOptions = { baseUrl, ...(apiKey ? { apiKey } : {}) };
    const api = io.client ? io.client(clientOptions) : new TaskCenterClient(clientOptions);

    const result = await command.run({
      api,
      options,
      lists: parsed.lists,
      positionals: parsed.positionals,
      progress: io.stderr,
    });
    io.stdout(options.json ? JSON.stringify(result.data, null, 2) : result.text());
    if (result.failure !== undefined) {
      io.stderr(`task-center: ${result.failure}`);
      return 1;
    }
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      const help = err.command || where;
      io.stderr(`task-center: ${err.message} (see: task-center ${help ? `${help} ` : ''}--help)`);
      return 2;
    }
    if (err instanceof TaskCenterApiError) {
      io.stderr(
        err.status === 0
          ? `task-center: ${err.msg}`
          : `task-center: ${err.msg} (HTTP ${err.status}, err ${err.err})`,
      );
      return 1;
    }
    if (err instanceof CliFailure) {
      io.stderr(`task-center: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

function subcommands(group: string): string[] {
  return COMMANDS.filter((c) => c.words[0] === group && c.words.length > 1).map((c) => c.words[1]!);
}

const GLOBAL_HELP = [
  'Global options:',
  `  --url URL    the task center (default: $TASK_CENTER_URL, else ${DEFAULT_URL})`,
  '  --key KEY    API key, sent as a Bearer token (default: $TASK_CENTER_API_KEY)',
  '  --json       print the API’s answer as JSON instead of a table',
  '  -h, --help   help for a command',
  '',
  'Exit codes: 0 done, 1 the API answered an error (its message on stderr) or a task of a bulk',
  'action failed, 2 usage error.',
];

function usageOf(command: Command): string {
  const more = command.moreArgs ? ` [${command.moreArgs}...]` : '';
  const args = command.args.map((a) => ` ${a}`).join('') + more;
  return `task-center ${nameOf(command)}${args}${command.options.length ? ' [options]' : ''}`;
}

function topHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => usageOf(c).length));
  return [
    'Usage: task-center <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${usageOf(c).padEnd(width)}  ${c.summary}`),
    '',
    ...GLOBAL_HELP,
  ].join('\n');
}

function groupHelp(group: string): string {
  const commands = COMMANDS.filter((c) => c.words[0] === group);
  const width = Math.max(...commands.map((c) => usageOf(c).length));
  return [
    `Usage: task-center ${group} <${subcommands(group).join('|')}> [options]`,
    '',
    ...commands.map((c) => `  ${usageOf(c).padEnd(width)}  ${c.summary}`),
    '',
    ...GLOBAL_HELP,
  ].join('\n');
}

function commandHelp(command: Command): string {
  const flags = command.options.map((o) => `  --${o.name}${o.value ? ` ${o.value}` : ''}`);
  const width = Math.max(0, ...flags.map((f) => f.length));
  return [
    `Usage: ${usageOf(command)}`,
    '',
    `${command.summary[0]!.toUpperCase()}${command.summary.slice(1)}.`,
    ...(command.notes ?? []),
    ...(command.options.length
      ? ['', 'Options:', ...command.options.map((o, i) => `${flags[i]!.padEnd(width)}  ${o.help}`)]
      : []),
    '',
    ...GLOBAL_HELP,
  ].join('\n');
}
