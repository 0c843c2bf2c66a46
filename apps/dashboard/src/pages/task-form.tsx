import { TaskCenterApiError } from '@task-center/client/errors';
import { type Preview, type Task } from '@task-center/client/types';
import { type ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ErrorBox, Loading } from '../components/feedback';
import { useLoad } from '../hooks';
import { hrefOf } from '../lib/routes';
import {
  type Backoff,
  createRequestOf,
  type Delivery,
  emptyForm,
  type FormField,
  formOfTask,
  hasProblems,
  HTTP_METHODS,
  type HttpMethod,
  previewRequestOf,
  type TaskForm,
  type TaskType,
  TYPE_LABELS,
  updateRequestOf,
  validate,
} from '../lib/task-form-model';
import { formatInstant, knownZones, msOfSeconds, utcTitle, viewerZone } from '../lib/time';
import { type Session } from '../session';

/** Create a task (`id` absent) or edit one, with live validation and a live schedule preview. */
export function TaskFormPage(props: { session: Session; id?: string }) {
  const { session, id } = props;
  const title = id ? 'Edit task' : 'New task';
  const task = useLoad<Task | undefined>(
    () => (id ? session.api.getTask(id) : Promise.resolve(undefined)),
    [id],
  );
  if (!session.canWrite) {
    return (
      <section>
        <h1>{title}</h1>
        <p role="status">Your key is read-only: it cannot create or change tasks.</p>
      </section>
    );
  }
  if (id && !task.data) {
    const missing = task.error instanceof TaskCenterApiError && task.error.status === 404;
    return (
      <section>
        <h1>{missing ? 'No such task' : title}</h1>
        {missing ? (
          <p>
            There is no task <code>{id}</code>. <a href="#/tasks">Back to the tasks</a>.
          </p>
        ) : task.error ? (
          <ErrorBox error={task.error} retry={task.reload} />
        ) : (
          <Loading what="the task" />
        )}
      </section>
    );
  }
  return <Form key={id ?? 'new'} session={session} task={task.data} title={title} />;
}

type PreviewState =
  | { state: 'idle' }
  | { state: 'loading' }
  | { state: 'ok'; preview: Preview }
  | { state: 'refused'; message: string };

