import { TaskCenterApiError, TaskCenterClient } from '@task-center/client';
import { type Browser, type Page } from 'playwright-core';
import { HttpTargetsWorker } from '../../apps/task-center/src/http-targets/http-targets.worker';
import {
  type DashboardServer,
  launchBrowser,
  screenshot,
  seriousA11yViolations,
  startDashboardServer,
  watchPage,
} from '../support/browser';
import { uniqueName, waitFor } from '../support/stack';
import { TargetServer } from '../support/target-server';

const WRITE_KEY = 'write-key-http-target-0123456789';
const SECRET = 'Bearer ui-secret-token-42';

/**
 * HTTP targets in the dashboard, in Chromium, against a real task center on the real stack
 * whose in-process delivery worker calls a real HTTP server on loopback: a task created
 * through the form calls the URL, its page shows the target (credentials masked) and the
 * succeeded run, editing it back to Kafka removes the target, and the server's refusal of a
 * forbidden URL is shown on the form.
 */
describe('dashboard HTTP targets in a real browser (real center, delivery worker and stack)', () => {
  let browser: Browser;
  let server: DashboardServer;
  let hook: TargetServer;
  let api: TaskCenterClient;

  beforeAll(async () => {
    hook = await TargetServer.start(() => ({ status: 200, body: 'ok' }));
    browser = await launchBrowser();
    server = await startDashboardServer({
      RUNS_RESULTS_GROUP: uniqueName('dash-http'),
      API_KEYS: `write:${WRITE_KEY}`,
      HTTP_TARGETS_ENABLED: 'true',
      HTTP_TARGET_ALLOW: '127.0.0.1/32',
    });
    await server.app.get(HttpTargetsWorker).ready();
    api = new TaskCenterClient({ baseUrl: server.url, apiKey: WRITE_KEY });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await browser?.close();
    await hook?.close();
  });

  async function signedIn(allow: RegExp[] = []): Promise<{ page: Page; problems: string[] }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const watch = await watchPage(page, allow);
    await page.addInitScript({
      content: `sessionStorage.setItem('task-center.api-key', ${JSON.stringify(WRITE_KEY)});`,
    });
    return { page, problems: watch.problems };
  }

  const taskIdOf = (page: Page) => /#\/tasks\/([0-9a-f]{24})$/.exec(page.url())?.[1];

  it('creates an HTTP task in the form, the URL is called, the run succeeds; edited back to Kafka', async () => {
    const name = uniqueName('ui.http');
    const url = hook.url('/hooks/ui?from=dashboard');
    const { page, problems } = await signedIn();
    await page.goto(`${server.url}/dashboard/#/tasks/new`);
    await page.getByRole('heading', { level: 1, name: 'New task' }).waitFor();
    await page.getByLabel('Type').selectOption({ label: 'One-shot' });
    await page.getByLabel('Name').fill(name);
    await page.getByLabel('Data').fill('{"hello":"http"}');

    // Kafka by default (the topic shows); HTTP hides the topic and shows the request's fields.
    expect(await page.getByLabel('Kafka (SDK workers)').isChecked()).toBe(true);
    await page.getByLabel('Topic').waitFor();
    await page.getByLabel('HTTP request').check();
    await page.getByLabel('Topic').waitFor({ state: 'detached' });
    await page.getByLabel('URL').fill('ftp://nowhere');
    await page
      .getByTestId('problem-target_url')
      .filter({ hasText: 'must start with http:// or https://' })
      .waitFor();
    await page.getByLabel('URL').fill(url);
    await page.getByTestId('problem-target_url').waitFor({ state: 'detached' });
    await page.getByLabel('Method').selectOption('PUT');
    await page.getByLabel('Headers').fill('Content-Type: application/json\nno colon');
    await page
      .getByTestId('problem-target_headers')
      .filter({ hasText: 'line 2: expected "Name: value"' })
      .waitFor();
    await page
      .getByLabel('Headers')
      .fill(`Content-Type: application/json\nAuthorization: ${SECRET}`);
    await page.getByTestId('problem-target_headers').waitFor({ state: 'detached' });
    await page.getByLabel('Timeout (seconds)').fill('5');
    expect(await seriousA11yViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Create task' }).click();
    await page.waitForURL(/#\/tasks\/[0-9a-f]{24}$/);
    const id = taskIdOf(page)!;

    // The page shows the target where the topic was, the credential masked.
    const definition = page.locator('dl.definition');
    await page
      .getByTestId('task-target')
      .filter({ hasText: `PUT ${url}` })
      .waitFor();
    expect(await definition.innerText()).toContain('5 s');
    const headers = await page.getByTestId('task-target-headers').innerText();
    expect(headers).toContain('content-type: application/json');
    expect(headers).toContain('authorization: ••••');
    expect(await page.locator('body').innerText()).not.toContain('ui-secret-token');
    expect(await definition.getByText('Topic').count()).toBe(0);

    // The request arrives, with the data as body and the real header value.
    await waitFor('the request to the hook', () => hook.to('/hooks/ui').length >= 1, {
      timeoutMs: 20_000,
    });
    const received = hook.to('/hooks/ui')[0]!;
    expect(received.method).toBe('PUT');
    expect(received.path).toBe('/hooks/ui?from=dashboard');
    expect(received.body.toString('utf8')).toBe('{"hello":"http"}');
    expect(received.headers).toMatchObject({
      authorization: SECRET,
      'content-type': 'application/json',
      'tc-task-id': id,
    });

    // The run succeeds in the page's history (auto-refresh).
    const succeeded = page.getByTestId('run-row').filter({ has: page.locator('.badge.succeeded') });
    await succeeded.first().waitFor({ timeout: 20_000 });
    expect(await succeeded.first().innerText()).toMatch(/#1: succeeded/);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'dashboard-http-target');

    // The list marks it as an HTTP task.
    await page.goto(`${server.url}/dashboard/#/tasks?name=${encodeURIComponent(name)}`);
    const row = page.getByTestId('task-row').filter({ hasText: name });
    await row.locator('.badge.http').filter({ hasText: 'HTTP' }).waitFor();

    // Edit: prefilled; back to Kafka sends target: null.
    await page.goto(`${server.url}/dashboard/#/tasks/${id}/edit`);
    await page.getByRole('heading', { level: 1, name: 'Edit task' }).waitFor();
    expect(await page.getByLabel('HTTP request').isChecked()).toBe(true);
    expect(await page.getByLabel('URL').inputValue()).toBe(url);
    expect(await page.getByLabel('Method').inputValue()).toBe('PUT');
    expect(await page.getByLabel('Timeout (seconds)').inputValue()).toBe('5');
    expect(await page.getByLabel('Headers').inputValue()).toBe(
      `content-type: application/json\nauthorization: ${SECRET}`,
    );
    await page.getByLabel('Kafka (SDK workers)').check();
    await page.getByLabel('URL').waitFor({ state: 'detached' });
    await page.getByLabel('Topic').waitFor();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.waitForURL(new RegExp(`#/tasks/${id}$`));
    await definition.locator('dt', { hasText: 'Topic' }).waitFor();
    expect(await page.getByTestId('task-target').count()).toBe(0);
    expect((await api.getTask(id)).target).toBeUndefined();
    expect(problems).toEqual([]);
    await page.context().close();
    await api.deleteTask(id);
  }, 90_000);

  it("shows the server's refusal of a forbidden URL and keeps the input", async () => {
    const forbidden = 'http://169.254.169.254/latest/meta-data';
    const refusal = await api
      .createTask({
        name: 'ui.http.ssrf',
        type: 1,
        data: '',
        target: { type: 'http', url: forbidden },
      })
      .then(
        () => undefined,
        (err: unknown) => (err instanceof TaskCenterApiError ? err.message : undefined),
      );
    expect(refusal).toMatch(/169\.254\.169\.254/);

    // the refused create answers 400: the browser logs the failed request
    const { page, problems } = await signedIn([/status of 400/]);
    await page.goto(`${server.url}/dashboard/#/tasks/new`);
    await page.getByRole('heading', { level: 1, name: 'New task' }).waitFor();
    await page.getByLabel('Type').selectOption({ label: 'One-shot' });
    await page.getByLabel('Name').fill('ui.http.ssrf');
    await page.getByLabel('HTTP request').check();
    await page.getByLabel('URL').fill(forbidden);
    await page.getByRole('button', { name: 'Create task' }).click();
    await page.getByRole('alert').filter({ hasText: refusal! }).waitFor();
    expect(await page.getByLabel('URL').inputValue()).toBe(forbidden);
    expect(page.url()).toMatch(/#\/tasks\/new$/);
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await page.context().close();
  }, 60_000);
});
