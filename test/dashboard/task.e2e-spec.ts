import { TaskCenterApiError, TaskCenterClient } from '@task-center/client';
import { type Browser, type Page } from 'playwright-core';
import { APP_CONFIG, type AppConfig } from '../../apps/task-center/src/config';
import { formatInstant } from '../../apps/dashboard/src/lib/time';
import {
  type DashboardServer,
  launchBrowser,
  screenshot,
  seriousA11yViolations,
  startDashboardServer,
  watchPage,
} from '../support/browser';
import { type RunsWorkerProcess, spawnReadyWorker } from '../support/runs-spawn';
import { uniqueName } from '../support/stack';

const WRITE_KEY = 'write-key-task-0123456789';
const READ_KEY = 'read-key-task-0123456789';
/** The tag of the crontab task (the worker succeeds at once) and of the loop task. */
const TAG = 'ui.task';
const LOOP = 'ui.task.loop';
/** The viewer's zone in the browser: not the task's, so the two columns differ. */
const VIEWER_ZONE = 'America/New_York';

/** Lets time pass for a negative check ("no new run"); never to wait for an event. */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The Task page and the create/edit form in Chromium, against a real task center on the real
 * stack with a real SDK worker process: a crontab task is created through the form (the
 * server's message for a bad crontab, then a live preview), its page shows the schedule in
 * words and the next fires in both zones, the worker's runs appear, and pause, resume, edit
 * and delete work from the page.
 */
describe('dashboard task page and form in a real browser (real center, worker and stack)', () => {
  let browser: Browser;
  let server: DashboardServer;
  let worker: RunsWorkerProcess;
  let api: TaskCenterClient;

  beforeAll(async () => {
    browser = await launchBrowser();
    server = await startDashboardServer({
      RUNS_RESULTS_GROUP: uniqueName('dash-task'),
      API_KEYS: `write:${WRITE_KEY},read:${READ_KEY}`,
    });
    const config = server.app.get<AppConfig>(APP_CONFIG);
    worker = await spawnReadyWorker(
      config.kafka.topics,
      { [TAG]: 1, [LOOP]: 1 },
      'dash-task-worker',
    );
    api = new TaskCenterClient({ baseUrl: server.url, apiKey: WRITE_KEY });
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
    await server?.stop();
    await browser?.close();
  });

  /** A signed-in page; `allow`: failed requests the test provokes on purpose. */
  async function pageWith(
    key: string,
    allow: RegExp[] = [],
  ): Promise<{ page: Page; problems: string[] }> {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      timezoneId: VIEWER_ZONE,
    });
    const page = await context.newPage();
    const watch = await watchPage(page, allow);
    await page.addInitScript({
      content: `sessionStorage.setItem('task-center.api-key', ${JSON.stringify(key)});`,
    });
    return { page, problems: watch.problems };
  }

  async function confirm(page: Page): Promise<void> {
    const dialog = page.getByTestId('confirm');
    await dialog.waitFor();
    await dialog.getByTestId('confirm-ok').click();
    await dialog.waitFor({ state: 'hidden' });
  }

  const taskIdOf = (page: Page) => /#\/tasks\/([0-9a-f]{24})$/.exec(page.url())?.[1];

  it('creates a crontab task with a live preview, shows its runs, pauses, resumes, edits and deletes it', async () => {
    // the bad crontab's preview answers 400, the deleted task 404: the browser logs both
    const { page, problems } = await pageWith(WRITE_KEY, [/status of 40[04]/]);
    await page.goto(`${server.url}/dashboard/#/tasks/new`);
    await page.getByRole('heading', { level: 1, name: 'New task' }).waitFor();
    await page.getByLabel('Type').selectOption({ label: 'Crontab' });
    await page.getByLabel('Name').fill(TAG);

    // An invalid crontab: the server's own message, live.
    const bad = '99 * * * * *';
    const refusal = await api.previewSchedule({ type: 3, crontab: bad }).then(
      () => undefined,
      (err: unknown) => (err instanceof TaskCenterApiError ? err.message : undefined),
    );
    expect(refusal).toBeTruthy();
    await page.getByLabel('Crontab').fill(bad);
    await page.getByTestId('preview-problem').filter({ hasText: refusal }).waitFor();

    // Every 2 s in Paris: the fires and the words.
    await page.getByLabel('Crontab').fill('*/2 * * * * *');
    await page.getByLabel('Time zone').selectOption('Europe/Paris');
    await page
      .getByTestId('preview-words')
      .filter({ hasText: 'Every 2 seconds (Europe/Paris)' })
      .waitFor();
    expect(await page.getByTestId('preview-fires').locator('li').count()).toBe(10);
    expect(await page.getByTestId('preview-problem').count()).toBe(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'task-form');

    await page.getByRole('button', { name: 'Create task' }).click();
    await page.waitForURL(/#\/tasks\/[0-9a-f]{24}$/);
    const id = taskIdOf(page)!;
    expect((await api.getTask(id)).crontab).toBe('*/2 * * * * *');
    await page.getByRole('heading', { level: 1, name: new RegExp(TAG) }).waitFor();
    await page
      .getByTestId('schedule-words')
      .filter({ hasText: 'Every 2 seconds (Europe/Paris)' })
      .waitFor();

    // The next 10 fires, in Paris time (with its offset) and in the viewer's New York time.
    const fires = page.getByTestId('next-fires');
    await fires.waitFor();
    const header = await fires.locator('thead').innerText();
    expect(header).toContain('Europe/Paris');
    expect(header).toContain(VIEWER_ZONE);
    const rows = fires.locator('tbody tr');
    expect(await rows.count()).toBe(10);
    const first = (await rows.first().locator('time').getAttribute('datetime'))!;
    const at = Date.parse(first);
    expect(await rows.first().locator('td').nth(1).innerText()).toBe(
      formatInstant(at, 'Europe/Paris'),
    );
    expect(await rows.first().locator('td').nth(2).innerText()).toBe(
      formatInstant(at, VIEWER_ZONE).replace(/ [+-]\d\d:\d\d$/, ''),
    );

    // The worker's runs appear (auto-refresh): succeeded, with a duration.
    await worker.waitForCalls(TAG, 1, 30_000);
    const succeeded = page.getByTestId('run-row').filter({ has: page.locator('.badge.succeeded') });
    await succeeded.first().waitFor({ timeout: 20_000 });
    expect(await succeeded.first().getByTestId('run-duration').innerText()).toMatch(
      /^\d+(\.\d)? (ms|s)$/,
    );
    expect(await succeeded.first().innerText()).toMatch(/#1: succeeded in/);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'task');

    // Pause: paused, and no new run.
    await page.getByRole('button', { name: 'Pause' }).click();
    await confirm(page);
    await page.getByTestId('task-status').filter({ hasText: 'paused' }).waitFor();
    expect((await api.getTask(id)).status).toBe('paused');
    const firesAtPause = (await api.taskRuns(id, { limit: 100 })).fires.length;
    await sleep(3_500);
    expect((await api.taskRuns(id, { limit: 100 })).fires.length).toBe(firesAtPause);
    // still the schedule's preview while paused
    expect(await page.getByTestId('next-fires').locator('tbody tr').count()).toBe(10);

    await page.getByRole('button', { name: 'Resume' }).click();
    await confirm(page);
    await page.getByTestId('task-status').filter({ hasText: 'active' }).waitFor();
    expect((await api.getTask(id)).status).toBe('active');

    // Edit: prefilled, every 3 s, saved (only the crontab changes).
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByRole('heading', { level: 1, name: 'Edit task' }).waitFor();
    expect(await page.getByLabel('Crontab').inputValue()).toBe('*/2 * * * * *');
    expect(await page.getByLabel('Time zone').inputValue()).toBe('Europe/Paris');
    await page.getByLabel('Crontab').fill('*/3 * * * * *');
    await page
      .getByTestId('preview-words')
      .filter({ hasText: 'Every 3 seconds (Europe/Paris)' })
      .waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.waitForURL(new RegExp(`#/tasks/${id}$`));
    await page
      .getByTestId('schedule-words')
      .filter({ hasText: 'Every 3 seconds (Europe/Paris)' })
      .waitFor();
    const edited = await api.getTask(id);
    expect(edited.crontab).toBe('*/3 * * * * *');
    expect(edited.timezone).toBe('Europe/Paris');

    // Delete: back on the list, and the API no longer knows the task.
    await page.getByRole('button', { name: 'Delete' }).click();
    await confirm(page);
    await page.waitForURL(/#\/tasks$/);
    await expect(api.getTask(id)).rejects.toMatchObject({ status: 404 });
    await page.goto(`${server.url}/dashboard/#/tasks/${id}`);
    await page.getByRole('heading', { level: 1, name: 'No such task' }).waitFor();
    expect(problems).toEqual([]);
    await page.context().close();
  }, 90_000);

  it('validates as you type, shows the server refusal keeping the input, and shows a retry policy', async () => {
    // the refused create answers 400: the browser logs the failed request
    const { page, problems } = await pageWith(WRITE_KEY, [/status of 400/]);
    await page.goto(`${server.url}/dashboard/#/tasks/new`);
    await page.getByRole('heading', { level: 1, name: 'New task' }).waitFor();
    await page.getByLabel('Type').selectOption({ label: 'Loop (fixed interval)' });
    await page.getByLabel('Name').fill('bad name');
    await page.getByTestId('problem-name').filter({ hasText: 'name must be' }).waitFor();
    await page.getByLabel('Name').fill(LOOP);
    await page.getByTestId('problem-name').waitFor({ state: 'detached' });
    await page.getByLabel('Every (seconds)').fill('0');
    await page
      .getByTestId('problem-loop_time')
      .filter({ hasText: 'loop_time must not be less than 1' })
      .waitFor();
    await page.getByLabel('Every (seconds)').fill('3600');
    await page.getByLabel('Fires at most').fill('3');
    await page.getByTestId('preview-fires').waitFor();
    expect(await page.getByTestId('preview-fires').locator('li').count()).toBe(3);

    await page.getByLabel('Retry failed runs').check();
    await page.getByLabel('Max attempts').fill('4');
    await page.getByLabel('Backoff').selectOption('fixed');
    await page.getByLabel('Delay (seconds)', { exact: true }).fill('7');
    await page.getByLabel('Max delay (seconds)').fill('5');
    await page
      .getByTestId('problem-max_delay')
      .filter({ hasText: 'retry.max_delay must not be less than retry.delay' })
      .waitFor();
    await page.getByLabel('Max delay (seconds)').fill('60');
    await page.getByLabel('Misfire policy').selectOption('skip');
    await page.getByLabel('Data').fill('{"from":"dashboard"}');

    // A topic the server refuses: its message, and the input stays.
    await page.getByLabel('Topic').fill('no-such-topic');
    await page.getByRole('button', { name: 'Create task' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: 'topic "no-such-topic" is not allowed' })
      .waitFor();
    expect(await page.getByLabel('Name').inputValue()).toBe(LOOP);
    expect(await page.getByLabel('Max attempts').inputValue()).toBe('4');
    await page.getByLabel('Topic').fill('');
    await page.getByRole('button', { name: 'Create task' }).click();
    await page.waitForURL(/#\/tasks\/[0-9a-f]{24}$/);
    const id = taskIdOf(page)!;

    const definition = page.locator('dl.definition');
    await definition.getByText('4 attempts, fixed backoff, delay 7 s').waitFor();
    expect(await definition.innerText()).toContain('skip');
    expect(await page.getByTestId('task-data').innerText()).toBe('{"from":"dashboard"}');
    const task = await api.getTask(id);
    expect(task).toMatchObject({
      type: 2,
      loop_time: 3600,
      loop_count: 3,
      misfire: 'skip',
      retry: { max_attempts: 4, backoff: 'fixed', delay: 7, max_delay: 60 },
    });
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await page.context().close();

    // A read key: no write action on the page, and the form refuses.
    const reader = await pageWith(READ_KEY);
    await reader.page.goto(`${server.url}/dashboard/#/tasks/${id}`);
    await reader.page.locator('dl.definition').getByText('4 attempts').waitFor();
    await reader.page.getByText('Your key is read-only').waitFor();
    for (const name of ['Pause', 'Run now', 'Delete']) {
      expect(await reader.page.getByRole('button', { name }).count()).toBe(0);
    }
    expect(await reader.page.getByRole('link', { name: 'Edit' }).count()).toBe(0);
    await reader.page.goto(`${server.url}/dashboard/#/tasks/${id}/edit`);
    await reader.page.getByText('Your key is read-only').waitFor();
    expect(await reader.page.getByRole('button', { name: 'Save changes' }).count()).toBe(0);
    expect(reader.problems).toEqual([]);
    await reader.page.context().close();
    await api.deleteTask(id);
  }, 60_000);
});
