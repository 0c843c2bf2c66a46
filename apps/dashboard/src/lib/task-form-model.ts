import {
  type CreateTaskRequest,
  type MisfirePolicy,
  type PreviewTaskRequest,
  type RetryPolicy,
  type Task,
  type UpdateTaskRequest,
} from '@task-center/client/types';
import {
  HTTP_METHODS,
  HTTP_TARGET_DEFAULTS,
  HTTP_TARGET_LIMITS,
  type HttpMethod,
  headerLinesOf,
  parseHeaderLines,
} from '@task-center/contracts';
import { fromLocalInput, toLocalInput } from './time';

/**
 * The create/edit form of a task: its state as typed (strings, so that a half-typed number
 * stays on screen), the problems the server would report (its rules in
 * apps/task-center/src/tasks/dto, mirrored so they show while typing), and the requests built
 * from it. Pure: the zone of the start/end inputs is the form's `timezone`.
 */
export type TaskType = 1 | 2 | 3;
export type Backoff = 'exponential' | 'fixed';
/** Where fires go: Kafka for SDK workers (the topic), or an HTTP request (the target). */
export type Delivery = 'kafka' | 'http';
export { HTTP_METHODS, type HttpMethod };

export interface TaskForm {
  type: TaskType;
  name: string;
  data: string;
  crontab: string;
  /** IANA zone: the crontab's, and the clock start/end are typed on. */
  timezone: string;
  loop_time: string;
  loop_count: string;
  /** `datetime-local` values on the clock of `timezone`; '' = not set. */
  start: string;
  end: string;
  retry: boolean;
  max_attempts: string;
  backoff: Backoff;
  delay: string;
  max_delay: string;
  /** Seconds per retry, separated by spaces or commas; '' = from backoff. */
  intervals: string;
  /** '' = the server's default (MISFIRE_POLICY). */
  misfire: '' | MisfirePolicy;
  max_runtime: string;
  ack: boolean;
  key: string;
  delivery: Delivery;
  topic: string;
  /** The HTTP target's fields (sent only when `delivery` is 'http'). */
  target_url: string;
  target_method: HttpMethod;
  /** `Name: value` per line. */
  target_headers: string;
  /** Seconds; '' = the server's default. */
  target_timeout: string;
}

export type FormField = keyof TaskForm;
export type Problems = Partial<Record<FormField, string>>;

// The server's limits (apps/task-center/src/tasks/dto/task-fields.ts).
export const TAG_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:@/-]{0,199}$/;
const TAG_RULE =
  'must be 1-200 characters of letters, digits and _ . : @ / - starting with a letter or digit (no spaces, "||" or "*")';
const MAX_LOOP_SECONDS = 10 * 366 * 86_400;
const MAX_LOOP_COUNT = 1_000_000_000;
const MAX_RUNTIME_SECONDS = 7 * 86_400;
const MAX_RETRY_ATTEMPTS = 100;
const MAX_RETRY_DELAY_SECONDS = 7 * 86_400;
// eslint-disable-next-line no-control-regex -- rejecting control characters is the point
const CONTROL = /[\u0000-\u001f]/;

export const TYPE_LABELS: Record<TaskType, string> = {
  1: 'One-shot',
  2: 'Loop (fixed interval)',
  3: 'Crontab',
};

export function emptyForm(zone: string): TaskForm {
  return {
    type: 3,
    name: '',
    data: '',
    crontab: '',
    timezone: zone,
    loop_time: '',
    loop_count: '',
    start: '',
    end: '',
    retry: false,
    max_attempts: '3',
    backoff: 'exponential',
    delay: '10',
    max_delay: '3600',
    intervals: '',
    misfire: '',
    max_runtime: '',
    ack: false,
    key: '',
    delivery: 'kafka',
    topic: '',
    target_url: '',
    target_method: HTTP_TARGET_DEFAULTS.method,
    target_headers: '',
    target_timeout: '',
  };
}

const text = (n: number | undefined): string => (n ? String(n) : '');

/** The form prefilled with a task (edit). */
export function formOfTask(task: Task): TaskForm {
  const retry: RetryPolicy | undefined = task.retry;
  const zone = task.timezone;
  return {
    type: task.type,
    name: task.name,
    data: task.data,
    crontab: task.crontab ?? '',
    timezone: zone,
    loop_time: text(task.loop_time),
    loop_count: text(task.loop_count),
    start: task.start_time ? toLocalInput(task.start_time, zone) : '',
    end: task.end_time ? toLocalInput(task.end_time, zone) : '',
    retry: retry !== undefined,
    max_attempts: String(retry?.max_attempts ?? 3),
    backoff: retry?.backoff ?? 'exponential',
    delay: String(retry?.delay ?? 10),
    max_delay: String(retry?.max_delay ?? 3600),
    intervals: Array.isArray(retry?.intervals) ? retry.intervals.join(' ') : '',
    misfire: task.misfire,
    max_runtime: text(task.max_runtime),
    ack: task.ack,
    key: task.key ?? '',
    delivery: task.target ? 'http' : 'kafka',
    topic: task.topic ?? '',
    target_url: task.target?.url ?? '',
    target_method: task.target?.method ?? HTTP_TARGET_DEFAULTS.method,
    target_headers: headerLinesOf(task.target?.headers).join('\n'),
    target_timeout: text(task.target?.timeout_s),
  };
}

