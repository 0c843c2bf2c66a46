import { hrefOf } from '../lib/routes';

/** Rows per page of the Runs page's lists. */
export const PAGE_SIZE = 50;

export const taskHref = (id: string) => hrefOf({ page: 'task', id });
export const formatInstant = (ms: number) => new Date(ms).toLocaleString();

/** An instant in the viewer's zone, the UTC instant on hover. */
export function When(props: { ms: number | undefined }) {
  if (props.ms === undefined) return <span class="muted">–</span>;
  const iso = new Date(props.ms).toISOString();
  return (
    <time dateTime={iso} title={iso}>
      {formatInstant(props.ms)}
    </time>
  );
}

/** First / previous / next page of a list paged by cursors (hidden when there is one page). */
export function Pager(props: {
  atStart: boolean;
  next: string | undefined;
  onFirst: () => void;
  onPrevious: () => void;
  onNext: (cursor: string) => void;
}) {
  if (props.atStart && !props.next) return null;
  const next = props.next;
  return (
    <nav class="actions runs-pager" aria-label="Pages">
      <button type="button" disabled={props.atStart} onClick={props.onFirst}>
        First page
      </button>
      <button type="button" disabled={props.atStart} onClick={props.onPrevious}>
        Previous page
      </button>
      <button type="button" disabled={!next} onClick={() => next && props.onNext(next)}>
        Next page
      </button>
    </nav>
  );
}
