/** The dashboard's pages, addressed by the URL's hash (`#/tasks?status=active`). */
export type Route =
  | { page: 'overview' }
  | { page: 'tasks'; query: URLSearchParams }
  | { page: 'task'; id: string }
  | { page: 'task-new' }
  | { page: 'task-edit'; id: string }
  | { page: 'runs'; query: URLSearchParams }
  | { page: 'workers' }
  | { page: 'not-found'; path: string };

const TASK_ID = /^[0-9a-fA-F]{24}$/;

/** `#/tasks/6740…?x=1` → the route; anything unknown is `not-found` (never throws). */
export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/';
  const q = raw.indexOf('?');
  const path = (q === -1 ? raw : raw.slice(0, q)).replace(/\/+$/, '') || '/';
  const query = new URLSearchParams(q === -1 ? '' : raw.slice(q + 1));
  let parts: string[];
  try {
    parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return { page: 'not-found', path };
  }
  const [first, second, third] = parts;
  if (parts.length === 0) return { page: 'overview' };
  if (first === 'tasks' && parts.length === 1) return { page: 'tasks', query };
  if (first === 'tasks' && second === 'new' && parts.length === 2) return { page: 'task-new' };
  if (first === 'tasks' && second && TASK_ID.test(second)) {
    if (parts.length === 2) return { page: 'task', id: second };
    if (third === 'edit' && parts.length === 3) return { page: 'task-edit', id: second };
  }
  if (first === 'runs' && parts.length === 1) return { page: 'runs', query };
  if (first === 'workers' && parts.length === 1) return { page: 'workers' };
  return { page: 'not-found', path };
}

/** The hash of a route (`#/…`), the inverse of {@link parseRoute}. */
export function hrefOf(route: Route): string {
  const withQuery = (path: string, query: URLSearchParams) => {
    const search = query.toString();
    return `#${path}${search ? `?${search}` : ''}`;
  };
  switch (route.page) {
    case 'overview':
      return '#/';
    case 'tasks':
      return withQuery('/tasks', route.query);
    case 'task':
      return `#/tasks/${route.id}`;
    case 'task-new':
      return '#/tasks/new';
    case 'task-edit':
      return `#/tasks/${route.id}/edit`;
    case 'runs':
      return withQuery('/runs', route.query);
    case 'workers':
      return '#/workers';
    case 'not-found':
      return `#${route.path}`;
  }
}

/**
 * Where the API is, from where the page is: the dashboard is served at `<prefix>/dashboard/`
 * and the API at `<prefix>/v1/api`, so this works behind any path prefix.
 */
export function apiBaseOf(location: { origin: string; pathname: string }): string {
  const at = location.pathname.lastIndexOf('/dashboard');
  const prefix = at === -1 ? '' : location.pathname.slice(0, at);
  return `${location.origin}${prefix}`;
}
