import { type Session } from '../session';

/** Scaffold: replaced by the page's implementation. */
export function TasksPage(props: { session: Session; query: URLSearchParams }) {
  void props;
  return (
    <section>
      <h1>TasksPage</h1>
    </section>
  );
}
