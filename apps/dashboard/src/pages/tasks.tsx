import {
  type BulkTaskAction,
  type BulkTaskActionResult,
  type BulkTaskFilter,
  type Task,
} from '@task-center/client/types';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ConfirmDialog, ErrorBox, Loading } from '../components/feedback';
import { useLoad } from '../hooks';
import { hrefOf } from '../lib/routes';
import {
  bulkFilterOf,
  describeBulkFilter,
  type FormProblems,
  formOfQuery,
  queryOfForm,
  searchFiltersOf,
  searchKeyOf,
  STATUSES,
  type TaskFilterForm,
  type TaskSort,
  TYPES,
  withQuery,
} from '../lib/task-filters';
import {
  bulkSummaryOf,
  instantOf,
  mergeBulkResults,
  scheduleOf,
  toggleAll,
  toggleOne,
  totalOf,
  TYPE_NAMES,
} from '../lib/task-list';
import { type Session } from '../session';

const ACTIONS: { action: BulkTaskAction; label: string }[] = [
  { action: 'pause', label: 'Pause' },
  { action: 'resume', label: 'Resume' },
  { action: 'delete', label: 'Delete' },
];
/** Tasks acted on per request by "apply to all matching" (the API's most). */
const ROUND = 1000;

type Pending =
  | { by: 'ids'; action: BulkTaskAction; ids: string[] }
  | { by: 'filter'; action: BulkTaskAction; filter: BulkTaskFilter };

/** Goes to the list with this query (reloads when the URL would not change). */
function go(query: URLSearchParams, reload: () => void): void {
  const href = hrefOf({ page: 'tasks', query });
  if (window.location.hash === href) reload();
  else window.location.hash = href;
}

