import { TaskCenterClient } from '@task-center/client';
import { type Browser, type Locator, type Page } from 'playwright-core';
import { APP_CONFIG, type AppConfig } from '../../apps/task-center/src/config';
import {
  type DashboardServer,
  launchBrowser,
  screenshot,
  seriousA11yViolations,
  startDashboardServer,
  watchPage,
} from '../support/browser';
import { type RunsWorkerProcess, spawnReadyWorker } from '../support/runs-spawn';
import { uniqueName, waitFor } from '../support/stack';

const ADMIN_KEY = 'admin-key-runs-0123456789';
const WRITE_KEY = 'write-key-runs-0123456789';
const READ_KEY = 'read-key-runs-0123456789';

/** Tags (= task names): the worker throws on every attempt of the first two. */
const FAIL = 'ui.fail';
const BULK = 'ui.fail.bulk';
const OK = 'ui.ok';

/**
 * The Runs page in Chromium against a real task center on the real stack, with a real SDK
 * worker process: one-shots of `ui.fail` and `ui.fail.bulk` throw and die at their single
 * attempt, `ui.ok` succeeds. The page shows the failures grouped by the worker's message, the
 * dead fires, and the dead letters; a redrive from the page publishes attempt 2 (the worker is
 * called again) and the dead letter leaves the list.
 */
