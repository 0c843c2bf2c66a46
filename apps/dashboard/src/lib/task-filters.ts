import {
  type BulkTaskAction,
  type BulkTaskFilter,
  type SearchableTaskStatus,
  type SearchTasksFilters,
} from '@task-center/client/types';

// The Tasks page's filters, in three shapes: the form (what the user types: local date-times),
// the URL's query (what a link holds: unix seconds, as the API takes them) and the client's
// SearchTasksFilters. The URL is the source of truth; the form is validated before it is.

export const STATUSES: readonly SearchableTaskStatus[] = ['active', 'paused', 'completed'];
export const TYPES = [
  { value: '1', label: 'one-shot' },
  { value: '2', label: 'loop' },
  { value: '3', label: 'crontab' },
] as const;
export type TaskSort = 'created_at' | 'next_run_at';
export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 1000;
/** The characters a name may have (the server's rule), so a prefix of one too. */
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:@/-]{0,199}$/;
/** Query keys the page keeps in the URL, in the order they are written. */
const KEYS = [
  'name',
  'name_prefix',
  'status',
  'type',
  'next_run_after',
  'next_run_before',
  'sort',
  'limit',
  'cursor',
] as const;

/** The filter form, as typed. `from`/`to` are `<input type="datetime-local">` values. */
export interface TaskFilterForm {
  nameMode: 'prefix' | 'exact';
  name: string;
  statuses: SearchableTaskStatus[];
  /** '' (any), '1', '2' or '3'. */
  type: string;
  from: string;
  to: string;
  sort: TaskSort;
  limit: string;
}

export type FormProblems = Partial<Record<'name' | 'from' | 'to' | 'limit', string>>;

/** `2026-03-01T14:30` (local wall time) → unix seconds; undefined when not a date-time. */
export function localInputToUnix(value: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map((part) => Number(part ?? 0));
  const date = new Date(y ?? 0, (mo ?? 1) - 1, d, h, mi, s);
  // Date rolls Feb 30 over to March: refuse what the calendar does not have.
  if (date.getMonth() !== (mo ?? 1) - 1 || date.getDate() !== d) return undefined;
  return Math.floor(date.getTime() / 1000);
}

/** Unix seconds → `2026-03-01T14:30` in the viewer's zone (the datetime-local format). */
export function unixToLocalInput(seconds: number): string {
  const date = new Date(seconds * 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}`;
  const sec = date.getSeconds() ? `:${pad(date.getSeconds())}` : '';
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${time}${sec}`;
}

const integer = (raw: string | null): number | undefined =>
  raw !== null && /^-?\d+$/.test(raw.trim()) ? Number(raw) : undefined;

/** The URL's query → the form's fields (unknown values fall back to the defaults). */
export function formOfQuery(query: URLSearchParams): TaskFilterForm {
  const prefix = query.get('name_prefix');
  const name = query.get('name');
  const statuses = (query.get('status') ?? '').split(',');
  const after = integer(query.get('next_run_after'));
  const before = integer(query.get('next_run_before'));
  return {
    nameMode: name !== null && prefix === null ? 'exact' : 'prefix',
    name: prefix ?? name ?? '',
    statuses: STATUSES.filter((s) => statuses.includes(s)),
    type: TYPES.some((t) => t.value === query.get('type')) ? query.get('type')! : '',
    from: after === undefined ? '' : unixToLocalInput(after),
    to: before === undefined ? '' : unixToLocalInput(before),
    sort: query.get('sort') === 'next_run_at' ? 'next_run_at' : 'created_at',
    limit: query.get('limit') ?? String(DEFAULT_LIMIT),
  };
}

/**
 * The form → the URL's query (no cursor: a new search starts on its first page), or what is
 * wrong with each field. Defaults are left out, so the plain list is `#/tasks`.
 */
