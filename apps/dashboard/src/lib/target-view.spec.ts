import { requestLineOf, shownHeadersOf, type HttpTargetView } from './target-view';

const TARGET: HttpTargetView = {
  type: 'http',
  url: 'https://hooks.example.com/report?team=a',
  method: 'PUT',
  headers: { 'content-type': 'application/json', authorization: 'Bearer s3cr3t', 'x-api-key': 'k' },
  timeout_s: 30,
};

describe('target view', () => {
  it('shows the method and the URL', () => {
    expect(requestLineOf(TARGET)).toBe('PUT https://hooks.example.com/report?team=a');
  });

  it('shows header names with credential values masked', () => {
    const shown = shownHeadersOf(TARGET);
    expect(shown).toEqual([
      ['content-type', 'application/json'],
      ['authorization', '••••'],
      ['x-api-key', '••••'],
    ]);
    expect(JSON.stringify(shown)).not.toContain('s3cr3t');
    expect(shownHeadersOf({ ...TARGET, headers: {} })).toEqual([]);
  });
});
