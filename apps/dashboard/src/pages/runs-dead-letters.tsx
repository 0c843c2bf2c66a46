import { TaskCenterApiError } from '@task-center/client/errors';
import { type DeadLetter, type DeadLetterFilter } from '@task-center/client/types';
import { useState } from 'preact/hooks';
import { ConfirmDialog, ErrorBox, Loading } from '../components/feedback';
import { useLoad } from '../hooks';
import {
  EMPTY_TALLY,
  describeRedriveFilter,
  redriveFilterOf,
  redriveSummary,
  tallyRedrive,
} from '../lib/runs-view';
import { type Session } from '../session';
import { PAGE_SIZE, Pager, When, formatInstant, taskHref } from './runs-parts';

/** Dead letters redriven per request of a redrive by filter (repeated while `more`). */
const FILTER_BATCH = 100;

type Redrive =
  | { kind: 'one'; letter: DeadLetter }
  | { kind: 'selected'; ids: string[] }
  | { kind: 'filter'; filter: DeadLetterFilter };

/** The dead-letter queue: redrive one, a selection, or (admin) every match of a filter. */
export function DeadLettersSection(props: { session: Session }) {
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
