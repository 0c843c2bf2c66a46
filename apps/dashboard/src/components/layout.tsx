import { type ComponentChildren } from 'preact';
import { type Route } from '../lib/routes';
import { type Session } from '../session';

const NAV: { page: Route['page']; href: string; label: string; also?: Route['page'][] }[] = [
  { page: 'overview', href: '#/', label: 'Overview' },
  { page: 'tasks', href: '#/tasks', label: 'Tasks', also: ['task', 'task-new', 'task-edit'] },
  { page: 'runs', href: '#/runs', label: 'Runs' },
  { page: 'workers', href: '#/workers', label: 'Workers' },
];

/** Header with the navigation, the auth state, and the page. */
export function Layout(props: { session: Session; route: Route; children: ComponentChildren }) {
  const { session, route } = props;
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      {!session.whoami.auth_required && (
        <div class="banner warn" role="status" data-testid="no-auth-banner">
          No authentication: API_KEYS is not set, so anyone who can reach this server can use it.
        </div>
      )}
      <header class="top">
        <span class="brand">Task Center</span>
        <nav aria-label="Main">
          <ul>
            {NAV.map((item) => {
              const current = item.page === route.page || item.also?.includes(route.page);
              return (
                <li key={item.href}>
                  <a href={item.href} aria-current={current ? 'page' : undefined}>
                    {item.label}
                  </a>
                </li>
              );
            })}
          </ul>
        </nav>
        <span class="who">
          <span class="scope" data-testid="scope">
            {session.whoami.auth_required ? `${session.whoami.scope} key` : 'open'}
          </span>
          {session.whoami.auth_required && (
            <button type="button" class="link" onClick={session.signOut}>
              Sign out
            </button>
          )}
        </span>
      </header>
      <main id="main">{props.children}</main>
    </>
  );
}
