import { TaskCenterApiError } from '@task-center/client/errors';
import { type Fire, type Preview, type Task } from '@task-center/client/types';
import { type ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { ConfirmDialog, ErrorBox, Loading } from '../components/feedback';
import { useAutoRefresh, useLoad } from '../hooks';
import { hrefOf } from '../lib/routes';
import { type HttpTargetView, requestLineOf, shownHeadersOf } from '../lib/target-view';
import { TYPE_LABELS } from '../lib/task-form-model';
import {
  formatDuration,
  formatInstant,
  msOfSeconds,
  relative,
  utcTitle,
  viewerZone,
} from '../lib/time';
import { type Session } from '../session';

type Action = 'pause' | 'resume' | 'run' | 'delete';

const ACTIONS: Record<Action, { label: string; title: string; danger?: boolean }> = {
  pause: { label: 'Pause', title: 'Pause this task? It stops firing until resumed.' },
  resume: {
    label: 'Resume',
    title: 'Resume this task? It fires again from its next slot (missed slots are not replayed).',
  },
  run: { label: 'Run now', title: 'Run this task now? One extra fire; the schedule is unchanged.' },
  delete: { label: 'Delete', title: 'Delete this task? This cannot be undone.', danger: true },
};

const PAGE = 20;

/** An instant in the viewer's zone, the UTC instant on hover. */
function When(props: { ms: number; now?: number }) {
  return (
    <time dateTime={new Date(props.ms).toISOString()} title={utcTitle(props.ms)}>
      {formatInstant(props.ms)}
      {props.now !== undefined && (
        <span class="muted small"> ({relative(props.ms, props.now)})</span>
      )}
    </time>
  );
}

/** A task: its definition, schedule and next fires, runs, and actions. */
export function TaskPage(props: { session: Session; id: string }) {
  const { session, id } = props;
  const task = useLoad(() => session.api.getTask(id), [id]);
  const [now, setNow] = useState(() => Date.now());
  useAutoRefresh(5000, () => {
    task.reload();
    setNow(Date.now());
  });

  if (task.error instanceof TaskCenterApiError && task.error.status === 404) {
    return (
      <section>
        <h1>No such task</h1>
        <p>
          There is no task <code>{id}</code> (it never existed or was deleted).{' '}
          <a href="#/tasks">Back to the tasks</a>.
        </p>
      </section>
    );
  }
  if (!task.data) {
    return (
      <section>
        <h1>Task</h1>
        {task.error ? (
          <ErrorBox error={task.error} retry={task.reload} />
        ) : (
          <Loading what="the task" />
        )}
      </section>
    );
  }
  const t = task.data;
  return (
    <section class="task-page">
      <div class="task-head">
        <h1>
          <span class="mono">{t.name}</span>{' '}
          <span class={`badge ${t.status}`} data-testid="task-status">
            {t.status}
          </span>
        </h1>
        <TaskActions session={session} task={t} onDone={task.reload} />
      </div>
      <ErrorBox error={task.error} />
      <Definition task={t} now={now} />
      <Schedule session={session} task={t} />
      <Runs session={session} id={id} now={now} />
    </section>
  );
}

function TaskActions(props: { session: Session; task: Task; onDone: () => void }) {
  const { session, task } = props;
  const [pending, setPending] = useState<Action | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const [done, setDone] = useState<string | undefined>();
  if (!session.canWrite) return <p class="muted small">Your key is read-only.</p>;

  const act = async (action: Action) => {
    setBusy(true);
    setError(undefined);
    try {
      if (action === 'pause') await session.api.pauseTask(task._id);
      if (action === 'resume') await session.api.resumeTask(task._id);
      if (action === 'run') await session.api.runTaskNow(task._id);
      if (action === 'delete') {
        await session.api.deleteTask(task._id);
        window.location.hash = '#/tasks';
        return;
      }
      setDone(action === 'run' ? 'An extra fire is queued.' : undefined);
      props.onDone();
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
      setPending(null);
    }
  };
  const shown: Action[] = [
    ...(task.status === 'active' ? (['pause'] as const) : []),
    ...(task.status === 'paused' ? (['resume'] as const) : []),
    'run',
    'delete',
  ];
  return (
    <div class="task-actions">
      <div class="actions">
        {shown.map((a) => (
          <button
            key={a}
            type="button"
            class={a === 'delete' ? 'danger' : undefined}
            disabled={busy}
            onClick={() => setPending(a)}
          >
            {ACTIONS[a].label}
          </button>
        ))}
        <a class="button" href={hrefOf({ page: 'task-edit', id: task._id })}>
          Edit
        </a>
      </div>
      {done && (
        <p class="ok small" role="status">
          {done}
        </p>
      )}
      <ErrorBox error={error} />
      <ConfirmDialog
        open={pending !== null}
        title={pending ? ACTIONS[pending].title : ''}
        confirmLabel={pending ? ACTIONS[pending].label : 'OK'}
        danger={pending ? ACTIONS[pending].danger : false}
        onConfirm={() => pending && void act(pending)}
        onCancel={() => setPending(null)}
      >
        <p>
          Task <span class="mono">{task.name}</span> (<span class="mono">{task._id}</span>).
        </p>
      </ConfirmDialog>
    </div>
  );
}

function Definition(props: { task: Task; now: number }) {
  const t = props.task;
  const secs = (s: number | undefined) => (s ? `${s} s` : 'not set');
  const at = (s: number | null | undefined) =>
    s ? <When ms={msOfSeconds(s)} now={props.now} /> : 'not set';
  type Row = [string, ComponentChildren];
  const rows: Row[] = [
    ['Id', <span class="mono">{t._id}</span>],
    ['Type', TYPE_LABELS[t.type]],
    ...(t.crontab ? [['Crontab', <span class="mono">{t.crontab}</span>] as Row] : []),
    ...(t.loop_time ? [['Every', `${t.loop_time} s`] as Row] : []),
    ['Fires at most', t.loop_count ? String(t.loop_count) : 'unlimited'],
    ['Time zone', t.timezone],
    ['Window start', at(t.start_time)],
    ['Window end', at(t.end_time)],
    ['Next run', t.next_run_at === null ? 'none' : at(t.next_run_at)],
    ['Last run', t.last_run_at === null ? 'never' : at(t.last_run_at)],
    ['Runs so far', String(t.run_count)],
    [
      'Retry',
      t.retry
        ? `${t.retry.max_attempts} attempts, ${t.retry.backoff} backoff, delay ${t.retry.delay} s` +
          (t.retry.backoff === 'exponential' ? `, at most ${t.retry.max_delay} s` : '') +
          (t.retry.intervals?.length ? `, intervals ${t.retry.intervals.join(' ')} s` : '')
        : 'default: 16 retries, 10 s to 2 h (17 deliveries)',
    ],
    ['Misfire', t.misfire],
    ['Max runtime', secs(t.max_runtime)],
    ['Ack', t.ack ? 'yes: redelivered when no outcome within max runtime' : 'no'],
    ['Key', t.key ? <span class="mono">{t.key}</span> : 'not set'],
    ...(t.target
      ? targetRows(t.target)
      : [['Topic', t.topic ? <span class="mono">{t.topic}</span> : 'default'] as Row]),
    ['Created', at(t.created_at)],
    ['Updated', at(t.updated_at)],
  ];
  return (
    <section class="panel" aria-labelledby="def-title">
      <h2 id="def-title">Definition</h2>
      <dl class="definition">
        {rows.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      <h3>Data</h3>
      {t.data === '' ? (
        <p class="muted">empty</p>
      ) : (
        <pre class="data" data-testid="task-data">
          {t.data}
        </pre>
      )}
    </section>
  );
}

/** Where an HTTP task's fires go, in place of the topic. */
function targetRows(target: HttpTargetView): [string, ComponentChildren][] {
  const headers = shownHeadersOf(target);
  return [
    [
      'HTTP target',
      <span class="mono" data-testid="task-target">
        {requestLineOf(target)}
      </span>,
    ],
    ['Timeout', `${target.timeout_s} s`],
    [
      'Headers',
      headers.length === 0 ? (
        'none'
      ) : (
        <ul class="target-headers" data-testid="task-target-headers">
          {headers.map(([name, value]) => (
            <li key={name} class="mono">
              {name}: {value}
            </li>
          ))}
        </ul>
      ),
    ],
  ];
}

function Schedule(props: { session: Session; task: Task }) {
  const t = props.task;
  const zone = viewerZone();
  const preview = useLoad<Preview>(
    () =>
      props.session.api.previewSchedule({
        type: t.type,
        crontab: t.crontab,
        loop_time: t.loop_time,
        loop_count: t.loop_count,
        start_time: t.start_time,
        end_time: t.end_time,
        timezone: t.timezone,
        count: 10,
      }),
    [t._id, t.updated_at],
  );
  return (
    <section class="panel" aria-labelledby="schedule-title">
      <h2 id="schedule-title">Schedule</h2>
      {preview.data && (
        <p data-testid="schedule-words">
          <strong>{preview.data.description}</strong>
        </p>
      )}
      {t.status !== 'active' && (
        <p class="muted small">
          The task is {t.status}: these are the times its schedule gives, not promised fires.
        </p>
      )}
      <ErrorBox error={preview.error} />
      {!preview.data && !preview.error && <Loading what="the next fires" />}
      {preview.data && preview.data.fires.length === 0 && (
        <p class="muted">The schedule gives no more fires.</p>
      )}
      {preview.data && preview.data.fires.length > 0 && (
        <div class="table-wrap">
          <table data-testid="next-fires">
            <caption class="muted small">Next {preview.data.fires.length} fire times</caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">In the task's zone ({t.timezone})</th>
                <th scope="col">In yours ({zone})</th>
              </tr>
            </thead>
            <tbody>
              {preview.data.fires.map((f, i) => (
                <tr key={f.at}>
                  <td class="num">{i + 1}</td>
                  <td title={utcTitle(msOfSeconds(f.at))}>
                    {formatInstant(msOfSeconds(f.at), t.timezone)}
                  </td>
                  <td>
                    <When ms={msOfSeconds(f.at)} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** The duration of a fire: of its latest outcome that has one. */
function durationOf(fire: Fire): number | undefined {
  for (const attempt of [...fire.attempts].reverse()) {
    for (const o of [...attempt.outcomes].reverse()) {
      if (o.duration_ms !== undefined) return o.duration_ms;
    }
  }
  return undefined;
}

function Runs(props: { session: Session; id: string; now: number }) {
  const { session, id } = props;
  // cursors of the pages before this one; auto-refresh only on the newest page
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const runs = useLoad(() => session.api.taskRuns(id, { limit: PAGE, cursor }), [id, cursor]);
  useAutoRefresh(cursors.length === 1 ? 5000 : null, runs.reload);
  const fires = runs.data?.fires;
  return (
    <section class="panel" aria-labelledby="runs-title">
      <h2 id="runs-title">Runs</h2>
      <ErrorBox error={runs.error} retry={runs.reload} />
      {!fires && !runs.error && <Loading what="the runs" />}
      {fires && fires.length === 0 && <p class="muted">No runs yet.</p>}
      {fires && fires.length > 0 && (
        <div class="table-wrap">
          <table data-testid="runs">
            <thead>
              <tr>
                <th scope="col">Scheduled</th>
                <th scope="col">State</th>
                <th scope="col">Attempts</th>
                <th scope="col" class="num">
                  Duration
                </th>
                <th scope="col">Error</th>
              </tr>
            </thead>
            <tbody>
              {fires.map((f) => {
                const duration = durationOf(f);
                return (
                  <tr key={f.fire_id} data-testid="run-row">
                    <td>
                      <When ms={f.scheduled_at_ms} now={props.now} />
                    </td>
                    <td>
                      <span class={`badge ${f.state}`}>{f.state}</span>
                    </td>
                    <td>
                      <ol class="attempts">
                        {f.attempts.map((a) => (
                          <li key={a.message_id}>
                            #{a.attempt}
                            {a.manual ? ' (run now)' : ''}:{' '}
                            {a.outcomes.length === 0
                              ? 'sent'
                              : a.outcomes
                                  .map(
                                    (o) =>
                                      o.result +
                                      (o.duration_ms !== undefined
                                        ? ` in ${formatDuration(o.duration_ms)}`
                                        : '') +
                                      (o.worker ? ` by ${o.worker.host}/${o.worker.pid}` : ''),
                                  )
                                  .join(', ')}
                          </li>
                        ))}
                      </ol>
                    </td>
                    <td class="num" data-testid="run-duration">
                      {duration === undefined ? '—' : formatDuration(duration)}
                    </td>
                    <td class="run-error">{f.last_error ?? ''}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <div class="actions pager">
        {cursors.length > 1 && (
          <button type="button" onClick={() => setCursors(cursors.slice(0, -1))}>
            Newer runs
          </button>
        )}
        {runs.data?.nextCursor && (
          <button type="button" onClick={() => setCursors([...cursors, runs.data?.nextCursor])}>
            Older runs
          </button>
        )}
      </div>
    </section>
  );
}
