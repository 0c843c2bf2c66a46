import { TaskCenterApiError } from '@task-center/client/errors';
import { useEffect, useState } from 'preact/hooks';
import { Layout } from './components/layout';
import { ErrorBox, Loading } from './components/feedback';
import { useRoute } from './hooks';
import { LoginPage } from './pages/login';
import { OverviewPage } from './pages/overview';
import { RunsPage } from './pages/runs';
import { TaskFormPage } from './pages/task-form';
import { TaskPage } from './pages/task';
import { TasksPage } from './pages/tasks';
import { WorkersPage } from './pages/workers';
import { clientFor, forgetKey, type Session, sessionOf, storedKey, storeKey } from './session';

type Auth =
  | { state: 'checking' }
  | { state: 'login'; reason?: string }
  | { state: 'failed'; error: Error }
  | { state: 'in'; session: Session };

const unauthorized = (err: unknown) => err instanceof TaskCenterApiError && err.status === 401;

/** Asks the server who we are (with the key of this tab, if any), then shows the pages. */
export function App() {
  const [auth, setAuth] = useState<Auth>({ state: 'checking' });
  const route = useRoute();

  const signOut = () => {
    forgetKey();
    setAuth({ state: 'login' });
  };

  /** Null when the key works (it is then kept), '' when a key is needed, else why it failed. */
  const tryKey = async (key: string | undefined): Promise<string | null> => {
    const api = clientFor(key);
    try {
      const whoami = await api.whoami();
      if (key !== undefined) storeKey(key);
      setAuth({ state: 'in', session: sessionOf(api, whoami, signOut) });
      return null;
    } catch (err) {
      if (!unauthorized(err)) throw err;
      forgetKey();
      return key === undefined ? '' : 'This key is not accepted by the server.';
    }
  };

  useEffect(() => {
    void tryKey(storedKey()).then(
      (problem) => {
        if (problem !== null) setAuth({ state: 'login', ...(problem && { reason: problem }) });
      },
      (error: unknown) => setAuth({ state: 'failed', error: error as Error }),
    );
  }, []);

  if (auth.state === 'checking') return <Loading what="the task center" />;
  if (auth.state === 'failed') {
    return (
      <main id="main">
        <ErrorBox error={auth.error} retry={() => window.location.reload()} />
      </main>
    );
  }
  if (auth.state === 'login') {
    return (
      <LoginPage reason={auth.reason} onKey={(key) => tryKey(key).catch((e: Error) => e.message)} />
    );
  }
  const { session } = auth;
  return (
    <Layout session={session} route={route}>
      {route.page === 'overview' && <OverviewPage session={session} />}
      {route.page === 'tasks' && <TasksPage session={session} query={route.query} />}
      {route.page === 'task' && <TaskPage session={session} id={route.id} />}
      {route.page === 'task-new' && <TaskFormPage session={session} />}
      {route.page === 'task-edit' && <TaskFormPage session={session} id={route.id} />}
      {route.page === 'runs' && <RunsPage session={session} query={route.query} />}
      {route.page === 'workers' && <WorkersPage session={session} />}
      {route.page === 'not-found' && (
        <section>
          <h1>Not found</h1>
          <p>
            Nothing at <code>{route.path}</code>. <a href="#/">Back to the overview</a>.
          </p>
        </section>
      )}
    </Layout>
  );
}
