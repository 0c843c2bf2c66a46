import { headerLinesOf, parseHeaderLine, parseHeaderLines, shownHeaderValue } from './header-lines';

describe('header lines', () => {
  it('reads Name: value lines into lower-cased names, skipping blank lines', () => {
    expect(
      parseHeaderLines([
        'Content-Type: application/json',
        '',
        '  X-Team :  reports  ',
        'Authorization: Bearer a:b:c',
        'X-Empty:',
      ]),
    ).toEqual({
      headers: {
        'content-type': 'application/json',
        'x-team': 'reports',
        authorization: 'Bearer a:b:c',
        'x-empty': '',
      },
      problems: [],
    });
  });

  it('names each bad line and keeps the good ones', () => {
    const parsed = parseHeaderLines([
      'X-Ok: 1',
      'no colon here',
      ': value',
      'Bad Name: x',
      'x-ok: again',
    ]);
    expect(parsed.headers).toEqual({ 'x-ok': '1' });
    expect(parsed.problems).toEqual([
      'line 2: expected "Name: value"',
      'line 3: the header name is missing before ":"',
      expect.stringMatching(/^line 4: "Bad Name" is not a header name/),
      'line 5: x-ok is given twice',
    ]);
  });

  it("parses one line on its own (the CLI's --header)", () => {
    expect(parseHeaderLine(' X-A : b: c ')).toEqual({ name: 'x-a', value: 'b: c' });
    expect(parseHeaderLine('nothing')).toEqual({ problem: 'expected "Name: value"' });
  });

  it('writes headers back as lines that parse to the same object', () => {
    const headers = { 'content-type': 'text/plain', 'x-a': 'b: c' };
    expect(headerLinesOf(headers)).toEqual(['content-type: text/plain', 'x-a: b: c']);
    expect(parseHeaderLines(headerLinesOf(headers)).headers).toEqual(headers);
    expect(headerLinesOf(undefined)).toEqual([]);
  });

  it('masks the values of credential headers only', () => {
    expect(shownHeaderValue('authorization', 'Bearer x')).toBe('••••');
    expect(shownHeaderValue('x-api-key', 'k')).toBe('••••');
    expect(shownHeaderValue('Proxy-Token', 'k')).toBe('••••');
    expect(shownHeaderValue('content-type', 'application/json')).toBe('application/json');
  });
});
