import { type Session } from '../session';

/** Scaffold: replaced by the page's implementation. */
export function TaskPage(props: { session: Session; id: string }) {
  void props;
  return (
    <section>
      <h1>TaskPage</h1>
    </section>
  );
}
