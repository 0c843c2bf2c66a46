import {
  formatFields,
  formatTable,
  isoFromMs,
  isoFromSeconds,
  truncate,
  zonedTime,
} from './format';

describe('formatTable', () => {
  it('aligns columns two spaces apart and leaves no trailing spaces', () => {
    const table = formatTable(
      ['ID', 'NAME', 'STATUS'],
      [
        ['1', 'reports.daily', 'active'],
        ['22', 'x', ''],
      ],
    );
    expect(table.split('\n')).toEqual([
      'ID  NAME           STATUS',
      '1   reports.daily  active',
      '22  x',
    ]);
  });

  it('prints the header alone for no rows, and fills missing cells', () => {
    expect(formatTable(['A', 'B'], [])).toBe('A  B');
    expect(formatTable(['A', 'B', 'C'], [['1']])).toBe('A  B  C\n1');
  });

  it('flattens line breaks and tabs inside a cell', () => {
    expect(formatTable(['ERROR', 'N'], [['a\nb\tc', '1']]).split('\n')[1]).toBe('a b c  1');
  });

  it('counts characters, not UTF-16 units', () => {
    expect(formatTable(['A', 'B'], [['é€😀', 'x']]).split('\n')).toEqual(['A    B', 'é€😀  x']);
  });
});

describe('formatFields', () => {
  it('aligns the names', () => {
    expect(
      formatFields([
        ['id', '1'],
        ['next run', '-'],
        ['data', ''],
      ]),
    ).toBe('id        1\nnext run  -\ndata');
  });
});

describe('times and truncation', () => {
  it('ISO in UTC without milliseconds, - for none', () => {
    expect(isoFromSeconds(1767252600)).toBe('2026-01-01T07:30:00Z');
    expect(isoFromMs(1767252600123)).toBe('2026-01-01T07:30:00Z');
    expect(isoFromSeconds(null)).toBe('-');
    expect(isoFromMs(undefined)).toBe('-');
  });

  it('wall-clock time in a zone, with its offset', () => {
    expect(zonedTime(1767252600_000, 'America/New_York')).toBe('2026-01-01 02:30:00 GMT-05:00');
    expect(zonedTime(1782891000_000, 'Europe/Berlin')).toBe('2026-07-01 09:30:00 GMT+02:00');
    expect(zonedTime(1767225600_000, 'UTC')).toBe('2026-01-01 00:00:00 GMT+00:00');
    expect(() => zonedTime(0, 'Mars/Olympus')).toThrow(RangeError);
  });

  it('truncate ends a cut text in …', () => {
    expect(truncate('abcdef', 6)).toBe('abcdef');
    expect(truncate('abcdefg', 6)).toBe('abcde…');
  });
});
