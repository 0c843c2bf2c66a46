import { type Browser, type Page } from 'playwright-core';
import {
  type DashboardServer,
  launchBrowser,
  newPage,
  screenshot,
  seriousA11yViolations,
  startDashboardServer,
  watchPage,
} from '../support/browser';
import { waitFor } from '../support/stack';

const ADMIN_KEY = 'admin-key-tasks-0123456789';
const READ_KEY = 'read-key-tasks-0123456789';
const KEY_ITEM = 'task-center.api-key';

interface SeenTask {
  _id: string;
  name: string;
  status: string;
  next_run_at: number | null;
}

/** The API as the admin key sees it (plain fetch: what the browser does is under test). */
function apiOf(base: string) {
  const call = async <T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${base}/v1/api/${path}`, {
      method,
      headers: {
        authorization: `Bearer ${ADMIN_KEY}`,
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
    return JSON.parse(text) as T;
  };
  return {
    create: (task: Record<string, unknown>) =>
      call<{ taskid: string }>('POST', 'task', task).then((r) => r.taskid),
    bulk: (action: string, ids: string[]) => call('POST', 'bulk-task-action', { action, ids }),
    search: (query: string) =>
      call<{ tasks: SeenTask[] }>('GET', `tasks?${query}&limit=1000`).then((r) => r.tasks),
    status: async (id: string) => {
      const res = await fetch(`${base}/v1/api/query-task-by-id?taskid=${id}`, {
        headers: { authorization: `Bearer ${ADMIN_KEY}` },
      });
      return res.status === 404 ? 'gone' : ((await res.json()) as SeenTask).status;
    },
  };
}

/** What the page's script sees (the test project has no DOM types). */
type BrowserGlobals = { sessionStorage: { getItem: (key: string) => string | null } };

const rowNames = (page: Page) => page.getByTestId('task-row').locator('td a').allTextContents();

/** Waits until the table shows exactly these names, in this order. */
async function expectRows(page: Page, expected: string[]): Promise<void> {
  let last: string[] = [];
  await waitFor(
    `rows ${expected.join(' ')}`,
    async () => {
      last = (await page.locator('table[aria-busy="true"]').count()) ? [] : await rowNames(page);
      return JSON.stringify(last) === JSON.stringify(expected);
    },
    { timeoutMs: 10_000 },
  ).catch((err: Error) => {
    throw new Error(`${err.message}; the table shows ${JSON.stringify(last)}`);
  });
}

const hashOf = (page: Page) => new URL(page.url()).hash;

describe('dashboard Tasks page in a real browser (Chromium, real task center, real stack)', () => {
  let browser: Browser;
  let server: DashboardServer;
  let api: ReturnType<typeof apiOf>;
  const now = Math.floor(Date.now() / 1000);
  /** alpha.00..17 (loops and crontabs, 4 paused), beta.00..11 (loops, next runs shuffled). */
  const alpha: string[] = Array.from(
    { length: 18 },
    (_, i) => `alpha.${String(i).padStart(2, '0')}`,
  );
  const beta: string[] = Array.from({ length: 12 }, (_, i) => `beta.${String(i).padStart(2, '0')}`);
  const betaStart = (i: number) => now + 7200 + ((i * 5) % 12) * 300; // a permutation of slots
  const ids = new Map<string, string>();
  const pausedAlpha = ['alpha.01', 'alpha.04', 'alpha.09', 'alpha.16'];

  beforeAll(async () => {
    [browser, server] = await Promise.all([
      launchBrowser(),
      startDashboardServer({ API_KEYS: `admin:${ADMIN_KEY},read:${READ_KEY}` }),
    ]);
    api = apiOf(server.url);
    // One at a time: created_at order is the order of creation (ties broken by id anyway).
    for (const [i, name] of alpha.entries()) {
      const task =
        i % 3 === 2
          ? { name, type: 3, data: '{}', crontab: '0 3 * * *', timezone: 'Europe/Paris' }
          : { name, type: 2, data: '{}', loop_time: 600 + i, start_time: now + 3600 + i * 60 };
      ids.set(name, await api.create(task));
    }
    for (const [i, name] of beta.entries()) {
      ids.set(
        name,
        await api.create({ name, type: 2, data: '', loop_time: 60, start_time: betaStart(i) }),
      );
    }
    await api.bulk(
      'pause',
      pausedAlpha.map((n) => ids.get(n)!),
    );
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** A page signed in with `key` (kept in sessionStorage, as the login page does). */
  async function signedIn(key: string, allow: RegExp[] = []) {
    const page = await newPage(browser);
    const watch = await watchPage(page, allow);
    await page.addInitScript({
      content: `sessionStorage.setItem(${JSON.stringify(KEY_ITEM)}, ${JSON.stringify(key)});`,
    });
    return { page, watch };
  }

  it('filters by name prefix and status; the hash holds the filters and a reload keeps them', async () => {
    const { page, watch } = await signedIn(ADMIN_KEY);
    await page.goto(`${server.url}/dashboard/#/tasks`);
    await page.getByRole('heading', { level: 1, name: 'Tasks' }).waitFor();
    await page.getByTestId('task-total').filter({ hasText: '30 tasks' }).waitFor();

    await page.getByLabel('Name', { exact: true }).fill('alpha.');
    await page.getByRole('checkbox', { name: 'active', exact: true }).check();
    await page.getByRole('button', { name: 'Search' }).click();
    const activeAlpha = alpha.filter((n) => !pausedAlpha.includes(n)).reverse(); // newest first
    await expectRows(page, activeAlpha);
    expect(hashOf(page)).toBe('#/tasks?name_prefix=alpha.&status=active');
    await page.getByTestId('task-total').filter({ hasText: '14 tasks' }).waitFor();

    await page.reload();
    await expectRows(page, activeAlpha);
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('alpha.');
    expect(await page.getByRole('checkbox', { name: 'active', exact: true }).isChecked()).toBe(
      true,
    );
    expect(await page.getByRole('checkbox', { name: 'paused', exact: true }).isChecked()).toBe(
      false,
    );

    // Paused only: the four paused ones, their badges say so.
    await page.getByRole('checkbox', { name: 'active', exact: true }).uncheck();
    await page.getByRole('checkbox', { name: 'paused', exact: true }).check();
    await page.getByRole('button', { name: 'Search' }).click();
    await expectRows(page, [...pausedAlpha].reverse());
    expect(await page.getByTestId('status').allTextContents()).toEqual([
      'paused',
      'paused',
      'paused',
      'paused',
    ]);

    await page.goto(`${server.url}/dashboard/#/tasks?name_prefix=alpha.`);
    await expectRows(page, [...alpha].reverse());
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'tasks');
    expect(watch.problems).toEqual([]);
    await page.context().close();
  });

  it('sorts by next run, soonest first (aria-sort on the header)', async () => {
    const { page, watch } = await signedIn(ADMIN_KEY);
    await page.goto(`${server.url}/dashboard/#/tasks?name_prefix=beta.`);
    await expectRows(page, [...beta].reverse());
    const created = page.getByRole('columnheader', { name: 'Created' });
    expect(await created.getAttribute('aria-sort')).toBe('descending');

    await page.getByRole('button', { name: 'Next run' }).click();
    const soonest = [...beta].sort(
      (a, b) => betaStart(beta.indexOf(a)) - betaStart(beta.indexOf(b)),
    );
    await expectRows(page, soonest);
    expect(hashOf(page)).toBe('#/tasks?name_prefix=beta.&sort=next_run_at');
    expect(
      await page.getByRole('columnheader', { name: 'Next run' }).getAttribute('aria-sort'),
    ).toBe('ascending');
    expect(await created.getAttribute('aria-sort')).toBe('none');
    // At 390 px the page does not scroll sideways: only the table does, inside its wrapper.
    await page.setViewportSize({ width: 390, height: 800 });
    expect(await page.evaluate("document.querySelector('main').scrollWidth")).toBeLessThanOrEqual(
      390,
    );
    await screenshot(page, 'tasks-narrow');
    // The UTC instant on hover.
    const first = page.getByTestId('task-row').first().locator('time').first();
    expect(await first.getAttribute('title')).toBe(
      `${new Date(betaStart(beta.indexOf(soonest[0]!)) * 1000).toISOString().replace('.000Z', 'Z')} (UTC)`,
    );
    expect(watch.problems).toEqual([]);
    await page.context().close();
  });

  it('pages with a small limit: every task once, previous and first page', async () => {
    const { page, watch } = await signedIn(ADMIN_KEY);
    const all = (await api.search('name_prefix=alpha.')).map((t) => t.name);
    expect(all).toEqual([...alpha].reverse());
    const pages = [all.slice(0, 7), all.slice(7, 14), all.slice(14)];

    await page.goto(`${server.url}/dashboard/#/tasks?name_prefix=alpha.&limit=7`);
    await expectRows(page, pages[0]!);
    expect(await page.getByRole('button', { name: 'First page' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Next page' }).click();
    await expectRows(page, pages[1]!);
    expect(hashOf(page)).toContain('cursor=');
    await page.getByRole('button', { name: 'Next page' }).click();
    await expectRows(page, pages[2]!);
    expect(await page.getByRole('button', { name: 'Next page' }).count()).toBe(0);
    await page.getByTestId('task-total').filter({ hasText: '18 tasks' }).waitFor();

    await page.getByRole('button', { name: 'Previous page' }).click();
    await expectRows(page, pages[1]!);
    await page.getByRole('button', { name: 'First page' }).click();
    await expectRows(page, pages[0]!);
    expect(hashOf(page)).toBe('#/tasks?name_prefix=alpha.&limit=7');
    expect(watch.problems).toEqual([]);
    await page.context().close();
  });

  it('pauses 3 selected tasks after a confirmation, deletes one, resumes all matching', async () => {
    const { page, watch } = await signedIn(ADMIN_KEY);
    await page.goto(`${server.url}/dashboard/#/tasks?name_prefix=beta.`);
    await expectRows(page, [...beta].reverse());
    const chosen = ['beta.02', 'beta.05', 'beta.07'];
    for (const name of chosen) await page.getByRole('checkbox', { name: `Select ${name}` }).check();
    await page.getByTestId('selected-count').filter({ hasText: '3 selected' }).waitFor();

    await page.getByRole('button', { name: 'Pause selected' }).click();
    const dialog = page.getByTestId('confirm');
    await dialog.getByRole('heading', { name: 'Pause 3 tasks?' }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.getByTestId('confirm-ok').click();
    await page.getByTestId('bulk-summary').filter({ hasText: '3 paused' }).waitFor();
    for (const name of chosen) {
      await page
        .getByTestId('task-row')
        .filter({ hasText: name })
        .getByTestId('status')
        .filter({ hasText: 'paused' })
        .waitFor();
    }
    expect(await Promise.all(chosen.map((n) => api.status(ids.get(n)!)))).toEqual([
      'paused',
      'paused',
      'paused',
    ]);
    expect(await page.getByTestId('status').filter({ hasText: 'paused' }).count()).toBe(3);

    // Delete one: cancel first (nothing happens), then confirm.
    await page.getByRole('checkbox', { name: 'Select beta.11' }).check();
    await page.getByRole('button', { name: 'Delete selected' }).click();
    await dialog.getByRole('heading', { name: 'Delete 1 task?' }).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await api.status(ids.get('beta.11')!)).toBe('active');
    await page.getByRole('button', { name: 'Delete selected' }).click();
    await page.getByTestId('confirm-ok').click();
    await page.getByTestId('bulk-summary').filter({ hasText: '1 deleted' }).waitFor();
    await expectRows(page, beta.filter((n) => n !== 'beta.11').reverse());
    expect(await api.status(ids.get('beta.11')!)).toBe('gone');

    // Admin: resume every paused beta task, by filter, described in words.
    await page.goto(`${server.url}/dashboard/#/tasks?name_prefix=beta.&status=paused`);
    await expectRows(page, [...chosen].reverse());
    await page.getByRole('button', { name: 'Resume all matching' }).click();
    await dialog
      .filter({ hasText: 'This resumes paused tasks whose name starts with "beta."' })
      .waitFor();
    await page.getByTestId('confirm-ok').click();
    await page
      .getByTestId('bulk-summary')
      .filter({ hasText: /^3 resumed$/ })
      .waitFor();
    await page.getByTestId('empty').filter({ hasText: 'No task matches this search' }).waitFor();
    expect((await api.search('name_prefix=beta.&status=paused')).length).toBe(0);
    expect(watch.problems).toEqual([]);
    await page.context().close();
  });

  it("shows the server's message for a bad search, and checks the form before searching", async () => {
    const { page, watch } = await signedIn(ADMIN_KEY, [/status of 400/]);
    await page.goto(`${server.url}/dashboard/#/tasks?name=a&name_prefix=b`);
    await page
      .getByRole('alert')
      .filter({ hasText: 'name and name_prefix cannot be used together' })
      .waitFor();
    await page.goto(`${server.url}/dashboard/#/tasks`);
    await page.getByTestId('task-row').first().waitFor();
    await page.getByLabel('Per page').fill('0');
    await page.getByLabel('Next run from').fill('2026-03-02T10:00');
    await page.getByLabel('Next run before').fill('2026-03-01T10:00');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('A whole number from 1 to 1000.').waitFor();
    await page.getByText('The end of the window must be after its start.').waitFor();
    expect(hashOf(page)).toBe('#/tasks');
    expect(await page.getByLabel('Per page').getAttribute('aria-invalid')).toBe('true');
    expect(watch.problems).toEqual([]);
    await page.context().close();
  });

  it('with a read key: no selection, bulk or New task, and a forced bulk action is refused', async () => {
    const page = await newPage(browser);
    const watch = await watchPage(page, [/status of 401/, /status of 403/]);
    await page.goto(`${server.url}/dashboard/#/tasks?name_prefix=alpha.`);
    await page.getByLabel('API key').fill(READ_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('scope').filter({ hasText: 'read key' }).waitFor();
    await expectRows(page, [...alpha].reverse());
    expect(await page.getByRole('checkbox', { name: /^Select/ }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /selected|all matching/ }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'New task' }).count()).toBe(0);
    expect(await seriousA11yViolations(page)).toEqual([]);

    const forced = await page.evaluate(
      async ([item, id]) => {
        const res = await fetch('../v1/api/bulk-task-action', {
          method: 'POST',
          headers: {
            authorization: `Bearer ${(globalThis as unknown as BrowserGlobals).sessionStorage.getItem(item)}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify({ action: 'delete', ids: [id] }),
        });
        return res.status;
      },
      [KEY_ITEM, ids.get('alpha.00')!] as const,
    );
    expect(forced).toBe(403);
    expect(await api.status(ids.get('alpha.00')!)).toBe('active');
    expect(watch.problems).toEqual([]);
    await page.context().close();
  });
});
