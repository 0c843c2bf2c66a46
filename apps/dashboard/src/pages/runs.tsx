import { type Session } from '../session';

/** Scaffold: replaced by the page's implementation. */
export function RunsPage(props: { session: Session; query: URLSearchParams }) {
  void props;
  return (
    <section>
      <h1>RunsPage</h1>
    </section>
  );
}
