import {
  type DeadLetter,
  type DeadLetterFilter,
  type RunSearchState,
} from '@task-center/client/types';
import { TaskCenterApiError } from '@task-center/client/errors';
import { useState } from 'preact/hooks';
import { ConfirmDialog, ErrorBox, Loading } from '../components/feedback';
import { useLoad } from '../hooks';
import { hrefOf } from '../lib/routes';
import {
  EMPTY_TALLY,
  RANGES,
  RUN_STATES,
  type RunsQuery,
  type RunsRange,
  SECTIONS,
  attemptsOf,
  describeRedriveFilter,
  fireBadge,
  formatDuration,
  lastOutcomeOf,
  parseRunsQuery,
  redriveFilterOf,
  redriveSummary,
  runsQueryToSearch,
  tallyRedrive,
  taskIdOf,
  windowOf,
} from '../lib/runs-view';
import { type Session } from '../session';

const PAGE_SIZE = 50;
/** Dead letters redriven per request of a redrive by filter (repeated while `more`). */
const FILTER_BATCH = 100;

const runsHref = (q: RunsQuery) => hrefOf({ page: 'runs', query: runsQueryToSearch(q) });
const taskHref = (id: string) => hrefOf({ page: 'task', id });
const tasksNamedHref = (name: string) =>
  hrefOf({ page: 'tasks', query: new URLSearchParams({ name }) });
const formatInstant = (ms: number) => new Date(ms).toLocaleString();

/** An instant in the viewer's zone, the UTC instant on hover. */
function When(props: { ms: number | undefined }) {
  if (props.ms === undefined) return <span class="muted">–</span>;
  const iso = new Date(props.ms).toISOString();
  return (
    <time dateTime={iso} title={iso}>
      {formatInstant(props.ms)}
    </time>
  );
}