export function queryOfForm(
  form: TaskFilterForm,
): { query: URLSearchParams } | { problems: FormProblems } {
  const problems: FormProblems = {};
  const name = form.name.trim();
  if (name && !NAME_PATTERN.test(name)) {
    problems.name =
      'A name starts with a letter or digit, then letters, digits and _ . : @ / - (at most 200).';
  }
  const from = form.from ? localInputToUnix(form.from) : undefined;
  const to = form.to ? localInputToUnix(form.to) : undefined;
  if (form.from && from === undefined) problems.from = 'Not a date and time.';
  if (form.to && to === undefined) problems.to = 'Not a date and time.';
  if (from !== undefined && to !== undefined && to <= from) {
    problems.to = 'The end of the window must be after its start.';
  }
  const limit = integer(form.limit);
  if (limit === undefined || limit < 1 || limit > MAX_LIMIT) {
    problems.limit = `A whole number from 1 to ${MAX_LIMIT}.`;
  }
  if (Object.keys(problems).length > 0) return { problems };

  const query = new URLSearchParams();
  if (name) query.set(form.nameMode === 'exact' ? 'name' : 'name_prefix', name);
  if (form.statuses.length > 0) {
    query.set('status', STATUSES.filter((s) => form.statuses.includes(s)).join(','));
  }
  if (form.type) query.set('type', form.type);
  if (from !== undefined) query.set('next_run_after', String(from));
  if (to !== undefined) query.set('next_run_before', String(to));
  if (form.sort !== 'created_at') query.set('sort', form.sort);
  if (limit !== DEFAULT_LIMIT) query.set('limit', String(limit));
  return { query };
}

/**
 * The URL's query → the client's filters, with `count` on the first page only (a count reads
 * up to 10,001 tasks). Values are passed on as given: a bad one is the server's 400 to explain.
 */
export function searchFiltersOf(query: URLSearchParams): SearchTasksFilters {
  const filters: Record<string, unknown> = {};
  for (const key of KEYS) {
    const value = query.get(key);
    if (value === null || value === '') continue;
    if (key === 'status') filters.status = value.split(',');
    else if (['type', 'next_run_after', 'next_run_before', 'limit'].includes(key)) {
      filters[key] = integer(value) ?? value;
    } else filters[key] = value;
  }
  if (filters.cursor === undefined) filters.count = true;
  return filters;
}

/** The same query with `changes` applied (undefined removes a key), in a stable order. */
export function withQuery(
  query: URLSearchParams,
  changes: Partial<Record<(typeof KEYS)[number], string | undefined>>,
): URLSearchParams {
  const next = new URLSearchParams();
  for (const key of KEYS) {
    const value = key in changes ? changes[key] : (query.get(key) ?? undefined);
    if (value !== undefined && value !== '') next.set(key, value);
  }
  return next;
}

/** The search the query describes, without its page: two queries on the same list share it. */
export const searchKeyOf = (query: URLSearchParams): string =>
  withQuery(query, { cursor: undefined }).toString();

/** The statuses each bulk action changes (the server's default selection by filter). */
const CHANGES: Record<BulkTaskAction, SearchableTaskStatus[]> = {
  pause: ['active'],
  resume: ['paused'],
  delete: ['active', 'paused', 'completed'],
};

/**
 * The bulk filter for "apply to all matching" the URL's search, or why there is none: the bulk
 * API has no next-run window, and an action changes only some statuses (the statuses sent are
 * those both the search and the action allow, so an unfiltered list is still a valid filter).
 */
export function bulkFilterOf(
  query: URLSearchParams,
  action: BulkTaskAction,
): { filter: BulkTaskFilter } | { reason: string } {
  if (query.get('next_run_after') || query.get('next_run_before')) {
    return { reason: 'Actions on all matching tasks cannot use a next-run window.' };
  }
  const searched = (query.get('status') ?? '').split(',').filter(Boolean);
  const statuses = CHANGES[action].filter((s) => searched.length === 0 || searched.includes(s));
  if (statuses.length === 0) {
    return { reason: `No task with the statuses searched can be ${pastOf(action)}.` };
  }
  const filter: BulkTaskFilter = { status: statuses };
  const name = query.get('name');
  const prefix = query.get('name_prefix');
  if (name) filter.name = name;
  if (prefix) filter.name_prefix = prefix;
  const type = integer(query.get('type'));
  if (type === 1 || type === 2 || type === 3) filter.type = type;
  return { filter };
}

export const pastOf = (action: BulkTaskAction): string =>
  ({ pause: 'paused', resume: 'resumed', delete: 'deleted' })[action];

const typeLabel = (type: number) => TYPES.find((t) => t.value === String(type))?.label;

/** A bulk filter in words: `active tasks whose name starts with "reports.", of type loop`. */
export function describeBulkFilter(filter: BulkTaskFilter): string {
  const statuses = filter.status ?? [];
  const which =
    statuses.length === STATUSES.length ? 'all live tasks' : `${statuses.join(' or ')} tasks`;
  const parts = [which];
  if (filter.name) parts.push(`named "${filter.name}"`);
  if (filter.name_prefix) parts.push(`whose name starts with "${filter.name_prefix}"`);
  if (filter.type) parts.push(`of type ${typeLabel(filter.type)}`);
  return parts.join(' ');
}
