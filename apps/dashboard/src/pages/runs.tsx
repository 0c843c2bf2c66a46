import { type RunSearchState } from '@task-center/client/types';
import { useState } from 'preact/hooks';
import { ErrorBox, Loading } from '../components/feedback';
import { useLoad } from '../hooks';
import { hrefOf } from '../lib/routes';
import {
  RANGES,
  RUN_STATES,
  type RunsQuery,
  type RunsRange,
  SECTIONS,
  attemptsOf,
  fireBadge,
  formatDuration,
  lastOutcomeOf,
  parseRunsQuery,
  runsQueryToSearch,
  taskIdOf,
  windowOf,
} from '../lib/runs-view';
import { type Session } from '../session';
import { DeadLettersSection } from './runs-dead-letters';
import { PAGE_SIZE, Pager, When, taskHref } from './runs-parts';

const runsHref = (q: RunsQuery) => hrefOf({ page: 'runs', query: runsQueryToSearch(q) });
const tasksNamedHref = (name: string) =>
  hrefOf({ page: 'tasks', query: new URLSearchParams({ name }) });

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
