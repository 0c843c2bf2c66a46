import {
  bulkFilterOf,
  describeBulkFilter,
  formOfQuery,
  localInputToUnix,
  queryOfForm,
  searchFiltersOf,
  searchKeyOf,
  type TaskFilterForm,
  unixToLocalInput,
  withQuery,
} from './task-filters';

const blank: TaskFilterForm = {
  nameMode: 'prefix',
  name: '',
  statuses: [],
  type: '',
  from: '',
  to: '',
  sort: 'created_at',
  limit: '50',
};
const q = (text: string) => new URLSearchParams(text);

describe('local date-times ↔ unix seconds', () => {
  it('reads a datetime-local value as the wall time of this zone', () => {
    expect(localInputToUnix('2026-03-01T14:30')).toBe(
      new Date(2026, 2, 1, 14, 30).getTime() / 1000,
    );
    expect(localInputToUnix('2026-03-01T14:30:15')).toBe(
      new Date(2026, 2, 1, 14, 30, 15).getTime() / 1000,
    );
  });

  it('refuses what is not a date-time or not in the calendar', () => {
    expect(localInputToUnix('')).toBeUndefined();
    expect(localInputToUnix('2026-03-01')).toBeUndefined();
    expect(localInputToUnix('2026-02-30T10:00')).toBeUndefined();
    expect(localInputToUnix('tomorrow')).toBeUndefined();
  });

  it('round-trips through the input format', () => {
    for (const text of ['2026-01-31T00:00', '2026-07-04T23:59', '2026-12-01T08:05:09']) {
      expect(unixToLocalInput(localInputToUnix(text)!)).toBe(text);
    }
  });
});

describe('the form → the URL', () => {
  it('leaves the defaults out: the plain list is an empty query', () => {
    expect(queryOfForm(blank)).toEqual({ query: q('') });
  });

  it('writes every filter as the API takes it (window in unix seconds)', () => {
    const result = queryOfForm({
      nameMode: 'prefix',
      name: ' reports. ',
      statuses: ['paused', 'active'],
      type: '2',
      from: '2026-03-01T00:00',
      to: '2026-03-02T00:00',
      sort: 'next_run_at',
      limit: '10',
    });
    expect('query' in result && Object.fromEntries(result.query)).toEqual({
      name_prefix: 'reports.',
      status: 'active,paused',
      type: '2',
      next_run_after: String(localInputToUnix('2026-03-01T00:00')),
      next_run_before: String(localInputToUnix('2026-03-02T00:00')),
      sort: 'next_run_at',
      limit: '10',
    });
  });

  it('an exact name goes to name=', () => {
    const result = queryOfForm({ ...blank, nameMode: 'exact', name: 'billing' });
    expect('query' in result && result.query.toString()).toBe('name=billing');
  });

  it('names every bad field', () => {
    expect(
      queryOfForm({
        ...blank,
        name: '-x',
        from: '2026-03-02T00:00',
        to: '2026-03-01T00:00',
        limit: '0',
      }),
    ).toEqual({
      problems: {
        name: expect.stringContaining('starts with a letter or digit') as string,
        to: 'The end of the window must be after its start.',
        limit: 'A whole number from 1 to 1000.',
      },
    });
    expect(queryOfForm({ ...blank, limit: '1001' })).toHaveProperty('problems.limit');
    expect(queryOfForm({ ...blank, limit: '2.5' })).toHaveProperty('problems.limit');
    expect(queryOfForm({ ...blank, from: '2026-02-30T00:00' })).toHaveProperty('problems.from');
  });

  it('the URL → the form → the URL is the same query', () => {
    const text =
      'name_prefix=a.&status=active,completed&type=3&next_run_after=1772323200&next_run_before=1772409600&sort=next_run_at&limit=7';
    const result = queryOfForm(formOfQuery(q(text)));
    expect('query' in result && result.query.toString()).toBe(q(text).toString());
  });

  it('the form from a query ignores values it does not know', () => {
    expect(formOfQuery(q('status=active,bogus&type=9&sort=x'))).toEqual({
      ...blank,
      statuses: ['active'],
    });
    expect(formOfQuery(q('name=billing')).nameMode).toBe('exact');
  });
});

describe('the URL → the client', () => {
  it('types the numbers, splits the statuses, counts on the first page only', () => {
    expect(searchFiltersOf(q('name_prefix=a.&status=active,paused&type=2&limit=5'))).toEqual({
      name_prefix: 'a.',
      status: ['active', 'paused'],
      type: 2,
      limit: 5,
      count: true,
    });
    expect(searchFiltersOf(q('sort=next_run_at&cursor=abc'))).toEqual({
      sort: 'next_run_at',
      cursor: 'abc',
    });
  });

  it('passes a bad value on for the server to explain', () => {
    expect(searchFiltersOf(q('limit=lots&name=a&name_prefix=b'))).toMatchObject({
      limit: 'lots',
      name: 'a',
      name_prefix: 'b',
    });
  });

  it('changes one key, keeps the order, and keys a search without its page', () => {
    const base = q('cursor=c1&status=paused&name_prefix=a');
    expect(withQuery(base, { cursor: 'c2' }).toString()).toBe(
      'name_prefix=a&status=paused&cursor=c2',
    );
    expect(withQuery(base, { cursor: undefined }).toString()).toBe('name_prefix=a&status=paused');
    expect(searchKeyOf(base)).toBe(searchKeyOf(q('name_prefix=a&status=paused&cursor=zz')));
  });
});

describe('apply to all matching', () => {
  it('sends the statuses both the search and the action allow', () => {
    expect(bulkFilterOf(q('name_prefix=a.&type=1'), 'pause')).toEqual({
      filter: { status: ['active'], name_prefix: 'a.', type: 1 },
    });
    expect(bulkFilterOf(q('status=active,completed'), 'delete')).toEqual({
      filter: { status: ['active', 'completed'] },
    });
    expect(bulkFilterOf(q(''), 'delete')).toEqual({
      filter: { status: ['active', 'paused', 'completed'] },
    });
  });

  it('says why there is none', () => {
    expect(bulkFilterOf(q('status=paused'), 'pause')).toEqual({
      reason: 'No task with the statuses searched can be paused.',
    });
    expect(bulkFilterOf(q('next_run_after=1'), 'delete')).toHaveProperty('reason');
  });

  it('describes the filter in words', () => {
    expect(describeBulkFilter({ status: ['active'], name_prefix: 'a.', type: 2 })).toBe(
      'active tasks whose name starts with "a." of type loop',
    );
    expect(describeBulkFilter({ status: ['active', 'paused', 'completed'], name: 'x' })).toBe(
      'all live tasks named "x"',
    );
  });
});
