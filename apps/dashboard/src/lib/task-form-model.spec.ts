import { type Task } from '@task-center/client/types';
import {
  createRequestOf,
  emptyForm,
  formOfTask,
  previewRequestOf,
  type TaskForm,
  updateRequestOf,
  validate,
} from './task-form-model';

const form = (changes: Partial<TaskForm>): TaskForm => ({
  ...emptyForm('Europe/Paris'),
  name: 'ui.task',
  ...changes,
});

const TASK: Task = {
  _id: '6740a5f3c2d1e0b9a8f7e6d5',
  name: 'reports.daily',
  type: 3,
  data: '{"a":1}',
  crontab: '0 30 2 * * *',
  loop_count: 5,
  start_time: Date.UTC(2026, 0, 1, 8) / 1000,
  ack: false,
  created_at: 1,
  timezone: 'Europe/Paris',
  retry: { max_attempts: 4, backoff: 'fixed', delay: 30, max_delay: 600 },
  misfire: 'skip',
  status: 'active',
  next_run_at: null,
  manual_runs: [],
  run_count: 0,
  last_run_at: null,
  updated_at: 1,
};

describe('task form model', () => {
  it('builds the create request of each type, leaving unset fields out', () => {
    expect(createRequestOf(form({ type: 3, crontab: ' */2 * * * * * ', data: 'x' }))).toEqual({
      type: 3,
      name: 'ui.task',
      data: 'x',
      crontab: '*/2 * * * * *',
      timezone: 'Europe/Paris',
    });
    expect(
      createRequestOf(
        form({
          type: 2,
          loop_time: '60',
          loop_count: '3',
          end: '2026-12-01T10:00',
          retry: true,
          max_attempts: '5',
          backoff: 'fixed',
          delay: '2',
          max_delay: '2',
          misfire: 'fire_all',
          max_runtime: '30',
          ack: true,
          key: 'k-1',
          topic: ' tasks.extra ',
        }),
      ),
    ).toEqual({
      type: 2,
      name: 'ui.task',
      data: '',
      loop_time: 60,
      loop_count: 3,
      end_time: Date.UTC(2026, 11, 1, 9) / 1000,
      timezone: 'Europe/Paris',
      retry: { max_attempts: 5, backoff: 'fixed', delay: 2, max_delay: 2 },
      misfire: 'fire_all',
      max_runtime: 30,
      ack: true,
      key: 'k-1',
      topic: 'tasks.extra',
    });
    expect(
      createRequestOf(form({ type: 1, start: '2026-12-01T10:00:30', loop_count: '9' })),
    ).toEqual({
      type: 1,
      name: 'ui.task',
      data: '',
      start_time: Date.UTC(2026, 11, 1, 9, 0, 30) / 1000,
      timezone: 'Europe/Paris',
    });
  });

  it("reports the server's rules per field as you type", () => {
    expect(validate(form({ crontab: '* * * * *' }))).toEqual({});
    expect(validate(form({ name: '', crontab: '* * * * *' })).name).toBe('name is required');
    expect(validate(form({ name: 'a b', crontab: '* * * * *' })).name).toMatch(/^name must be/);
    expect(validate(form({ crontab: '' })).crontab).toBe('a crontab task needs a crontab');
    expect(validate(form({ crontab: '* * *' })).crontab).toMatch(/5 fields/);
    expect(validate(form({ type: 2 })).loop_time).toBe('loop_time is required');
    expect(validate(form({ type: 2, loop_time: '1.5' })).loop_time).toBe(
      'loop_time must be a whole number',
    );
    expect(validate(form({ type: 2, loop_time: '0' })).loop_time).toBe(
      'loop_time must not be less than 1',
    );
    expect(validate(form({ type: 2, loop_time: '5', loop_count: '-1' })).loop_count).toBeDefined();
    expect(
      validate(form({ type: 1, start: '2026-12-01T10:00', end: '2026-12-01T09:00' })).end,
    ).toBe('end_time must be after start_time');
    const retry = validate(
      form({ crontab: '* * * * *', retry: true, delay: '60', max_delay: '10', max_attempts: '0' }),
    );
    expect(retry.max_delay).toBe('retry.max_delay must not be less than retry.delay');
    expect(retry.max_attempts).toBe('retry.max_attempts must not be less than 1');
    expect(validate(form({ crontab: '* * * * *', ack: true })).ack).toMatch(/needs max_runtime/);
    expect(validate(form({ crontab: '* * * * *', key: 'a\nb' })).key).toMatch(/control/);
    expect(
      validate(form({ crontab: '* * * * *', timezone: 'Mars/Olympus' }), new Set(['UTC'])).timezone,
    ).toBe('unknown time zone "Mars/Olympus"');
    expect(
      validate(form({ crontab: '* * * * *', retry: true, intervals: '5 x' })).intervals,
    ).toMatch(/whole number/);
  });

  it('previews only a schedule without problems', () => {
    const ok = form({ crontab: '*/2 * * * * *' });
    expect(previewRequestOf(ok, validate(ok))).toEqual({
      type: 3,
      crontab: '*/2 * * * * *',
      timezone: 'Europe/Paris',
      count: 10,
    });
    const bad = form({ crontab: '' });
    expect(previewRequestOf(bad, validate(bad))).toBeUndefined();
    // a problem outside the schedule does not stop the preview
    const noName = form({ name: '', crontab: '* * * * *' });
    expect(previewRequestOf(noName, validate(noName))).toBeDefined();
  });

  it('prefills the form from a task and sends only what changed', () => {
    const prefilled = formOfTask(TASK);
    expect(prefilled.start).toBe('2026-01-01T09:00:00');
    expect(prefilled.retry).toBe(true);
    expect(updateRequestOf(prefilled, TASK)).toEqual({});
    expect(updateRequestOf({ ...prefilled, crontab: '*/3 * * * * *' }, TASK)).toEqual({
      crontab: '*/3 * * * * *',
    });
    expect(updateRequestOf({ ...prefilled, type: 2, loop_time: '60' }, TASK)).toEqual({
      type: 2,
      crontab: '',
      loop_time: 60,
    });
    expect(
      updateRequestOf({ ...prefilled, retry: false, start: '', loop_count: '' }, TASK),
    ).toEqual({ retry: null, start_time: 0, loop_count: 0 });
    expect(updateRequestOf({ ...prefilled, delay: '45' }, TASK)).toEqual({
      retry: { max_attempts: 4, backoff: 'fixed', delay: 45, max_delay: 600 },
    });
    expect(updateRequestOf({ ...prefilled, misfire: 'fire_once', data: '' }, TASK)).toEqual({
      misfire: 'fire_once',
      data: '',
    });
  });

  it('builds an HTTP target instead of a topic, headers parsed from lines', () => {
    const http = form({
      crontab: '* * * * *',
      topic: 'ignored.topic',
      delivery: 'http',
      target_url: ' https://hooks.example.com/a?b=1 ',
      target_method: 'PUT',
      target_headers: 'Content-Type: application/json\n\nAuthorization: Bearer t',
      target_timeout: '30',
    });
    expect(validate(http)).toEqual({});
    const req = createRequestOf(http);
    expect(req.topic).toBeUndefined();
    expect(req.target).toEqual({
      type: 'http',
      url: 'https://hooks.example.com/a?b=1',
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: 'Bearer t' },
      timeout_s: 30,
    });
    // empty headers and timeout: left to the server's defaults
    expect(
      createRequestOf(form({ delivery: 'http', target_url: 'http://h.example/' })).target,
    ).toEqual({ type: 'http', url: 'http://h.example/', method: 'POST' });
  });

  it('checks the target lightly: URL scheme, header lines, timeout range', () => {
    const base = { crontab: '* * * * *', delivery: 'http' as const };
    expect(validate(form({ ...base })).target_url).toBe('an HTTP target needs a URL');
    expect(validate(form({ ...base, target_url: 'ftp://x' })).target_url).toBe(
      'the URL must start with http:// or https://',
    );
    const bad = validate(
      form({ ...base, target_url: 'https://x', target_headers: 'X-A: 1\nnonsense\nx-a: 2' }),
    );
    expect(bad.target_headers).toBe('line 2: expected "Name: value"; line 3: x-a is given twice');
    expect(validate(form({ ...base, target_url: 'https://x', target_timeout: '301' }))).toEqual({
      target_timeout: 'timeout must not be greater than 300',
    });
    // the same fields are ignored while Kafka is chosen
    expect(validate(form({ crontab: '* * * * *', target_url: 'ftp://x' }))).toEqual({});
  });

  it('prefills a target, sends it whole when changed, and null when switched back to Kafka', () => {
    const task: Task = {
      ...TASK,
      target: {
        type: 'http',
        url: 'https://hooks.example.com/r',
        method: 'POST',
        headers: { authorization: 'Bearer t', 'x-team': 'a' },
        timeout_s: 10,
      },
    };
    const prefilled = formOfTask(task);
    expect(prefilled).toMatchObject({
      delivery: 'http',
      target_url: 'https://hooks.example.com/r',
      target_method: 'POST',
      target_headers: 'authorization: Bearer t\nx-team: a',
      target_timeout: '10',
    });
    expect(updateRequestOf(prefilled, task)).toEqual({});
    expect(updateRequestOf({ ...prefilled, target_method: 'GET' }, task)).toEqual({
      target: { ...task.target, method: 'GET' },
    });
    expect(updateRequestOf({ ...prefilled, delivery: 'kafka' }, task)).toEqual({ target: null });
    // a Kafka task with a topic moved to HTTP: the topic is cleared with the same request
    const withTopic: Task = { ...TASK, topic: 'tasks.extra' };
    expect(
      updateRequestOf(
        { ...formOfTask(withTopic), delivery: 'http', target_url: 'https://h.example/' },
        withTopic,
      ),
    ).toEqual({ topic: '', target: { type: 'http', url: 'https://h.example/', method: 'POST' } });
  });
});