/** Failures and dead letters across tasks: by error, every fire, and the dead-letter queue. */
export function RunsPage(props: { session: Session; query: URLSearchParams }) {
  const q = parseRunsQuery(props.query);
  const key = runsQueryToSearch(q).toString();
  return (
    <section class="runs-page">
      <h1>Runs</h1>
      <nav aria-label="Runs sections" class="runs-tabs">
        <ul>
          {SECTIONS.map((s) => (
            <li key={s.id}>
              <a
                href={runsHref({ ...q, view: s.id })}
                aria-current={s.id === q.view ? 'page' : undefined}
              >
                {s.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {q.view === 'failures' && <FailuresSection key={key} session={props.session} q={q} />}
      {q.view === 'runs' && <RunsSectionView key={key} session={props.session} q={q} />}
      {q.view === 'dead' && <DeadLettersSection session={props.session} />}
    </section>
  );
}

function RangeSelect(props: { id: string; value: RunsRange; onChange: (r: RunsRange) => void }) {
  return (
    <div class="field">
      <label for={props.id}>Time range</label>
      <select
        id={props.id}
        value={props.value}
        onChange={(e) => props.onChange(e.currentTarget.value as RunsRange)}
      >
        {RANGES.map((r) => (
          <option key={r.id} value={r.id}>
            {r.label}
          </option>
        ))}
      </select>
    </div>
  );
}

function FailuresSection(props: { session: Session; q: RunsQuery }) {
  const { q } = props;
  const errors = useLoad(
    () => props.session.api.runErrors({ ...windowOf(q.range, Date.now()), limit: 100 }),
    [q.range],
  );
  return (
    <>
      <h2>Failures by error</h2>
      <div class="filters">
        <RangeSelect
          id="failures-range"
          value={q.range}
          onChange={(range) => (window.location.hash = runsHref({ ...q, range }))}
        />
        <button type="button" onClick={errors.reload}>
          Refresh
        </button>
      </div>
      <ErrorBox error={errors.error} retry={errors.reload} />
      {errors.data === undefined ? (
        errors.loading && <Loading what="failures" />
      ) : errors.data.length === 0 ? (
        <p class="muted">No failure in this time range.</p>
      ) : (
        <div class="table-wrap">
          <table data-testid="failures">
            <thead>
              <tr>
                <th scope="col">Error</th>
                <th scope="col" class="num">
                  Count
                </th>
                <th scope="col">First seen</th>
                <th scope="col">Last seen</th>
                <th scope="col">Tasks</th>
                <th scope="col">Example fire</th>
              </tr>
            </thead>
            <tbody>
              {errors.data.map((group) => (
                <tr key={group.error}>
                  <td class="runs-error">
                    {group.error || <span class="muted">(no message)</span>}
                  </td>
                  <td class="num">{group.count}</td>
                  <td>
                    <When ms={group.first_seen * 1000} />
                  </td>
                  <td>
                    <When ms={group.last_seen * 1000} />
                  </td>
                  <td>
                    <ul class="runs-names">
                      {group.names.map((name) => (
                        <li key={name}>
                          <a href={tasksNamedHref(name)}>{name}</a>
                        </li>
                      ))}
                    </ul>
                  </td>
                  <td>
                    <a href={taskHref(taskIdOf(group.example.fire_id))} class="mono small">
                      {group.example.message_id}
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function RunsSectionView(props: { session: Session; q: RunsQuery }) {
  const { q } = props;
  const [states, setStates] = useState<RunSearchState[]>(q.states);
  const [name, setName] = useState(q.name);
  const [range, setRange] = useState<RunsRange>(q.range);
  // The window is fixed while paging (a cursor belongs to one window); Refresh moves it to now.
  const [window_, setWindow] = useState(() => windowOf(q.range, Date.now()));
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const runs = useLoad(
    () =>
      props.session.api.runs({
        ...window_,
        limit: PAGE_SIZE,
        ...(q.states.length > 0 && { state: q.states }),
        ...(q.name && { name: q.name }),
        ...(cursor && { cursor }),
      }),
    [window_, cursor],
  );
  const apply = (e: Event) => {
    e.preventDefault();
    window.location.hash = runsHref({ ...q, states, name: name.trim(), range });
  };
  const refresh = () => {
    setCursors([]);
    setWindow(windowOf(q.range, Date.now()));
  };
  const toggle = (state: RunSearchState, on: boolean) =>
    setStates(RUN_STATES.map((s) => s.id).filter((s) => (s === state ? on : states.includes(s))));

  return (
    <>
      <h2>Runs</h2>
      <form class="filters" onSubmit={apply} aria-label="Filter runs">
        <fieldset class="runs-states">
          <legend>State</legend>
          {RUN_STATES.map((s) => (
            <label key={s.id}>
              <input
                type="checkbox"
                name="state"
                value={s.id}
                checked={states.includes(s.id)}
                onChange={(e) => toggle(s.id, e.currentTarget.checked)}
              />{' '}
              {s.label}
            </label>
          ))}
        </fieldset>
        <div class="field">
          <label for="runs-name">Task name</label>
          <input
            id="runs-name"
            value={name}
            placeholder="exact name"
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </div>
        <RangeSelect id="runs-range" value={range} onChange={setRange} />
        <div class="actions">
          <button type="submit" class="primary">
            Apply
          </button>
          <button type="button" onClick={refresh}>
            Refresh
          </button>
        </div>
      </form>
      <ErrorBox error={runs.error} retry={runs.reload} />
      {runs.data === undefined ? (
        runs.loading && <Loading what="runs" />
      ) : (
        <>
          {runs.data.fires.length === 0 ? (
            <p class="muted">
              {runs.data.next_cursor
                ? 'None on this page: older fires remain, see the next page.'
                : 'No fire matches.'}
            </p>
          ) : (
            <div class="table-wrap">
              <table data-testid="runs">
                <thead>
                  <tr>
                    <th scope="col">Task</th>
                    <th scope="col">Scheduled</th>
                    <th scope="col">State</th>
                    <th scope="col" class="num">
                      Attempts
                    </th>
                    <th scope="col">Last error</th>
                    <th scope="col" class="num">
                      Duration
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {runs.data.fires.map((fire) => {
                    const badge = fireBadge(fire);
                    return (
                      <tr key={fire.fire_id}>
                        <td>
                          <a href={taskHref(fire.task_id)}>{fire.name}</a>
                        </td>
                        <td>
                          <When ms={fire.scheduled_at_ms} />
                        </td>
                        <td>
                          <span class={`badge ${badge.tone}`}>{badge.label}</span>
                        </td>
                        <td class="num">{attemptsOf(fire)}</td>
                        <td class="runs-error">{fire.last_error ?? ''}</td>
                        <td class="num">{formatDuration(lastOutcomeOf(fire)?.duration_ms)}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
          <Pager
            atStart={cursors.length === 0}
            next={runs.data.next_cursor ?? undefined}
            onFirst={() => setCursors([])}
            onPrevious={() => setCursors(cursors.slice(0, -1))}
            onNext={(c) => setCursors([...cursors, c])}
          />
        </>
      )}
    </>
  );
}

function Pager(props: {
  atStart: boolean;
  next: string | undefined;
  onFirst: () => void;
  onPrevious: () => void;
  onNext: (cursor: string) => void;
}) {
  if (props.atStart && !props.next) return null;
  const next = props.next;
  return (
    <nav class="actions runs-pager" aria-label="Pages">
      <button type="button" disabled={props.atStart} onClick={props.onFirst}>
        First page
      </button>
      <button type="button" disabled={props.atStart} onClick={props.onPrevious}>
        Previous page
      </button>
      <button type="button" disabled={!next} onClick={() => next && props.onNext(next)}>
        Next page
      </button>
    </nav>
  );
}

type Redrive =
  | { kind: 'one'; letter: DeadLetter }
  | { kind: 'selected'; ids: string[] }
  | { kind: 'filter'; filter: DeadLetterFilter };

function DeadLettersSection(props: { session: Session }) {
  const { session } = props;
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const letters = useLoad(
    () => session.api.deadLetters({ limit: PAGE_SIZE, ...(cursor && { cursor }) }),
    [cursor],
  );
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [asking, setAsking] = useState<Redrive | undefined>();
  const [busy, setBusy] = useState<string | undefined>();
  const [summary, setSummary] = useState<{ text: string; bad: boolean } | undefined>();
  const [failure, setFailure] = useState<Error | undefined>();
  const [form, setForm] = useState({ name: '', since: '', until: '' });
  const [formProblem, setFormProblem] = useState<string | undefined>();

  const shown = letters.data?.deadLetters ?? [];
  const allSelected = shown.length > 0 && shown.every((l) => selected.has(l.message_id));
  const select = (ids: string[], on: boolean) => {
    const next = new Set(selected);
    for (const id of ids) {
      if (on) next.add(id);
      else next.delete(id);
    }
    setSelected(next);
  };

  const run = async (what: Redrive) => {
    setAsking(undefined);
    setSummary(undefined);
    setFailure(undefined);
    try {
      let tally = EMPTY_TALLY;
      if (what.kind === 'one') {
        setBusy('Redriving…');
        try {
          await session.api.redriveDeadLetter(what.letter.message_id);
          tally = tallyRedrive(tally, [{ ok: true }]);
        } catch (err) {
          // The server's refusal is this item's result; a network failure is the page's error.
          if (!(err instanceof TaskCenterApiError) || err.status === 0) throw err;
          tally = tallyRedrive(tally, [{ ok: false, msg: err.msg }]);
        }
      } else if (what.kind === 'selected') {
        setBusy(`Redriving ${what.ids.length}…`);
        tally = tallyRedrive(
          tally,
          (await session.api.redriveDeadLetters({ message_ids: what.ids })).results,
        );
      } else {
        setBusy('Redriving by filter…');
        for (;;) {
          const answer = await session.api.redriveDeadLetters({
            filter: what.filter,
            limit: FILTER_BATCH,
          });
          tally = tallyRedrive(tally, answer.results);
          // Stop when a batch does nothing: failing items still match and would loop forever.
          if (!answer.more || answer.succeeded === 0) break;
          setBusy(`Redriving by filter: ${tally.succeeded} redriven so far…`);
        }
      }
      setSummary({ text: redriveSummary(tally), bad: tally.failed > 0 });
      setSelected(new Set());
    } catch (err) {
      setFailure(err as Error);
    } finally {
      setBusy(undefined);
      letters.reload();
    }
  };

  const askFilter = (e: Event) => {
    e.preventDefault();
    const built = redriveFilterOf(form);
    if ('problem' in built) {
      setFormProblem(built.problem);
      return;
    }
    setFormProblem(undefined);
    setAsking({ kind: 'filter', filter: built.filter });
  };

  return (
    <>
      <h2>Dead letters</h2>
      <p class="muted small">
        Fires whose attempts ran out. A redrive publishes the fire again as its next attempt.
      </p>
      {session.canWrite && session.isAdmin && (
        <form class="filters panel" onSubmit={askFilter} aria-label="Redrive by filter">
          <div class="field">
            <label for="redrive-name">Task name</label>
            <input
              id="redrive-name"
              value={form.name}
              onInput={(e) => setForm({ ...form, name: e.currentTarget.value })}
            />
          </div>
          <div class="field">
            <label for="redrive-since">Dead since</label>
            <input
              id="redrive-since"
              type="datetime-local"
              value={form.since}
              onInput={(e) => setForm({ ...form, since: e.currentTarget.value })}
            />
          </div>
          <div class="field">
            <label for="redrive-until">Dead before</label>
            <input
              id="redrive-until"
              type="datetime-local"
              value={form.until}
              onInput={(e) => setForm({ ...form, until: e.currentTarget.value })}
            />
          </div>
          <button type="submit" disabled={busy !== undefined}>
            Redrive all matching…
          </button>
          {formProblem && (
            <p class="problem bad" role="alert">
              {formProblem}
            </p>
          )}
        </form>
      )}
      <div class="actions runs-toolbar">
        {session.canWrite && (
          <button
            type="button"
            class="primary"
            disabled={selected.size === 0 || busy !== undefined}
            onClick={() => setAsking({ kind: 'selected', ids: [...selected] })}
          >
            Redrive selected ({selected.size})
          </button>
        )}
        <button type="button" onClick={letters.reload}>
          Refresh
        </button>
        <span role="status" class="runs-status" data-testid="redrive-status">
          {busy ?? (summary && <span class={summary.bad ? 'bad' : 'ok'}>{summary.text}</span>)}
        </span>
      </div>
      <ErrorBox error={failure} />
      <ErrorBox error={letters.error} retry={letters.reload} />
      {letters.data === undefined ? (
        letters.loading && <Loading what="dead letters" />
      ) : shown.length === 0 ? (
        <p class="muted">No dead letter waiting.</p>
      ) : (
        <div class="table-wrap">
          <table data-testid="dead-letters">
            <thead>
              <tr>
                {session.canWrite && (
                  <th scope="col">
                    <input
                      type="checkbox"
                      aria-label="Select every dead letter shown"
                      checked={allSelected}
                      onChange={(e) =>
                        select(
                          shown.map((l) => l.message_id),
                          e.currentTarget.checked,
                        )
                      }
                    />
                  </th>
                )}
                <th scope="col">Message id</th>
                <th scope="col">Task</th>
                <th scope="col">Scheduled</th>
                <th scope="col" class="num">
                  Attempts
                </th>
                <th scope="col">Last error</th>
                <th scope="col">Dead at</th>
                {session.canWrite && (
                  <th scope="col">
                    <span class="runs-sr">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {shown.map((letter) => (
                <tr key={letter.message_id} data-message-id={letter.message_id}>
                  {session.canWrite && (
                    <td>
                      <input
                        type="checkbox"
                        aria-label={`Select ${letter.message_id}`}
                        checked={selected.has(letter.message_id)}
                        onChange={(e) => select([letter.message_id], e.currentTarget.checked)}
                      />
                    </td>
                  )}
                  <td class="mono small">{letter.message_id}</td>
                  <td>
                    <a href={taskHref(letter.task_id)}>{letter.name}</a>
                  </td>
                  <td>
                    <When ms={letter.scheduled_at_ms} />
                  </td>
                  <td class="num">{letter.attempts}</td>
                  <td class="runs-error">{letter.last_error}</td>
                  <td>
                    <When ms={letter.dead_at_ms} />
                  </td>
                  {session.canWrite && (
                    <td>
                      <button
                        type="button"
                        disabled={busy !== undefined}
                        aria-label={`Redrive ${letter.message_id}`}
                        onClick={() => setAsking({ kind: 'one', letter })}
                      >
                        Redrive
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {letters.data && (
        <Pager
          atStart={cursors.length === 0}
          next={letters.data.nextCursor}
          onFirst={() => setCursors([])}
          onPrevious={() => setCursors(cursors.slice(0, -1))}
          onNext={(c) => setCursors([...cursors, c])}
        />
      )}
      <ConfirmDialog
        open={asking !== undefined}
        title={
          asking?.kind === 'one'
            ? 'Redrive this dead letter?'
            : asking?.kind === 'selected'
              ? `Redrive ${asking.ids.length} dead letter${asking.ids.length === 1 ? '' : 's'}?`
              : 'Redrive every matching dead letter?'
        }
        confirmLabel="Redrive"
        onCancel={() => setAsking(undefined)}
        onConfirm={() => asking && void run(asking)}
      >
        <p>
          {asking?.kind === 'one' &&
            `${asking.letter.name} (${asking.letter.message_id}) is published again as attempt ${asking.letter.attempts + 1}.`}
          {asking?.kind === 'selected' &&
            'Each one is published again as its next attempt; the workers run them again.'}
          {asking?.kind === 'filter' &&
            `This publishes ${describeRedriveFilter(asking.filter, formatInstant)} again, oldest first, in batches of ${FILTER_BATCH} until none is left.`}
        </p>
      </ConfirmDialog>
    </>
  );
}