/** A whole number typed in a field: undefined when empty, NaN when not a whole number. */
function intOf(value: string): number | undefined {
  const t = value.trim();
  if (t === '') return undefined;
  return /^[0-9]+$/.test(t) ? Number(t) : NaN;
}

function intProblem(
  label: string,
  value: string,
  min: number,
  max: number,
  required = false,
): string | undefined {
  const n = intOf(value);
  if (n === undefined) return required ? `${label} is required` : undefined;
  if (Number.isNaN(n)) return `${label} must be a whole number`;
  if (n < min) return `${label} must not be less than ${min}`;
  if (n > max) return `${label} must not be greater than ${max}`;
  return undefined;
}

function intervalsOf(value: string): number[] | undefined {
  const t = value.trim();
  if (t === '') return undefined;
  return t.split(/[\s,]+/).map((x) => (/^[0-9]+$/.test(x) ? Number(x) : NaN));
}

/** The fields that decide when a task fires (what the live preview depends on). */
export const SCHEDULE_FIELDS: FormField[] = [
  'type',
  'crontab',
  'timezone',
  'loop_time',
  'loop_count',
  'start',
  'end',
];

/** What the server would refuse, per field, in its words where it has some. */
export function validate(form: TaskForm, zones?: ReadonlySet<string>): Problems {
  const p: Problems = {};
  if (form.name === '') p.name = 'name is required';
  else if (!TAG_PATTERN.test(form.name)) p.name = `name ${TAG_RULE}`;

  if (form.timezone.trim() !== '' && zones && !zones.has(form.timezone.trim())) {
    p.timezone = `unknown time zone "${form.timezone.trim()}"`;
  }
  if (form.type === 3) {
    const cron = form.crontab.trim();
    if (cron === '') p.crontab = 'a crontab task needs a crontab';
    else if (cron.length > 256)
      p.crontab = 'crontab must be shorter than or equal to 256 characters';
    else if (![5, 6].includes(cron.split(/\s+/).length)) {
      p.crontab = 'crontab needs 5 fields, or 6 with leading seconds';
    }
  }
  if (form.type === 2) {
    p.loop_time = intProblem('loop_time', form.loop_time, 1, MAX_LOOP_SECONDS, true);
  }
  if (form.type !== 1) {
    p.loop_count = intProblem('loop_count', form.loop_count, 0, MAX_LOOP_COUNT);
  }
  const zone = form.timezone.trim() || 'UTC';
  const start = form.start === '' ? undefined : fromLocalInput(form.start, zone);
  const end = form.end === '' ? undefined : fromLocalInput(form.end, zone);
  if (form.start !== '' && start === undefined) p.start = 'not a date and time';
  if (form.end !== '' && end === undefined) p.end = 'not a date and time';
  if (start !== undefined && end !== undefined && end <= start) {
    p.end = 'end_time must be after start_time';
  }

  if (form.retry) {
    p.max_attempts = intProblem('retry.max_attempts', form.max_attempts, 1, MAX_RETRY_ATTEMPTS);
    p.delay = intProblem('retry.delay', form.delay, 1, MAX_RETRY_DELAY_SECONDS);
    p.max_delay = intProblem('retry.max_delay', form.max_delay, 1, MAX_RETRY_DELAY_SECONDS);
    const delay = intOf(form.delay);
    const maxDelay = intOf(form.max_delay);
    if (!p.delay && !p.max_delay && delay !== undefined && maxDelay !== undefined) {
      if (maxDelay < delay) p.max_delay = 'retry.max_delay must not be less than retry.delay';
    }
    const intervals = intervalsOf(form.intervals);
    if (intervals) {
      if (intervals.some((n) => Number.isNaN(n) || n < 1 || n > MAX_RETRY_DELAY_SECONDS)) {
        p.intervals = `each interval must be a whole number of seconds from 1 to ${MAX_RETRY_DELAY_SECONDS}`;
      } else if (intervals.length > MAX_RETRY_ATTEMPTS - 1) {
        p.intervals = `at most ${MAX_RETRY_ATTEMPTS - 1} intervals`;
      }
    }
  }
  p.max_runtime = intProblem('max_runtime', form.max_runtime, 0, MAX_RUNTIME_SECONDS);
  if (form.ack && !p.max_runtime && !intOf(form.max_runtime)) {
    p.ack = 'ack needs max_runtime: the time to wait for an outcome';
  }
  if (form.key.length > 200) p.key = 'key must be shorter than or equal to 200 characters';
  else if (CONTROL.test(form.key)) p.key = 'key must not contain control characters';
  if (form.delivery === 'kafka' && form.topic.trim().length > 249) {
    p.topic = 'topic must be shorter than or equal to 249 characters';
  }
  if (form.delivery === 'http') Object.assign(p, targetProblems(form));
  for (const k of Object.keys(p) as FormField[]) if (p[k] === undefined) delete p[k];
  return p;
}

