import { apiBaseOf, hrefOf, parseRoute, type Route } from './routes';

const ID = '6740a5f3c2d1e0b9a8f7e6d5';

describe('dashboard routes', () => {
  it('parses every page, with its id or query', () => {
    expect(parseRoute('')).toEqual({ page: 'overview' });
    expect(parseRoute('#/')).toEqual({ page: 'overview' });
    expect(parseRoute(`#/tasks/${ID}`)).toEqual({ page: 'task', id: ID });
    expect(parseRoute(`#/tasks/${ID}/edit`)).toEqual({ page: 'task-edit', id: ID });
    expect(parseRoute('#/tasks/new')).toEqual({ page: 'task-new' });
    expect(parseRoute('#/workers/')).toEqual({ page: 'workers' });
    const tasks = parseRoute('#/tasks?status=active&name_prefix=a%20b');
    expect(tasks.page).toBe('tasks');
    expect(tasks.page === 'tasks' && tasks.query.get('name_prefix')).toBe('a b');
    const runs = parseRoute('#/runs?state=dead');
    expect(runs.page === 'runs' && runs.query.get('state')).toBe('dead');
  });

  it('sends anything else to not-found instead of throwing', () => {
    for (const hash of [
      '#/nope',
      '#/tasks/xyz',
      `#/tasks/${ID}/run`,
      '#/tasks/new/x',
      '#/%E0%A4%A',
    ]) {
      expect(parseRoute(hash).page).toBe('not-found');
    }
  });

  it('formats a route back to the hash it was parsed from', () => {
    const routes: Route[] = [
      { page: 'overview' },
      { page: 'tasks', query: new URLSearchParams('status=active&sort=next_run_at') },
      { page: 'task', id: ID },
      { page: 'task-new' },
      { page: 'task-edit', id: ID },
      { page: 'runs', query: new URLSearchParams() },
      { page: 'workers' },
    ];
    for (const route of routes) {
      const again = parseRoute(hrefOf(route));
      expect(hrefOf(again)).toBe(hrefOf(route));
      expect(again.page).toBe(route.page);
    }
  });

  it('finds the API next to the dashboard, behind any path prefix', () => {
    expect(apiBaseOf({ origin: 'http://h:3000', pathname: '/dashboard/' })).toBe('http://h:3000');
    expect(apiBaseOf({ origin: 'https://x', pathname: '/ops/tc/dashboard/index.html' })).toBe(
      'https://x/ops/tc',
    );
    expect(apiBaseOf({ origin: 'http://h', pathname: '/' })).toBe('http://h');
  });
});