function Form(props: { session: Session; task: Task | undefined; title: string }) {
  const { session, task } = props;
  const zones = useMemo(() => {
    const list = knownZones();
    if (task && !list.includes(task.timezone)) list.unshift(task.timezone);
    return list;
  }, [task]);
  const zoneSet = useMemo(() => new Set(zones), [zones]);
  const [form, setForm] = useState<TaskForm>(() =>
    task ? formOfTask(task) : emptyForm(viewerZone()),
  );
  const [touched, setTouched] = useState<Set<FormField>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const [preview, setPreview] = useState<PreviewState>({ state: 'idle' });

  const problems = validate(form, zoneSet);
  const previewRequest = previewRequestOf(form, problems);
  const previewKey = previewRequest ? JSON.stringify(previewRequest) : '';

  // the live preview: debounced, the latest request wins
  const latest = useRef(0);
  useEffect(() => {
    const call = ++latest.current;
    if (!previewRequest) {
      setPreview({ state: 'idle' });
      return;
    }
    setPreview((p) => (p.state === 'ok' ? p : { state: 'loading' }));
    const timer = window.setTimeout(() => {
      session.api.previewSchedule(previewRequest).then(
        (answer) => call === latest.current && setPreview({ state: 'ok', preview: answer }),
        (err: Error) =>
          call === latest.current &&
          setPreview({
            state: 'refused',
            message:
              err instanceof TaskCenterApiError && err.status === 400
                ? err.message
                : `The preview failed: ${err.message}`,
          }),
      );
    }, 300);
    return () => window.clearTimeout(timer);
  }, [previewKey]);

  const set = <K extends FormField>(field: K, value: TaskForm[K]) => {
    setForm((f) => ({ ...f, [field]: value }));
    setTouched((t) => (t.has(field) ? t : new Set(t).add(field)));
  };
  const shownProblem = (field: FormField) =>
    submitted || touched.has(field) ? problems[field] : undefined;

  const submit = async (event: Event) => {
    event.preventDefault();
    setSubmitted(true);
    setError(undefined);
    if (hasProblems(problems)) return;
    setBusy(true);
    try {
      if (task) {
        const changes = updateRequestOf(form, task);
        if (Object.keys(changes).length > 0) await session.api.updateTask(task._id, changes);
        window.location.hash = hrefOf({ page: 'task', id: task._id });
      } else {
        const created = await session.api.createTask(createRequestOf(form));
        window.location.hash = hrefOf({ page: 'task', id: created.taskid });
      }
    } catch (err) {
      setError(err as Error);
      setBusy(false);
    }
  };

  /** A labelled text/number input bound to one field, with its hint and problem. */
  const input = (
    field: FormField,
    label: string,
    opts: {
      hint?: ComponentChildren;
      type?: 'text' | 'datetime-local';
      mono?: boolean;
      numeric?: boolean;
    } = {},
  ) => {
    const problem = shownProblem(field);
    const describedBy = [opts.hint ? `${field}-hint` : '', problem ? `${field}-problem` : '']
      .filter(Boolean)
      .join(' ');
    return (
      <div class="field">
        <label for={`f-${field}`}>{label}</label>
        <input
          id={`f-${field}`}
          name={field}
          {...(opts.type === 'datetime-local'
            ? { type: 'datetime-local' as const, step: 1 }
            : { type: 'text' as const })}
          class={opts.mono ? 'mono' : undefined}
          inputMode={opts.numeric ? 'numeric' : undefined}
          value={form[field] as string}
          onInput={(e) => set(field, e.currentTarget.value)}
          aria-invalid={problem ? 'true' : undefined}
          aria-describedby={describedBy || undefined}
        />
        {opts.hint && (
          <span id={`${field}-hint`} class="hint">
            {opts.hint}
          </span>
        )}
        {problem && (
          <span id={`${field}-problem`} class="problem" data-testid={`problem-${field}`}>
            {problem}
          </span>
        )}
      </div>
    );
  };
  const number = (field: FormField, label: string, hint?: string) =>
    input(field, label, { hint, numeric: true });

  return (
    <section class="task-form-page">
      <h1>{props.title}</h1>
      {task && (
        <p class="muted">
          Editing <a href={hrefOf({ page: 'task', id: task._id })}>{task.name}</a>: only the fields
          you change are sent.
        </p>
      )}
      <form onSubmit={(e) => void submit(e)} noValidate>
        <fieldset class="panel">
          <legend>Task</legend>
          <div class="form-grid">
            <div class="field">
              <label for="f-type">Type</label>
              <select
                id="f-type"
                value={String(form.type)}
                onChange={(e) => set('type', Number(e.currentTarget.value) as TaskType)}
              >
                {([1, 2, 3] as TaskType[]).map((t) => (
                  <option key={t} value={String(t)}>
                    {TYPE_LABELS[t]}
                  </option>
                ))}
              </select>
            </div>
            {input('name', 'Name', {
              mono: true,
              hint: 'The tag workers subscribe to, e.g. billing.reminder',
            })}
          </div>
          <div class="field">
            <label for="f-data">Data</label>
            <textarea
              id="f-data"
              rows={4}
              value={form.data}
              onInput={(e) => set('data', e.currentTarget.value)}
              aria-describedby="data-hint"
            />
            <span id="data-hint" class="hint">
              Delivered byte for byte (JSON or anything else): to the worker, or as the request
              body.
            </span>
          </div>
        </fieldset>

        <fieldset class="panel">
          <legend>Schedule</legend>
          <div class="form-grid">
            {form.type === 3 &&
              input('crontab', 'Crontab', {
                mono: true,
                hint: '5 fields, or 6 with leading seconds: */10 * * * * * is every 10 s',
              })}
            {form.type === 2 &&
              number('loop_time', 'Every (seconds)', 'Anchored to the first fire')}
            {form.type !== 1 && number('loop_count', 'Fires at most', 'Empty or 0: unlimited')}
            <div class="field">
              <label for="f-timezone">Time zone</label>
              <select
                id="f-timezone"
                value={form.timezone}
                onChange={(e) => set('timezone', e.currentTarget.value)}
                aria-describedby="timezone-hint"
              >
                {zones.map((z) => (
                  <option key={z} value={z}>
                    {z}
                  </option>
                ))}
              </select>
              <span id="timezone-hint" class="hint">
                {form.type === 3 ? 'The crontab is read in it; ' : ''}the times below are on its
                clock.
              </span>
            </div>
            {input('start', form.type === 1 ? 'Fire at' : 'Window start', {
              type: 'datetime-local',
              hint: form.type === 1 ? 'Empty: now' : 'Empty: from now',
            })}
            {form.type !== 1 &&
              input('end', 'Window end', { type: 'datetime-local', hint: 'Empty: no end' })}
          </div>
          <SchedulePreview state={preview} zone={form.timezone} blocked={!previewRequest} />
        </fieldset>

        <fieldset class="panel">
          <legend>Delivery</legend>
          <div class="check">
            <input
              id="f-retry"
              type="checkbox"
              checked={form.retry}
              onChange={(e) => set('retry', e.currentTarget.checked)}
            />
            <label for="f-retry">Retry failed runs</label>
          </div>
          {form.retry && (
            <div class="form-grid">
              {number('max_attempts', 'Max attempts', 'Deliveries in total, the first included')}
              <div class="field">
                <label for="f-backoff">Backoff</label>
                <select
                  id="f-backoff"
                  value={form.backoff}
                  onChange={(e) => set('backoff', e.currentTarget.value as Backoff)}
                >
                  <option value="exponential">exponential</option>
                  <option value="fixed">fixed</option>
                </select>
              </div>
              {number('delay', 'Delay (seconds)', 'Before the first retry')}
              {number('max_delay', 'Max delay (seconds)', 'Cap on exponential delays')}
              {input('intervals', 'Intervals (seconds)', {
                hint: 'Optional: one delay per retry, e.g. 60 600 3600',
              })}
            </div>
          )}
          <div class="form-grid">
            <div class="field">
              <label for="f-misfire">Misfire policy</label>
              <select
                id="f-misfire"
                value={form.misfire}
                onChange={(e) => set('misfire', e.currentTarget.value as TaskForm['misfire'])}
                aria-describedby="misfire-hint"
              >
                {!task && <option value="">server default</option>}
                <option value="fire_once">fire_once</option>
                <option value="skip">skip</option>
                <option value="fire_all">fire_all</option>
              </select>
              <span id="misfire-hint" class="hint">
                Slots missed while the center was down
              </span>
            </div>
            {number('max_runtime', 'Max runtime (seconds)', 'Empty or 0: not set')}
            <div class="field">
              <div class="check">
                <input
                  id="f-ack"
                  type="checkbox"
                  checked={form.ack}
                  onChange={(e) => set('ack', e.currentTarget.checked)}
                  aria-describedby={shownProblem('ack') ? 'ack-problem' : 'ack-hint'}
                  aria-invalid={shownProblem('ack') ? 'true' : undefined}
                />
                <label for="f-ack">Ack: redeliver when no outcome within max runtime</label>
              </div>
              {shownProblem('ack') ? (
                <span id="ack-problem" class="problem" data-testid="problem-ack">
                  {shownProblem('ack')}
                </span>
              ) : (
                <span id="ack-hint" class="hint">
                  Needs a max runtime
                </span>
              )}
            </div>
            {input('key', 'Key', { mono: true, hint: 'Idempotency key, unique among live tasks' })}
          </div>
          <TargetFields
            form={form}
            set={set}
            input={input}
            headersProblem={shownProblem('target_headers')}
          />
        </fieldset>

        {submitted && hasProblems(problems) && (
          <p class="error" role="alert">
            Fix the fields marked above.
          </p>
        )}
        <ErrorBox error={error} />
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>
            {busy ? 'Saving…' : task ? 'Save changes' : 'Create task'}
          </button>
          <a class="button" href={task ? hrefOf({ page: 'task', id: task._id }) : '#/tasks'}>
            Cancel
          </a>
        </div>
      </form>
    </section>
  );
}

