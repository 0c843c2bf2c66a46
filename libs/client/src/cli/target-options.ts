import {
  HTTP_METHODS,
  HTTP_TARGET_DEFAULTS,
  HTTP_TARGET_LIMITS,
  type HttpMethod,
  parseHeaderLine,
  shownHeaderValue,
} from '@task-center/contracts';
import { type CreateTaskRequest, type Task } from '../http/task-center.types';
import { intOption, stringOption, UsageError } from './args';
import { type OptionHelp } from './command-helpers';

// The HTTP target of `tasks create` and `tasks update`: --target URL and its request options.
// `--url` is the task center's own address (a global option), hence `--target`.

export type TargetRequest = NonNullable<CreateTaskRequest['target']>;

export const TARGET_OPTIONS: OptionHelp[] = [
  {
    name: 'target',
    value: 'URL',
    help: 'call this http(s) URL at each fire instead of publishing for SDK workers',
  },
  {
    name: 'method',
    value: 'METHOD',
    help: `with --target: ${HTTP_METHODS.join(', ')} (default POST)`,
  },
  {
    name: 'header',
    value: "'NAME: VALUE'",
    repeatable: true,
    help: 'with --target: a request header; repeat for more',
  },
  {
    name: 'timeout',
    value: 'SECONDS',
    help: `with --target: for the response, ${HTTP_TARGET_LIMITS.timeoutMinS}..${HTTP_TARGET_LIMITS.timeoutMaxS} (default ${HTTP_TARGET_DEFAULTS.timeoutS})`,
  },
];

const REQUEST_OPTIONS = ['method', 'header', 'timeout'];

export interface TargetInput {
  options: Record<string, string | boolean>;
  lists: Record<string, string[]>;
}

/** Whether the command line sets any part of a target. */
export function hasTargetOptions({ options }: TargetInput): boolean {
  return ['target', ...REQUEST_OPTIONS].some((o) => options[o] !== undefined);
}

/**
 * The target the options describe, on top of `current` (the task's, for `tasks update`):
 * --target replaces the URL, --method and --timeout their values, --header all the headers.
 * Without --target and without `current`, request options are a usage error.
 */
export function targetOf(
  input: TargetInput,
  command: string,
  current?: Task['target'],
): TargetRequest | undefined {
  const { options, lists } = input;
  const url = stringOption(options.target);
  const requestOptions = REQUEST_OPTIONS.filter((o) => options[o] !== undefined);
  if (url === undefined && !current) {
    if (requestOptions.length === 0) return undefined;
    const given = requestOptions.map((o) => `--${o}`).join(', ');
    throw new UsageError(
      `${given} go${requestOptions.length === 1 ? 'es' : ''} with --target URL`,
      command,
    );
  }
  const target: TargetRequest = { type: 'http', url: url ?? current!.url };
  target.method =
    methodOf(options.method, command) ?? current?.method ?? HTTP_TARGET_DEFAULTS.method;
  const headers = lists.header ? headersOf(lists.header, command) : current?.headers;
  if (headers && Object.keys(headers).length > 0) target.headers = headers;
  const timeout =
    intOption(
      options.timeout,
      'timeout',
      command,
      HTTP_TARGET_LIMITS.timeoutMinS,
      HTTP_TARGET_LIMITS.timeoutMaxS,
    ) ?? current?.timeout_s;
  if (timeout !== undefined) target.timeout_s = timeout;
  return target;
}

function methodOf(value: string | boolean | undefined, command: string): HttpMethod | undefined {
  if (value === undefined) return undefined;
  const method = String(value).toUpperCase() as HttpMethod;
  if (!HTTP_METHODS.includes(method)) {
    throw new UsageError(`--method must be one of ${HTTP_METHODS.join(', ')}`, command);
  }
  return method;
}

function headersOf(lines: string[], command: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const parsed = parseHeaderLine(line);
    if ('problem' in parsed) throw new UsageError(`--header '${line}': ${parsed.problem}`, command);
    if (parsed.name in headers)
      throw new UsageError(`--header ${parsed.name} is given twice`, command);
    headers[parsed.name] = parsed.value;
  }
  return headers;
}

/** `tasks get` lines: `POST https://… (timeout 10 s)` and the headers, credentials masked. */
export function targetFields(target: NonNullable<Task['target']>): [string, string][] {
  const fields: [string, string][] = [
    ['target', `${target.method} ${target.url} (timeout ${target.timeout_s} s)`],
  ];
  const headers = Object.entries(target.headers);
  if (headers.length > 0) {
    fields.push([
      'headers',
      headers.map(([name, value]) => `${name}: ${shownHeaderValue(name, value)}`).join(', '),
    ]);
  }
  return fields;
}
