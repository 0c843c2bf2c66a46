import {
  type DeadLetterFilter,
  type Fire,
  type FireOutcome,
  type RunSearchState,
} from '@task-center/client/types';

/** The three sections of the Runs page. */
export type RunsSection = 'failures' | 'runs' | 'dead';
export const SECTIONS: { id: RunsSection; label: string }[] = [
  { id: 'failures', label: 'Failures by error' },
  { id: 'runs', label: 'Runs' },
  { id: 'dead', label: 'Dead letters' },
];

/** How far back the failures and the runs look (the API allows at most 7 days). */
export type RunsRange = '1h' | '24h' | '7d';
export const RANGES: { id: RunsRange; label: string; seconds: number }[] = [
  { id: '1h', label: 'Last hour', seconds: 3600 },
  { id: '24h', label: 'Last 24 hours', seconds: 86_400 },
  { id: '7d', label: 'Last 7 days', seconds: 604_800 },
];

export const RUN_STATES: { id: RunSearchState; label: string }[] = [
  { id: 'pending', label: 'Pending' },
  { id: 'succeeded', label: 'Succeeded' },
  { id: 'failed', label: 'Failed' },
  { id: 'timeout', label: 'Timed out' },
  { id: 'dead', label: 'Dead' },
];

/** What the URL's query says about the Runs page (`#/runs?view=runs&state=dead&name=x&from=1h`). */
export interface RunsQuery {
  view: RunsSection;
  /** Empty: every state. */
  states: RunSearchState[];
  /** Exact task name; '' for any. */
  name: string;
  range: RunsRange;
}

const DEFAULT_VIEW: RunsSection = 'failures';
const DEFAULT_RANGE: RunsRange = '24h';

/** Reads the query leniently: anything unknown falls back to the default (never throws). */
export function parseRunsQuery(query: URLSearchParams): RunsQuery {
  const view = SECTIONS.find((s) => s.id === query.get('view'))?.id ?? DEFAULT_VIEW;
  const asked = query
    .getAll('state')
    .flatMap((s) => s.split(','))
    .map((s) => s.trim());
  const states = RUN_STATES.map((s) => s.id).filter((id) => asked.includes(id));
  const range = RANGES.find((r) => r.id === query.get('from'))?.id ?? DEFAULT_RANGE;
  return { view, states, name: (query.get('name') ?? '').trim(), range };
}

/** The inverse of {@link parseRunsQuery}; defaults are left out so that links stay short. */
export function runsQueryToSearch(q: RunsQuery): URLSearchParams {
  const search = new URLSearchParams();
  if (q.view !== DEFAULT_VIEW) search.set('view', q.view);
  if (q.states.length > 0) search.set('state', q.states.join(','));
  if (q.name) search.set('name', q.name);
  if (q.range !== DEFAULT_RANGE) search.set('from', q.range);
  return search;
}

/** `[from, to)` in unix seconds for a range ending at `nowMs`. */
export function windowOf(range: RunsRange, nowMs: number): { from: number; to: number } {
  const to = Math.floor(nowMs / 1000) + 1; // `to` is exclusive: include this very second
  const seconds = RANGES.find((r) => r.id === range)?.seconds ?? 86_400;
  return { from: to - seconds, to };
}

/** `6740…:1767225600000` (a fire id or a message id) → the task id. */
export const taskIdOf = (fireOrMessageId: string): string => fireOrMessageId.split(':')[0] ?? '';

/** The latest outcome of a fire's latest attempt that has one. */
export function lastOutcomeOf(fire: Fire): FireOutcome | undefined {
  for (let i = fire.attempts.length - 1; i >= 0; i--) {
    const outcomes = fire.attempts[i]!.outcomes;
    if (outcomes.length > 0) return outcomes[outcomes.length - 1];
  }
  return undefined;
}