const DELIVERIES: { value: Delivery; label: string }[] = [
  { value: 'kafka', label: 'Kafka (SDK workers)' },
  { value: 'http', label: 'HTTP request' },
];

/** Where fires go: a Kafka topic for SDK workers, or an HTTP request to a URL. */
function TargetFields(props: {
  form: TaskForm;
  set: <K extends FormField>(field: K, value: TaskForm[K]) => void;
  input: (
    field: FormField,
    label: string,
    opts?: { hint?: ComponentChildren; mono?: boolean; numeric?: boolean },
  ) => ComponentChildren;
  headersProblem: string | undefined;
}) {
  const { form, set, input, headersProblem } = props;
  return (
    <>
      <fieldset class="delivery-choice">
        <legend>Deliver fires by</legend>
        {DELIVERIES.map((d) => (
          <div class="check" key={d.value}>
            <input
              id={`f-delivery-${d.value}`}
              type="radio"
              name="delivery"
              value={d.value}
              checked={form.delivery === d.value}
              onChange={() => set('delivery', d.value)}
            />
            <label for={`f-delivery-${d.value}`}>{d.label}</label>
          </div>
        ))}
      </fieldset>
      {form.delivery === 'kafka' ? (
        <div class="form-grid">
          {input('topic', 'Topic', { mono: true, hint: 'Empty: the default tasks topic' })}
        </div>
      ) : (
        <>
          <div class="form-grid">
            {input('target_url', 'URL', {
              mono: true,
              hint: 'http:// or https://; called at every fire with the data as body',
            })}
            <div class="field">
              <label for="f-target_method">Method</label>
              <select
                id="f-target_method"
                value={form.target_method}
                onChange={(e) => set('target_method', e.currentTarget.value as HttpMethod)}
              >
                {HTTP_METHODS.map((m) => (
                  <option key={m} value={m}>
                    {m}
                  </option>
                ))}
              </select>
            </div>
            {input('target_timeout', 'Timeout (seconds)', {
              numeric: true,
              hint: '1 to 300; empty: 10',
            })}
          </div>
          <div class="field">
            <label for="f-target_headers">Headers</label>
            <textarea
              id="f-target_headers"
              class="mono"
              rows={3}
              value={form.target_headers}
              onInput={(e) => set('target_headers', e.currentTarget.value)}
              aria-invalid={headersProblem ? 'true' : undefined}
              aria-describedby={`target_headers-hint${headersProblem ? ' target_headers-problem' : ''}`}
            />
            <span id="target_headers-hint" class="hint">
              One <code>Name: value</code> per line, e.g. <code>Authorization: Bearer …</code>.
              Stored with the task: readers of the task see them.
            </span>
            {headersProblem && (
              <span
                id="target_headers-problem"
                class="problem"
                data-testid="problem-target_headers"
              >
                {headersProblem}
              </span>
            )}
          </div>
        </>
      )}
    </>
  );
}

function SchedulePreview(props: { state: PreviewState; zone: string; blocked: boolean }) {
  const { state } = props;
  const you = viewerZone();
  return (
    <div class="preview" aria-live="polite" data-testid="preview">
      <h2>Next fires</h2>
      {props.blocked && <p class="muted small">Complete the schedule to see its next fires.</p>}
      {state.state === 'loading' && <p class="muted small">Checking the schedule…</p>}
      {state.state === 'refused' && (
        <p class="problem" data-testid="preview-problem">
          {state.message}
        </p>
      )}
      {state.state === 'ok' && (
        <>
          <p data-testid="preview-words">
            <strong>{state.preview.description}</strong>
          </p>
          {state.preview.fires.length === 0 ? (
            <p class="muted">No fire in the window.</p>
          ) : (
            <ol class="fires small" data-testid="preview-fires">
              {state.preview.fires.map((f) => {
                const ms = msOfSeconds(f.at);
                return (
                  <li key={f.at} title={utcTitle(ms)}>
                    {formatInstant(ms, props.zone)}
                    {props.zone !== you && <span class="muted"> · yours {formatInstant(ms)}</span>}
                  </li>
                );
              })}
            </ol>
          )}
        </>
      )}
    </div>
  );
}