describe('dashboard runs page in a real browser (real center, worker and stack)', () => {
  let browser: Browser;
  let server: DashboardServer;
  let worker: RunsWorkerProcess;
  let api: TaskCenterClient;
  /** The dead letters' message ids (attempt 1), by task name. */
  const dead: Record<string, string[]> = {};

  beforeAll(async () => {
    browser = await launchBrowser();
    server = await startDashboardServer({
      RUNS_RESULTS_GROUP: uniqueName('dash-runs'),
      RUNS_ACK_GRACE_S: '1',
      API_KEYS: `admin:${ADMIN_KEY},write:${WRITE_KEY},read:${READ_KEY}`,
    });
    const config = server.app.get<AppConfig>(APP_CONFIG);
    worker = await spawnReadyWorker(
      config.kafka.topics,
      { [FAIL]: 0, [BULK]: 0, [OK]: 1 },
      'dash-runs-worker',
    );
    api = new TaskCenterClient({ baseUrl: server.url, apiKey: ADMIN_KEY });
    const oneShot = (name: string) =>
      api.createTask({ name, type: 1, data: '{}', retry: { max_attempts: 1 } });
    for (const name of [FAIL, FAIL, FAIL, BULK, OK]) await oneShot(name);
    const letters = await waitFor(
      'the 4 failing fires to be dead letters',
      async () => {
        const page = await api.deadLetters();
        return page.deadLetters.length === 4 && page.deadLetters;
      },
      { timeoutMs: 40_000, intervalMs: 250 },
    );
    for (const l of letters) (dead[l.name] ??= []).push(l.message_id);
    expect(dead[FAIL]).toHaveLength(3);
    expect(dead[BULK]).toHaveLength(1);
    await worker.waitForCalls(OK, 1, 30_000);
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
    await server?.stop();
    await browser?.close();
  });

  /** A page signed in with `key` (kept in the tab's sessionStorage, as the login page does). */
  async function pageWith(key: string): Promise<{ page: Page; problems: string[] }> {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      timezoneId: 'UTC',
    });
    const page = await context.newPage();
    const watch = await watchPage(page);
    await page.addInitScript({
      content: `sessionStorage.setItem('task-center.api-key', ${JSON.stringify(key)});`,
    });
    return { page, problems: watch.problems };
  }

  /** Whether the page's main region is wider than the screen (the user would scroll sideways). */
  const mainOverflows =
    "(() => { const m = document.querySelector('main'); return m.scrollWidth > m.clientWidth; })()";

  const rowOf = (page: Page, messageId: string): Locator =>
    page.getByTestId('dead-letters').locator(`tr[data-message-id="${messageId}"]`);

  /** Confirms the open dialog and waits for the summary of the redrive. */
  async function confirmRedrive(page: Page, summary: string): Promise<void> {
    const dialog = page.getByTestId('confirm');
    await dialog.waitFor();
    await dialog.getByTestId('confirm-ok').click();
    await page.getByTestId('redrive-status').filter({ hasText: summary }).waitFor();
  }

  /** The worker is called with attempt 2 of the fire whose attempt 1 died as `messageId`. */
  const redrivenAttempt = (tag: string, messageId: string) =>
    waitFor(
      `attempt 2 of ${messageId} to reach the worker`,
      () =>
        worker
          .calls(tag)
          .find((c) => c.messageId === messageId.replace(/:1$/, ':2') && c.attempt === 2),
      { timeoutMs: 30_000, intervalMs: 100 },
    );

  it('shows the failures grouped by the worker message, the dead fires, and the dead letters', async () => {
    const { page, problems } = await pageWith(WRITE_KEY);
    await page.goto(`${server.url}/dashboard/#/runs`);
    await page.getByRole('heading', { level: 1, name: 'Runs' }).waitFor();

    // Failures by error: the worker's message, 3 fires of ui.fail, with a link to the task list.
    const failures = page.getByTestId('failures');
    const failRow = failures.getByRole('row').filter({ hasText: `${FAIL} refuses attempt 1` });
    await failRow.waitFor();
    // Each fire records two events with that message: its failed attempt, then its death.
    expect(await failRow.getByRole('cell').nth(1).textContent()).toBe('6');
    expect(await failRow.getByRole('link', { name: FAIL, exact: true }).getAttribute('href')).toBe(
      `#/tasks?name=${FAIL}`,
    );
    await failures
      .getByRole('row')
      .filter({ hasText: `${BULK} refuses attempt 1` })
      .waitFor();
    expect(await failures.getByText(/ui\.ok/).count()).toBe(0);
    await page.getByLabel('Time range').selectOption('1h');
    await page.waitForURL(/#\/runs\?from=1h$/);
    await failRow.waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);

    // Runs: every fire, then only the dead ones (by the form, as a person does).
    await page.getByRole('link', { name: 'Runs', exact: true }).last().click();
    await page.getByRole('heading', { level: 2, name: 'Runs' }).waitFor();
    const runs = page.getByTestId('runs');
    await runs.getByRole('row').filter({ hasText: OK }).filter({ hasText: 'succeeded' }).waitFor();
    await page.getByRole('checkbox', { name: 'Dead' }).check();
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/view=runs&state=dead/);
    await waitFor('the runs list to hold only the dead fires', async () => {
      const text = await runs.locator('tbody').innerText();
      return (await runs.locator('tbody tr').count()) === 4 && !text.includes(OK) && text;
    });
    const deadRows = runs.locator('tbody tr');
    for (let i = 0; i < 4; i++) {
      const row = deadRows.nth(i);
      expect(await row.getByText('dead', { exact: true }).count()).toBe(1);
      expect(await row.innerText()).toMatch(/ui\.fail(\.bulk)? refuses attempt 1/);
    }
    expect(await seriousA11yViolations(page)).toEqual([]);

    // Dead letters: all four, with their error; a write key may redrive but not by filter.
    await page.getByRole('link', { name: 'Dead letters' }).click();
    for (const id of [...dead[FAIL]!, ...dead[BULK]!]) {
      await rowOf(page, id).filter({ hasText: 'refuses attempt 1' }).waitFor();
    }
    expect(await page.getByRole('button', { name: 'Redrive all matching…' }).count()).toBe(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'runs');

    // At 390 px the tables scroll inside their wrapper: the page itself does not.
    await page.setViewportSize({ width: 390, height: 844 });
    for (const view of ['dead', 'runs&state=dead', 'failures']) {
      await page.goto(`${server.url}/dashboard/#/runs?view=${view}`);
      await page.locator('table').waitFor();
      expect(await page.evaluate(mainOverflows)).toBe(false);
    }
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('redrives one dead letter, then a selection: the worker gets attempt 2 and the rows leave', async () => {
    const { page, problems } = await pageWith(WRITE_KEY);
    await page.goto(`${server.url}/dashboard/#/runs?view=dead`);
    const [one, ...rest] = dead[FAIL]!;

    await rowOf(page, one!)
      .getByRole('button', { name: `Redrive ${one}` })
      .click();
    await confirmRedrive(page, '1 redriven');
    await rowOf(page, one!).waitFor({ state: 'detached' });
    await redrivenAttempt(FAIL, one!);
    for (const id of rest) await rowOf(page, id).waitFor();

    for (const id of rest) await page.getByRole('checkbox', { name: `Select ${id}` }).check();
    await page.getByRole('button', { name: 'Redrive selected (2)' }).click();
    expect(await page.getByTestId('confirm').textContent()).toContain('Redrive 2 dead letters?');
    await confirmRedrive(page, '2 redriven');
    for (const id of rest) {
      await rowOf(page, id).waitFor({ state: 'detached' });
      await redrivenAttempt(FAIL, id);
    }
    await rowOf(page, dead[BULK]![0]!).waitFor(); // untouched
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('an admin redrives by filter; a read key sees no redrive at all', async () => {
    const reader = await pageWith(READ_KEY);
    await reader.page.goto(`${server.url}/dashboard/#/runs?view=dead`);
    await rowOf(reader.page, dead[BULK]![0]!).waitFor();
    expect(await reader.page.getByRole('button', { name: /Redrive/ }).count()).toBe(0);
    expect(await reader.page.getByRole('checkbox').count()).toBe(0);
    expect(reader.problems).toEqual([]);
    await reader.page.context().close();

    const { page, problems } = await pageWith(ADMIN_KEY);
    await page.goto(`${server.url}/dashboard/#/runs?view=dead`);
    const [bulk] = dead[BULK]!;
    await rowOf(page, bulk!).waitFor();
    const form = page.getByRole('form', { name: 'Redrive by filter' });
    await form.getByRole('button', { name: 'Redrive all matching…' }).click();
    await form.getByRole('alert').filter({ hasText: 'Give a name' }).waitFor(); // empty filter
    await form.getByLabel('Task name').fill(BULK);
    await form.getByRole('button', { name: 'Redrive all matching…' }).click();
    expect(await page.getByTestId('confirm').textContent()).toContain(`named ${BULK}`);
    await confirmRedrive(page, '1 redriven');
    await rowOf(page, bulk!).waitFor({ state: 'detached' });
    await redrivenAttempt(BULK, bulk!);
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
