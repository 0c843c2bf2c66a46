import type { WorkersView } from '@task-center/client/types';
import { useEffect, useState } from 'preact/hooks';
import { ErrorBox, Loading } from '../components/feedback';
import { useLoad } from '../hooks';
import {
  exactTime,
  formatDuration,
  lastHeard,
  plural,
  sortWorkers,
  tagRowsOf,
  tasksHrefOf,
  type WorkerState,
  workerStateOf,
} from '../lib/overview-view';
import { type Session } from '../session';
import { RefreshControl, useRefreshChoice } from './overview';

/** The stylesheet's status colours: green, amber, red. */
const BADGE: Record<WorkerState, string> = {
  alive: 'badge active',
  stopping: 'badge paused',
  dead: 'badge dead',
};

/** Worker processes (from the SDK's heartbeats) and the live ones per tag. */
export function WorkersPage(props: { session: Session }) {
  const { session } = props;
  const workers = useLoad(() => session.api.workers(), [session]);
  const refresh = useRefreshChoice(workers.reload);
  // The answer carries no time of its own: "ago" counts from when it arrived.
  const [updatedAt, setUpdatedAt] = useState<number | undefined>(undefined);
  useEffect(() => {
    if (workers.data) setUpdatedAt(Date.now());
  }, [workers.data]);
  return (
    <section>
      <h1>Workers</h1>
      <RefreshControl {...refresh} reload={workers.reload} updatedAtMs={updatedAt} />
      <ErrorBox error={workers.error} retry={workers.reload} />
      {workers.data ? (
        <WorkersBody view={workers.data} now={updatedAt ?? Date.now()} />
      ) : (
        !workers.error && <Loading what="the workers" />
      )}
    </section>
  );
}

function WorkersBody({ view, now }: { view: WorkersView; now: number }) {
  const tags = tagRowsOf(view.by_tag);
  return (
    <>
      <h2 id="processes-title">Worker processes</h2>
      {view.workers.length === 0 ? (
        <p class="muted">No worker heard from in the last 10 minutes.</p>
      ) : (
        <table aria-labelledby="processes-title">
          <thead>
            <tr>
              <th scope="col">Worker</th>
              <th scope="col">Group</th>
              <th scope="col">Host</th>
              <th scope="col" class="num">
                PID
              </th>
              <th scope="col">Tags</th>
              <th scope="col">State</th>
              <th scope="col">Last heard</th>
            </tr>
          </thead>
          <tbody>
            {sortWorkers(view.workers).map((w) => {
              const state = workerStateOf(w);
              return (
                <tr key={w.id}>
                  <td>
                    <code>{w.id}</code>
                    <div class="muted small">{w.sdk}</div>
                  </td>
                  <td>{w.group}</td>
                  <td>{w.host}</td>
                  <td class="num">{w.pid}</td>
                  <td>
                    {w.tags.length === 0 ? (
                      <span class="muted">none</span>
                    ) : (
                      w.tags.map((tag, i) => (
                        <span key={tag}>
                          {i > 0 && ', '}
                          <code>{tag}</code>
                        </span>
                      ))
                    )}
                  </td>
                  <td>
                    <span class={BADGE[state]}>{state}</span>
                  </td>
                  <td>
                    <time
                      dateTime={new Date(w.last_seen_ms).toISOString()}
                      title={exactTime(w.last_seen_ms)}
                    >
                      {lastHeard(w.last_seen_ms, now)}
                    </time>
                    <div class="muted small">beats every {formatDuration(w.interval_ms)}</div>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}

      <h2 id="tags-title">Live workers per tag</h2>
      {tags.length === 0 ? (
        <p class="muted">No live worker handles any tag.</p>
      ) : (
        <table aria-labelledby="tags-title">
          <thead>
            <tr>
              <th scope="col">Tag</th>
              <th scope="col" class="num">
                Live workers
              </th>
              <th scope="col">Worker ids</th>
            </tr>
          </thead>
          <tbody>
            {tags.map((row) => (
              <tr key={row.tag}>
                <td>
                  <a href={tasksHrefOf(row.tag)}>{row.tag}</a>
                </td>
                <td class="num">{row.ids.length}</td>
                <td>
                  {row.ids.map((id, i) => (
                    <span key={id}>
                      {i > 0 && ', '}
                      <code>{id}</code>
                    </span>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p class="muted small">
        {plural(view.workers.filter((w) => workerStateOf(w) === 'alive').length, 'live worker')}. A
        worker is dead after three missed heartbeats; dead and stopped ones stay listed for 10
        minutes.
      </p>
    </>
  );
}