/** The badge of a fire: its state in the words of the filter (`retrying` says why). */
export function fireBadge(fire: Fire): { label: string; tone: string } {
  switch (fire.state) {
    case 'dispatched':
      return { label: 'pending', tone: 'dispatched' };
    case 'retrying': {
      const last = lastOutcomeOf(fire)?.result;
      return {
        label: last === 'timeout' ? 'timeout, retrying' : 'failed, retrying',
        tone: 'retrying',
      };
    }
    default:
      return { label: fire.state, tone: fire.state };
  }
}

/** The highest attempt number of a fire (1 when none is recorded). */
export const attemptsOf = (fire: Fire): number =>
  fire.attempts.reduce((max, a) => Math.max(max, a.attempt), 1);

/** `850 ms`, `2.4 s`, `3 min 5 s`, `1 h 2 min`; '' when unknown. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** Totals of one or several redrive answers (a redrive by filter comes in batches). */
export interface RedriveTally {
  succeeded: number;
  failed: number;
  /** Distinct failure messages, first seen first, with how many items got each. */
  problems: { msg: string; count: number }[];
}

export const EMPTY_TALLY: RedriveTally = { succeeded: 0, failed: 0, problems: [] };

/** One item's result as the tally needs it (a RedriveItemResult of the API is one). */
export type RedriveOutcome = { ok: true } | { ok: false; msg: string };

export function tallyRedrive(tally: RedriveTally, results: RedriveOutcome[]): RedriveTally {
  const problems = tally.problems.map((p) => ({ ...p }));
  let { succeeded, failed } = tally;
  for (const r of results) {
    if (r.ok) {
      succeeded++;
      continue;
    }
    failed++;
    const known = problems.find((p) => p.msg === r.msg);
    if (known) known.count++;
    else problems.push({ msg: r.msg, count: 1 });
  }
  return { succeeded, failed, problems };
}

/** "2 redriven, 1 failed: dead letter x does not exist" (messages joined by "; "). */
export function redriveSummary(tally: RedriveTally): string {
  if (tally.succeeded === 0 && tally.failed === 0)
    return 'Nothing matched: no dead letter redriven.';
  const done = `${tally.succeeded} redriven`;
  if (tally.failed === 0) return done;
  const why = tally.problems
    .map((p) => (p.count > 1 ? `${p.msg} (×${p.count})` : p.msg))
    .join('; ');
  return `${done}, ${tally.failed} failed: ${why}`;
}

/** The redrive-by-filter form as typed (datetime-local values in the viewer's zone). */
export interface RedriveFilterForm {
  name: string;
  since: string;
  until: string;
}

/**
 * The filter to send, or why not: at least one field (an empty filter is refused by the API on
 * purpose), `until` after `since`. `parseLocal` turns a datetime-local value into epoch ms.
 */
export function redriveFilterOf(
  form: RedriveFilterForm,
  parseLocal: (value: string) => number = (v) => new Date(v).getTime(),
): { filter: DeadLetterFilter } | { problem: string } {
  const filter: DeadLetterFilter = {};
  const name = form.name.trim();
  if (name) filter.name = name;
  for (const key of ['since', 'until'] as const) {
    if (!form[key]) continue;
    const ms = parseLocal(form[key]);
    if (!Number.isFinite(ms)) return { problem: `${key} is not a date and time` };
    filter[key] = Math.floor(ms / 1000);
  }
  if (filter.name === undefined && filter.since === undefined && filter.until === undefined) {
    return { problem: 'Give a name, a since or an until (to take every dead letter: since only).' };
  }
  if (filter.since != null && filter.until != null && filter.until <= filter.since) {
    return { problem: 'until must be after since' };
  }
  return { filter };
}

/** The filter in words, for the confirmation. */
export function describeRedriveFilter(
  filter: DeadLetterFilter,
  format: (ms: number) => string,
): string {
  const parts: string[] = [];
  if (filter.name) parts.push(`named ${filter.name}`);
  if (filter.since != null) parts.push(`dead since ${format(filter.since * 1000)}`);
  if (filter.until != null) parts.push(`dead before ${format(filter.until * 1000)}`);
  return `every dead letter ${parts.join(', ')}`;
}
