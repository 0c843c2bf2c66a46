import AxeBuilder from '@axe-core/playwright';
import { type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { APP_CONFIG, type AppConfig } from '../../apps/task-center/src/config';
import { ApiClient, createMany } from '../support/api-client';
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

const DESKTOP: BrowserContextOptions = {
  viewport: { width: 1280, height: 800 },
  timezoneId: 'UTC',
};
const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  isMobile: true,
  hasTouch: true,
  timezoneId: 'UTC',
};
const OVERVIEW_API = '/v1/api/overview';

/**
 * The Overview and Workers pages in Chromium against a real task center on the real stack: a
 * real SDK worker process succeeds for `ov.ok`, one-shots fire through the real dispatcher,
 * and an active crontab has a tag no worker handles. The replica writes its counts every
 * second (OVERVIEW_WRITE_S=1), so the page shows them within a refresh or two.
 */
describe('dashboard overview and workers in a real browser (real center, worker and stack)', () => {
  let browser: Browser;
  let server: DashboardServer;
  let worker: RunsWorkerProcess;

  beforeAll(async () => {
    browser = await launchBrowser();
    server = await startDashboardServer({
      OVERVIEW_WRITE_S: '1',
      RUNS_RESULTS_GROUP: uniqueName('dash-overview'),
    });
    const config = server.app.get<AppConfig>(APP_CONFIG);
    worker = await spawnReadyWorker(config.kafka.topics, { 'ov.ok': 1 }, 'dash-overview-worker');
    const api = new ApiClient(server.url);
    await createMany(api, [
      ...Array.from({ length: 3 }, () => ({ name: 'ov.ok', type: 1, data: '{}' })),
      { name: 'ov.orphan', type: 3, crontab: '0 0 3 * * *', data: '{}' },
    ]);
    await worker.waitForCalls('ov.ok', 3);
  }, 180_000);

  afterAll(async () => {
    await worker?.stop();
    await server?.stop();
    await browser?.close();
  });

  /** A page in a context of its own, watched for CSP violations and errors from the start. */
  async function open(
    options: BrowserContextOptions,
    before: (page: Page) => void = () => undefined,
  ): Promise<{ page: Page; watch: { problems: string[] } }> {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    const watch = await watchPage(page);
    before(page);
    await page.goto(`${server.url}/dashboard/`);
    return { page, watch };
  }

  /** The counts of one series, summed over the `<title>`s of a chart's columns. */
  async function summedTitles(page: Page, chart: string, label: string): Promise<number> {
    const titles = await page
      .getByRole('region', { name: chart })
      .locator('svg g > title')
      .allTextContents();
    expect(titles).toHaveLength(60);
    return titles.reduce((sum, t) => sum + Number(new RegExp(`(\\d+) ${label}`).exec(t)![1]), 0);
  }

  /** Waits (through the page's own auto-refresh) until the overview shows every count. */
  async function waitForCounts(page: Page): Promise<void> {
    const long = { timeout: 60_000 };
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    await page.getByRole('img', { name: /^Fires per minute.*: 3 fires in total/ }).waitFor(long);
    await page
      .getByRole('img', {
        name: /^Outcomes per minute.*: 3 succeeded, 0 failed, 0 timeout, 0 dead/,
      })
      .waitFor(long);
    await page.getByRole('region', { name: 'Tasks' }).getByText('1 active').waitFor(long);
    await page
      .getByRole('region', { name: 'Live workers' })
      .getByText('1', { exact: true })
      .waitFor(long);
    await page.getByRole('link', { name: 'ov.orphan' }).waitFor(long);
  }

  it('shows the counts, the charts, the orphan tag and the live worker', async () => {
    const { page, watch } = await open(DESKTOP);
    await waitForCounts(page);

    const tasks = page.getByRole('region', { name: 'Tasks' });
    expect(await tasks.textContent()).toContain('1 active · 0 paused · 3 completed · 0 deleted');
    expect(await tasks.textContent()).toContain('3 one-shot · 0 loop · 1 crontab');
    expect(await tasks.locator('.value').textContent()).toBe('4');
    const dead = page.getByRole('region', { name: 'Dead letters waiting' });
    expect(await dead.locator('.value').textContent()).toBe('0');
    expect(await dead.getByRole('link').getAttribute('href')).toBe('#/runs');
    const workers = page.getByRole('region', { name: 'Live workers' });
    expect(await workers.getByRole('link').getAttribute('href')).toBe('#/workers');
    expect(await page.getByRole('region', { name: /^Lateness/ }).textContent()).toMatch(
      /p50.*p90.*p99.*max.*over 3 fires/,
    );

    // Each minute's counts are the title of its column (a tooltip): they add up to the totals.
    expect(await summedTitles(page, 'Fires per minute', 'fires')).toBe(3);
    expect(await summedTitles(page, 'Outcomes per minute', 'succeeded')).toBe(3);
    expect(await summedTitles(page, 'Outcomes per minute', 'dead')).toBe(0);

    // The orphan crontab's tag is highlighted and leads to its tasks; ov.ok has a worker.
    const orphans = page.getByRole('region', { name: 'Tags without a live worker' });
    const orphan = orphans.getByRole('link', { name: 'ov.orphan' });
    expect(await orphan.getAttribute('href')).toBe('#/tasks?name=ov.orphan');
    expect(await orphan.evaluate((a) => a.closest('.warn') !== null)).toBe(true);
    expect(await orphans.getByRole('link').allTextContents()).toEqual(['ov.orphan']);
    expect(await page.getByTestId('updated-at').textContent()).toMatch(/Updated at \d\d:\d\d:\d\d/);

    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'overview');

    await page.getByRole('link', { name: 'Workers', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Workers' }).waitFor();
    const processes = page.getByRole('table', { name: 'Worker processes' });
    const row = processes.getByRole('row').filter({ hasText: String(worker.child.pid) });
    await row.waitFor();
    expect(await row.getByText('alive', { exact: true }).count()).toBe(1);
    expect(await row.textContent()).toContain('ov.ok');
    expect(await row.locator('time').textContent()).toMatch(/^(just now|\d+ s ago)$/);
    expect(await row.locator('time').getAttribute('title')).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/,
    );
    const perTag = page.getByRole('table', { name: 'Live workers per tag' });
    const tagRow = perTag.getByRole('row').filter({ hasText: 'ov.ok' });
    expect(await tagRow.getByRole('cell').nth(1).textContent()).toBe('1');
    expect(await tagRow.getByRole('link', { name: 'ov.ok' }).getAttribute('href')).toBe(
      '#/tasks?name=ov.ok',
    );
    expect(await perTag.textContent()).not.toContain('ov.orphan');

    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'workers');
    expect(watch.problems).toEqual([]);
    await page.context().close();
  }, 120_000);

  it('refreshes every 5 s by default, not at all when off, and again when switched back', async () => {
    const calls: number[] = [];
    const { page, watch } = await open(DESKTOP, (p) =>
      p.on('request', (r) => r.url().includes(OVERVIEW_API) && calls.push(Date.now())),
    );
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    const refresh = page.getByLabel('Auto-refresh');
    expect(await refresh.inputValue()).toBe('5');

    // Default 5 s: a second call comes on its own.
    await waitFor('an automatic refresh', () => calls.length >= 2, { timeoutMs: 12_000 });

    await refresh.selectOption({ label: 'Off' });
    await page.getByTestId('updated-at').filter({ hasText: 'auto-refresh off' }).waitFor();
    const whenOff = calls.length;
    // Absence over a span is the claim, so this one waits out the span (beyond a 5 s tick).
    await page.waitForTimeout(7_000);
    expect(calls.length).toBe(whenOff);

    // "Refresh now" still works while off.
    await page.getByRole('button', { name: 'Refresh now' }).click();
    await waitFor('the manual refresh', () => calls.length === whenOff + 1, { timeoutMs: 5_000 });

    // Back on: at once, then every 5 s.
    await refresh.selectOption({ label: '5 s' });
    const back = calls.length;
    await waitFor('the immediate refresh', () => calls.length >= back + 1, { timeoutMs: 3_000 });
    await waitFor('the next tick', () => calls.length >= back + 2, { timeoutMs: 8_000 });
    const gap = calls[back + 1]! - calls[back]!;
    expect(gap).toBeGreaterThan(4_000);
    expect(gap).toBeLessThan(7_000);

    expect(watch.problems).toEqual([]);
    await page.context().close();
  }, 60_000);

  it('says "counting…" until the server has its first snapshot', async () => {
    // The real answer, as a center that just started gives it: no snapshot yet.
    const { page, watch } = await open(DESKTOP, (p) => {
      void p.route(`**${OVERVIEW_API}*`, async (route) => {
        const answer = await route.fetch();
        const body = { ...(await answer.json()) };
        Object.assign(body, { tasks: null, dead_letters_waiting: null, tags_without_worker: null });
        await route.fulfill({ response: answer, json: body });
      });
    });
    await page.getByRole('img', { name: /^Fires per minute/ }).waitFor();
    for (const region of ['Tasks', 'Dead letters waiting', 'Tags without a live worker']) {
      expect(await page.getByRole('region', { name: region }).textContent()).toContain('counting…');
    }
    expect(await page.getByRole('link', { name: 'ov.orphan' }).count()).toBe(0);
    expect(watch.problems).toEqual([]);
    await page.context().close();
  }, 60_000);

  it('fits a phone', async () => {
    const { page, watch } = await open(PHONE);
    await waitForCounts(page);
    // Nothing of the page wider than the phone's screen; the charts are drawn at the width
    // they get. (The shell's header is not this page's: only <main> is checked.)
    const screenWidth = PHONE.viewport!.width;
    const tooWide = await page
      .locator('main *')
      .evaluateAll(
        (els, width) =>
          els
            .filter((el) => el.getBoundingClientRect().right > width)
            .map((el) => `${el.tagName.toLowerCase()}.${String(el.className)}`),
        screenWidth,
      );
    expect(tooWide).toEqual([]);
    for (const svg of await page.locator('.chart svg').all()) {
      const { drawn, shown } = await svg.evaluate((el) => ({
        drawn: Number(el.getAttribute('width')),
        shown: el.getBoundingClientRect().width,
      }));
      expect(Math.abs(drawn - shown)).toBeLessThanOrEqual(1);
    }
    await screenshot(page, 'overview-phone');
    const axe = await new AxeBuilder({ page })
      .include('main')
      .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
      .analyze();
    expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual(
      [],
    );
    expect(watch.problems).toEqual([]);
    await page.context().close();
  }, 90_000);
});
