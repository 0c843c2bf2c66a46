import { type Session } from '../session';

/** Scaffold: replaced by the page's implementation. */
export function OverviewPage(props: { session: Session }) {
  void props;
  return (
    <section>
      <h1>OverviewPage</h1>
    </section>
  );
}