/** Light checks of the HTTP target; the server judges the rest (SSRF, header names) with a 400. */
function targetProblems(form: TaskForm): Problems {
  const p: Problems = {};
  const url = form.target_url.trim();
  if (url === '') p.target_url = 'an HTTP target needs a URL';
  else if (!/^https?:\/\//i.test(url)) p.target_url = 'the URL must start with http:// or https://';
  else if (url.length > HTTP_TARGET_LIMITS.urlMaxLength) {
    p.target_url = `the URL must be at most ${HTTP_TARGET_LIMITS.urlMaxLength} characters`;
  }
  const { problems } = parseHeaderLines(form.target_headers.split('\n'));
  if (problems.length > 0) p.target_headers = problems.join('; ');
  p.target_timeout = intProblem(
    'timeout',
    form.target_timeout,
    HTTP_TARGET_LIMITS.timeoutMinS,
    HTTP_TARGET_LIMITS.timeoutMaxS,
  );
  return p;
}

export const hasProblems = (p: Problems): boolean => Object.keys(p).length > 0;

/** The preview request of the schedule, or undefined while the schedule fields have problems. */
export function previewRequestOf(
  form: TaskForm,
  problems: Problems,
): PreviewTaskRequest | undefined {
  if (SCHEDULE_FIELDS.some((f) => problems[f])) return undefined;
  return { ...scheduleOf(form), count: 10 };
}

function scheduleOf(form: TaskForm): PreviewTaskRequest {
  const zone = form.timezone.trim();
  const req: PreviewTaskRequest = { type: form.type };
  if (form.type === 3) req.crontab = form.crontab.trim();
  if (form.type === 2) req.loop_time = intOf(form.loop_time);
  if (form.type !== 1 && intOf(form.loop_count)) req.loop_count = intOf(form.loop_count);
  const start = form.start ? fromLocalInput(form.start, zone || 'UTC') : undefined;
  const end = form.end ? fromLocalInput(form.end, zone || 'UTC') : undefined;
  if (start) req.start_time = start;
  if (end) req.end_time = end;
  if (zone) req.timezone = zone;
  return req;
}

/** The create request of a valid form: fields not set are left out. */
export function createRequestOf(form: TaskForm): CreateTaskRequest {
  const req: CreateTaskRequest = { ...scheduleOf(form), name: form.name, data: form.data };
  if (form.retry) {
    const retry: NonNullable<CreateTaskRequest['retry']> = {
      max_attempts: intOf(form.max_attempts),
      backoff: form.backoff,
      delay: intOf(form.delay),
      max_delay: intOf(form.max_delay),
    };
    const intervals = intervalsOf(form.intervals);
    if (intervals) retry.intervals = intervals;
    for (const k of Object.keys(retry) as (keyof typeof retry)[]) {
      if (retry[k] === undefined) delete retry[k];
    }
    req.retry = retry;
  }
  if (form.misfire) req.misfire = form.misfire;
  const maxRuntime = intOf(form.max_runtime);
  if (maxRuntime) req.max_runtime = maxRuntime;
  if (form.ack) req.ack = true;
  if (form.key !== '') req.key = form.key;
  if (form.delivery === 'http') req.target = targetOf(form);
  else if (form.topic.trim() !== '') req.topic = form.topic.trim();
  return req;
}

function targetOf(form: TaskForm): NonNullable<CreateTaskRequest['target']> {
  const target: NonNullable<CreateTaskRequest['target']> = {
    type: 'http',
    url: form.target_url.trim(),
    method: form.target_method,
  };
  const { headers } = parseHeaderLines(form.target_headers.split('\n'));
  if (Object.keys(headers).length > 0) target.headers = headers;
  const timeout = intOf(form.target_timeout);
  if (timeout !== undefined) target.timeout_s = timeout;
  return target;
}

/** What "not set" is on the wire for each optional field (0, "" or null). */
const UNSET: Partial<Record<keyof CreateTaskRequest, unknown>> = {
  crontab: '',
  loop_time: 0,
  loop_count: 0,
  start_time: 0,
  end_time: 0,
  max_runtime: 0,
  ack: false,
  key: '',
  topic: '',
  target: null,
  retry: null,
};

/**
 * The update request of an edited form: only the fields whose value differs from the task's,
 * a field cleared as its "not set" value. An empty object: nothing changed.
 */
export function updateRequestOf(form: TaskForm, task: Task): UpdateTaskRequest {
  const before = createRequestOf(formOfTask(task)) as Record<string, unknown>;
  const after = createRequestOf(form) as Record<string, unknown>;
  const changes: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (JSON.stringify(before[key]) === JSON.stringify(after[key])) continue;
    changes[key] = key in after ? after[key] : UNSET[key as keyof CreateTaskRequest];
  }
  // misfire '' (server default) never clears a stored policy
  if (changes.misfire === undefined) delete changes.misfire;
  return changes;
}
