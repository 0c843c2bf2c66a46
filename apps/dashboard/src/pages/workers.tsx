import { type Session } from '../session';

/** Scaffold: replaced by the page's implementation. */
export function WorkersPage(props: { session: Session }) {
  void props;
  return (
    <section>
      <h1>WorkersPage</h1>
    </section>
  );
}
