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
});
