import type { Overview } from '@task-center/client/types';
import { type ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { BarChart } from '../components/bar-chart';
import { ErrorBox, Loading } from '../components/feedback';
import { useAutoRefresh, useLoad } from '../hooks';
import {
  chartDataOf,
  clockSecond,
  DEFAULT_REFRESH,
  exactTime,
  FIRE_SERIES,
  formatDuration,
  OUTCOME_SERIES,
  plural,
  REFRESH_CHOICES,
  refreshMsOf,
  statusCounts,
  tasksHrefOf,
  typeCounts,
} from '../lib/overview-view';
import { type Session } from '../session';

const COUNTING = 'counting…';

/**
 * The auto-refresh choice of a page (off / 5 s / 30 s) and "updated at": reloads `reload`
 * on that interval while the tab is visible, and at once when auto-refresh is switched on.
 */
export function useRefreshChoice(reload: () => void): {
  choice: string;
  choose: (value: string) => void;
} {
  const [choice, setChoice] = useState(DEFAULT_REFRESH);
  const ms = refreshMsOf(choice);
  useAutoRefresh(ms, reload);
  const choose = (value: string) => {
    setChoice(value);
    if (refreshMsOf(value) !== null) reload();
  };
  return { choice, choose };
}

/** The refresh bar of a page: the interval, a button to refresh now, and when it last did. */
export function RefreshControl(props: {
  choice: string;
  choose: (value: string) => void;
  reload: () => void;
  updatedAtMs: number | undefined;
}) {
  return (
    <div class="filters">
      <div class="field">
        <label for="auto-refresh">Auto-refresh</label>
        <select
          id="auto-refresh"
          value={props.choice}
          onChange={(e) => props.choose((e.target as HTMLSelectElement).value)}
        >
          {REFRESH_CHOICES.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
      </div>
      <button type="button" onClick={props.reload}>
        Refresh now
      </button>
      {props.updatedAtMs !== undefined && (
        <span class="muted small" data-testid="updated-at">
          Updated at{' '}
          <time
            dateTime={new Date(props.updatedAtMs).toISOString()}
            title={exactTime(props.updatedAtMs)}
          >
            {clockSecond(props.updatedAtMs)}
          </time>
          {props.choice === 'off' && ' (auto-refresh off)'}
        </span>
      )}
    </div>
  );
}

/** Counts by status and type, the last hour per minute, lateness, dead letters and workers. */
export function OverviewPage(props: { session: Session }) {
  const { session } = props;
  const overview = useLoad(() => session.api.overview(), [session]);
  const refresh = useRefreshChoice(overview.reload);
  const o = overview.data;
  return (
    <section>
      <h1>Overview</h1>
      <RefreshControl {...refresh} reload={overview.reload} updatedAtMs={o?.generated_at_ms} />
      <ErrorBox error={overview.error} retry={overview.reload} />
      {o ? <OverviewBody o={o} /> : !overview.error && <Loading what="the overview" />}
    </section>
  );
}

function OverviewBody({ o }: { o: Overview }) {
  const minutes = o.series.points.length;
  const fires = chartDataOf('Fires per minute', o.series.points, FIRE_SERIES);
  const outcomes = chartDataOf('Outcomes per minute', o.series.points, OUTCOME_SERIES);
  return (
    <>
      <div class="grid">
        <TasksCard o={o} />
        <Card id="card-dead" title="Dead letters waiting">
          <div class="value">{o.dead_letters_waiting ?? COUNTING}</div>
          <div class="small">
            <a href="#/runs">See the runs</a>
          </div>
        </Card>
        <Card id="card-workers" title="Live workers">
          <div class="value">{o.workers.live}</div>
          <div class="small">
            {o.workers.by_tag.length > 0 && (
              <span class="muted">{plural(o.workers.by_tag.length, 'tag')} handled · </span>
            )}
            <a href="#/workers">See the workers</a>
          </div>
          <div class="muted small">{plural(o.replicas_reporting, 'replica')} reporting</div>
        </Card>
        <LatenessCard o={o} />
      </div>

      <h2>The last {plural(minutes, 'minute')}</h2>
      <div class="grid">
        <Card id="chart-fires" title="Fires per minute">
          <BarChart data={fires} />
        </Card>
        <Card id="chart-outcomes" title="Outcomes per minute">
          <BarChart data={outcomes} />
        </Card>
      </div>

      <OrphanTags o={o} />
    </>
  );
}

/** A panel with a title: a region named by it, so that a reader can jump to it. */
function Card(props: { id: string; title: string; children: ComponentChildren }) {
  return (
    <section class="panel stat" aria-labelledby={props.id}>
      <div class="label" id={props.id}>
        {props.title}
      </div>
      {props.children}
    </section>
  );
}

function TasksCard({ o }: { o: Overview }) {
  const tasks = o.tasks;
  return (
    <Card id="card-tasks" title="Tasks">
      {tasks === null ? (
        <div class="value">{COUNTING}</div>
      ) : (
        <>
          <div class="value">{tasks.total.toLocaleString('en-US')}</div>
          <div class="small">
            {statusCounts(tasks)
              .map((c) => `${c.count.toLocaleString('en-US')} ${c.label}`)
              .join(' · ')}
          </div>
          <div class="small">
            {typeCounts(tasks)
              .map((c) => `${c.count.toLocaleString('en-US')} ${c.label}`)
              .join(' · ')}
          </div>
          <div class="muted small">
            counted at{' '}
            <time title={exactTime(tasks.counted_at_ms)}>{clockSecond(tasks.counted_at_ms)}</time>
          </div>
        </>
      )}
    </Card>
  );
}

function LatenessCard({ o }: { o: Overview }) {
  const l = o.lateness;
  // From the start of its first minute to now, the current (partial) minute included.
  const minutes = Math.floor((o.generated_at_ms - l.from_ms) / 60_000) + 1;
  return (
    <Card id="card-lateness" title={`Lateness, last ${plural(minutes, 'minute')}`}>
      {l.count === 0 ? (
        <div class="muted">Nothing fired.</div>
      ) : (
        <>
          <table class="small">
            <thead>
              <tr>
                <th class="num">p50</th>
                <th class="num">p90</th>
                <th class="num">p99</th>
                <th class="num">max</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <td class="num">{formatDuration(l.p50_ms)}</td>
                <td class="num">{formatDuration(l.p90_ms)}</td>
                <td class="num">{formatDuration(l.p99_ms)}</td>
                <td class="num">{formatDuration(l.max_ms)}</td>
              </tr>
            </tbody>
          </table>
          <div class="muted small">due → published, over {plural(l.count, 'fire')}</div>
        </>
      )}
    </Card>
  );
}

/** Tags of active tasks that no live worker handles: their fires go nowhere. */
function OrphanTags({ o }: { o: Overview }) {
  const orphans = o.tags_without_worker;
  return (
    <section aria-labelledby="orphans-title">
      <h2 id="orphans-title">Tags without a live worker</h2>
      {orphans === null ? (
        <p class="muted">{COUNTING}</p>
      ) : orphans.tags.length === 0 ? (
        <p class="muted">Every tag of an active task has a live worker.</p>
      ) : (
        <div class="banner warn" data-testid="orphan-tags">
          <p>
            {plural(orphans.tags.length, 'tag')} of active tasks{' '}
            {orphans.tags.length === 1 ? 'has' : 'have'} no live worker: their fires are published,
            but nothing handles them.
          </p>
          <ul>
            {orphans.tags.map((tag) => (
              <li key={tag}>
                <a href={tasksHrefOf(tag)}>{tag}</a>
              </li>
            ))}
          </ul>
          {orphans.truncated && <p>Only the first 1,000 names of active tasks were checked.</p>}
        </div>
      )}
    </section>
  );
}
