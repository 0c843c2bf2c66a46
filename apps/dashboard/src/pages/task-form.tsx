import { type Session } from '../session';

/** Scaffold: replaced by the page's implementation. */
export function TaskFormPage(props: { session: Session; id?: string }) {
  void props;
  return (
    <section>
      <h1>TaskFormPage</h1>
    </section>
  );
}