/** The search API as a table: filters in the URL, sorting, paging, bulk actions. */
export function TasksPage(props: { session: Session; query: URLSearchParams }) {
  const { session, query } = props;
  const queryText = query.toString();
  const searchKey = searchKeyOf(query);
  const cursor = query.get('cursor') ?? undefined;
  const sort: TaskSort = query.get('sort') === 'next_run_at' ? 'next_run_at' : 'created_at';

  // The rows first, the count in a request of its own: on FerretDB a count reads every match
  // (tens of seconds at 100,000 tasks), and the table should not wait for it.
  const page = useLoad(
    () => session.api.searchTasks({ ...searchFiltersOf(query), count: undefined }),
    [queryText],
  );
  const counted = useLoad(() => {
    const filters = searchFiltersOf(query);
    return filters.count
      ? session.api.searchTasks({ ...filters, limit: 1 })
      : Promise.resolve(undefined);
  }, [queryText]);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [pending, setPending] = useState<Pending | null>(null);
  const [progress, setProgress] = useState<string | null>(null);
  const [summary, setSummary] = useState<{ text: string; failed: boolean } | null>(null);
  const [bulkError, setBulkError] = useState<Error | undefined>();

  // The count comes with a search's first page only; later pages keep showing it.
  const totals = useRef(new Map<string, string>());
  const total = counted.data ? totalOf(counted.data) : undefined;
  if (total !== undefined) totals.current.set(searchKey, total);
  // The cursors of the pages before this one, for "Previous page" (reset by a new search).
  const back = useRef<{ key: string; cursors: string[] }>({ key: searchKey, cursors: [] });
  if (back.current.key !== searchKey) back.current = { key: searchKey, cursors: [] };

  useEffect(() => setSelected(new Set()), [queryText]);

  const tasks = page.data?.tasks ?? [];
  const pageIds = tasks.map((t) => t._id);
  const allSelected = pageIds.length > 0 && pageIds.every((id) => selected.has(id));

  const goPage = (next: string | undefined) => go(withQuery(query, { cursor: next }), page.reload);
  const nextPage = () => {
    back.current.cursors.push(cursor ?? '');
    goPage(page.data?.next_cursor ?? undefined);
  };
  const previousPage = () => goPage(back.current.cursors.pop() || undefined);
  const firstPage = () => {
    back.current.cursors = [];
    goPage(undefined);
  };
  const sortBy = (next: TaskSort) =>
    go(
      withQuery(query, { sort: next === 'created_at' ? undefined : next, cursor: undefined }),
      page.reload,
    );

  const run = async (action: Pending) => {
    setPending(null);
    setSummary(null);
    setBulkError(undefined);
    const rounds: BulkTaskActionResult[] = [];
    try {
      if (action.by === 'ids') {
        rounds.push(await session.api.bulkTaskAction({ action: action.action, ids: action.ids }));
      } else {
        setProgress('Starting…');
        for (;;) {
          const round = await session.api.bulkTaskAction({
            action: action.action,
            filter: action.filter,
            limit: ROUND,
          });
          rounds.push(round);
          const sofar = mergeBulkResults(rounds);
          setProgress(`${bulkSummaryOf(action.action, sofar)} so far…`);
          // What was acted on no longer matches; a round that changed nothing would loop.
          if (!round.more || round.succeeded === 0) break;
        }
      }
      const merged = mergeBulkResults(rounds);
      setSummary({ text: bulkSummaryOf(action.action, merged), failed: merged.failed > 0 });
    } catch (err) {
      if (rounds.length > 0) {
        const merged = mergeBulkResults(rounds);
        setSummary({
          text: `${bulkSummaryOf(action.action, merged)} before the error`,
          failed: true,
        });
      }
      setBulkError(err as Error);
    } finally {
      setProgress(null);
      setSelected(new Set());
      page.reload();
    }
  };

  const filterActions = ACTIONS.map((a) => ({ ...a, bulk: bulkFilterOf(query, a.action) }));
  const busy = progress !== null;

  return (
    <section class="tasks-page">
      <div class="tasks-head">
        <h1>Tasks</h1>
        {session.canWrite && (
          <a class="button primary" href={hrefOf({ page: 'task-new' })}>
            New task
          </a>
        )}
      </div>

      <FilterForm
        key={searchKey}
        initial={formOfQuery(query)}
        onSearch={(next) => {
          back.current.cursors = [];
          go(next, page.reload);
        }}
      />

      {session.canWrite && (
        <div class="panel bulk" aria-label="Bulk actions" role="group">
          <div class="actions">
            <span data-testid="selected-count">{selected.size} selected</span>
            {ACTIONS.map(({ action, label }) => (
              <button
                key={action}
                type="button"
                class={action === 'delete' ? 'danger' : undefined}
                disabled={selected.size === 0 || busy}
                onClick={() => setPending({ by: 'ids', action, ids: [...selected] })}
              >
                {label} selected
              </button>
            ))}
          </div>
          {session.isAdmin && (
            <div class="actions all-matching">
              <span>All matching this search:</span>
              {filterActions.map(({ action, label, bulk }) => (
                <button
                  key={action}
                  type="button"
                  disabled={'reason' in bulk || busy}
                  title={'reason' in bulk ? bulk.reason : undefined}
                  onClick={() =>
                    'filter' in bulk && setPending({ by: 'filter', action, filter: bulk.filter })
                  }
                >
                  {label} all matching
                </button>
              ))}
              {filterActions.some((a) => 'reason' in a.bulk) && (
                <span class="muted small">
                  {filterActions
                    .map((a) => ('reason' in a.bulk ? a.bulk.reason : ''))
                    .find(Boolean)}
                </span>
              )}
            </div>
          )}
          {progress && (
            <p role="status" aria-busy="true" data-testid="bulk-progress">
              {progress}
            </p>
          )}
          {summary && (
            <p role="status" class={summary.failed ? 'bad' : 'ok'} data-testid="bulk-summary">
              {summary.text}
            </p>
          )}
          <ErrorBox error={bulkError} />
        </div>
      )}

      <ErrorBox error={page.error} retry={page.reload} />
      {page.loading && !page.data && <Loading what="tasks" />}

      {page.data && (
        <>
          <p class="muted" data-testid="task-total">
            {totals.current.get(searchKey) ?? ''}
            {cursor && ' · a later page'}
          </p>
          {tasks.length === 0 ? (
            <div class="panel empty" data-testid="empty">
              {searchKey ? (
                <p>
                  No task matches this search.{' '}
                  <a href={hrefOf({ page: 'tasks', query: new URLSearchParams() })}>
                    Show every task
                  </a>
                  .
                </p>
              ) : (
                <p>
                  No tasks yet.
                  {session.canWrite && (
                    <>
                      {' '}
                      <a href={hrefOf({ page: 'task-new' })}>Create one</a>.
                    </>
                  )}
                </p>
              )}
            </div>
          ) : (
            <div class="table-wrap">
              <table aria-busy={page.loading} aria-label="Tasks">
                <thead>
                  <tr>
                    {session.canWrite && (
                      <th scope="col" class="select">
                        <input
                          type="checkbox"
                          aria-label="Select every task on this page"
                          checked={allSelected}
                          onChange={() => setSelected(toggleAll(selected, pageIds))}
                        />
                      </th>
                    )}
                    <th scope="col">Name</th>
                    <th scope="col">Type</th>
                    <th scope="col">Schedule</th>
                    <th scope="col">Status</th>
                    <SortHeader
                      label="Next run"
                      sort="next_run_at"
                      current={sort}
                      onSort={sortBy}
                    />
                    <th scope="col" class="num">
                      Runs
                    </th>
                    <SortHeader label="Created" sort="created_at" current={sort} onSort={sortBy} />
                  </tr>
                </thead>
                <tbody>
                  {tasks.map((task) => (
                    <TaskRow
                      key={task._id}
                      task={task}
                      selectable={session.canWrite}
                      selected={selected.has(task._id)}
                      onToggle={() => setSelected(toggleOne(selected, task._id))}
                    />
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <nav class="actions pager" aria-label="Pages">
            {cursor && (
              <button type="button" onClick={firstPage}>
                First page
              </button>
            )}
            {cursor && back.current.cursors.length > 0 && (
              <button type="button" onClick={previousPage}>
                Previous page
              </button>
            )}
            {page.data.next_cursor && (
              <button type="button" onClick={nextPage}>
                Next page
              </button>
            )}
          </nav>
        </>
      )}

      <ConfirmDialog
        open={pending !== null}
        title={pending ? confirmTitleOf(pending) : ''}
        confirmLabel={pending ? ACTIONS.find((a) => a.action === pending.action)!.label : ''}
        danger={pending?.action === 'delete'}
        onConfirm={() => pending && void run(pending)}
        onCancel={() => setPending(null)}
      >
        {pending && <p>{confirmTextOf(pending, totals.current.get(searchKey))}</p>}
      </ConfirmDialog>
    </section>
  );
}

function confirmTitleOf(pending: Pending): string {
  const verb = ACTIONS.find((a) => a.action === pending.action)!.label;
  if (pending.by === 'ids') {
    return `${verb} ${pending.ids.length} task${pending.ids.length === 1 ? '' : 's'}?`;
  }
  return `${verb} all matching tasks?`;
}

function confirmTextOf(pending: Pending, total: string | undefined): string {
  const undo = pending.action === 'delete' ? ' A deleted task cannot be brought back.' : '';
  if (pending.by === 'ids') return `Only the selected tasks are changed.${undo}`;
  const count = total ? ` The search found ${total}.` : '';
  return `This ${pending.action}s ${describeBulkFilter(pending.filter)}, 1,000 per request until none is left.${count}${undo}`;
}

function SortHeader(props: {
  label: string;
  sort: TaskSort;
  current: TaskSort;
  onSort: (sort: TaskSort) => void;
}) {
  const active = props.sort === props.current;
  const direction = props.sort === 'created_at' ? 'descending' : 'ascending';
  const order = props.sort === 'created_at' ? 'newest first' : 'soonest first';
  return (
    <th scope="col" aria-sort={active ? direction : 'none'}>
      <button
        type="button"
        class="link sort"
        onClick={() => props.onSort(props.sort)}
        title={`Sort by ${props.label.toLowerCase()}, ${order}`}
      >
        {props.label}
        <span aria-hidden="true">{active ? (direction === 'ascending' ? ' ▲' : ' ▼') : ''}</span>
      </button>
    </th>
  );
}

function When(props: { seconds: number | null | undefined }) {
  if (props.seconds === null || props.seconds === undefined) {
    return <span class="muted">none</span>;
  }
  const { local, utc } = instantOf(props.seconds);
  return (
    <time dateTime={utc} title={`${utc} (UTC)`}>
      {local}
    </time>
  );
}

function TaskRow(props: {
  task: Task;
  selectable: boolean;
  selected: boolean;
  onToggle: () => void;
}) {
  const { task } = props;
  return (
    <tr data-testid="task-row" data-id={task._id}>
      {props.selectable && (
        <td class="select">
          <input
            type="checkbox"
            aria-label={`Select ${task.name}`}
            checked={props.selected}
            onChange={props.onToggle}
          />
        </td>
      )}
      <td>
        <a href={hrefOf({ page: 'task', id: task._id })}>{task.name}</a>
        {task.target && (
          <>
            {' '}
            <span class="badge http" title={`Calls ${task.target.method} ${task.target.url}`}>
              HTTP
            </span>
          </>
        )}
      </td>
      <td>{TYPE_NAMES[task.type] ?? task.type}</td>
      <td class="mono small">{scheduleOf(task)}</td>
      <td>
        <span class={`badge ${task.status}`} data-testid="status">
          {task.status}
        </span>
      </td>
      <td>
        <When seconds={task.next_run_at} />
      </td>
      <td class="num">{task.run_count}</td>
      <td>
        <When seconds={task.created_at} />
      </td>
    </tr>
  );
}

/** The filters, validated before they go to the URL. Remounted (by key) when the URL changes. */
function FilterForm(props: {
  initial: TaskFilterForm;
  onSearch: (query: URLSearchParams) => void;
}) {
  const [form, setForm] = useState(props.initial);
  const [problems, setProblems] = useState<FormProblems>({});
  const set = (changes: Partial<TaskFilterForm>) => setForm((f) => ({ ...f, ...changes }));
  const submit = (event: Event) => {
    event.preventDefault();
    const result = queryOfForm(form);
    if ('problems' in result) {
      setProblems(result.problems);
      return;
    }
    setProblems({});
    props.onSearch(result.query);
  };
  const problem = (field: keyof FormProblems) =>
    problems[field] && (
      <span class="problem" id={`tf-${field}-problem`}>
        {problems[field]}
      </span>
    );
  const invalid = (field: keyof FormProblems) =>
    problems[field]
      ? { 'aria-invalid': true as const, 'aria-describedby': `tf-${field}-problem` }
      : {};
  return (
    <form class="filters panel" onSubmit={submit} aria-label="Filter tasks" noValidate>
      <div class="field">
        <label for="tf-name-mode">Match name</label>
        <select
          id="tf-name-mode"
          value={form.nameMode}
          onChange={(e) => set({ nameMode: e.currentTarget.value as TaskFilterForm['nameMode'] })}
        >
          <option value="prefix">starts with</option>
          <option value="exact">is exactly</option>
        </select>
      </div>
      <div class="field">
        <label for="tf-name">Name</label>
        <input
          id="tf-name"
          value={form.name}
          onInput={(e) => set({ name: e.currentTarget.value })}
          {...invalid('name')}
        />
        {problem('name')}
      </div>
      <fieldset class="field statuses">
        <legend>Status</legend>
        {STATUSES.map((status) => (
          <label key={status} class="check">
            <input
              type="checkbox"
              checked={form.statuses.includes(status)}
              onChange={(e) =>
                set({
                  statuses: e.currentTarget.checked
                    ? [...form.statuses, status]
                    : form.statuses.filter((s) => s !== status),
                })
              }
            />{' '}
            {status}
          </label>
        ))}
      </fieldset>
      <div class="field">
        <label for="tf-type">Type</label>
        <select
          id="tf-type"
          value={form.type}
          onChange={(e) => set({ type: e.currentTarget.value })}
        >
          <option value="">any</option>
          {TYPES.map((t) => (
            <option key={t.value} value={t.value}>
              {t.label}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="tf-from">Next run from</label>
        <input
          id="tf-from"
          type="datetime-local"
          value={form.from}
          onInput={(e) => set({ from: e.currentTarget.value })}
          {...invalid('from')}
        />
        {problem('from')}
      </div>
      <div class="field">
        <label for="tf-to">Next run before</label>
        <input
          id="tf-to"
          type="datetime-local"
          value={form.to}
          onInput={(e) => set({ to: e.currentTarget.value })}
          {...invalid('to')}
        />
        {problem('to')}
      </div>
      <div class="field">
        <label for="tf-limit">Per page</label>
        <input
          id="tf-limit"
          type="number"
          min={1}
          max={1000}
          class="limit"
          value={form.limit}
          onInput={(e) => set({ limit: e.currentTarget.value })}
          {...invalid('limit')}
        />
        {problem('limit')}
      </div>
      <div class="actions">
        <button type="submit" class="primary">
          Search
        </button>
        <a class="button" href={hrefOf({ page: 'tasks', query: new URLSearchParams() })}>
          Clear
        </a>
      </div>
    </form>
  );
}
