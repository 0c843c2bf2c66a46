import { normalizeTargetHeaders } from './target-headers';

describe('normalizeTargetHeaders', () => {
  it('lower-cases names and keeps values as sent', () => {
    expect(
      normalizeTargetHeaders({ 'Content-Type': 'application/json', 'X-Team': ' a\tb ' }),
    ).toEqual({ ok: true, headers: { 'content-type': 'application/json', 'x-team': ' a\tb ' } });
  });

  it.each([
    [{ Host: 'evil' }, 'target.headers must not set host: the connection owns it'],
    [{ 'Transfer-Encoding': 'chunked' }, 'target.headers must not set transfer-encoding'],
    [{ Connection: 'close' }, 'target.headers must not set connection'],
    [{ 'tc-signature': 'x' }, 'target.headers must not set tc-signature: the task center sets it'],
    [{ 'Idempotency-Key': 'x' }, 'target.headers must not set idempotency-key'],
    [{ 'bad name': 'x' }, 'target.headers name "bad name" is not a valid HTTP header name'],
    [{ 'x-a': 'one\r\nx-b: two' }, 'target.headers x-a must not contain control characters'],
    [{ 'x-a': 5 }, 'target.headers x-a must be a string'],
    [{ 'X-A': '1', 'x-a': '2' }, 'target.headers sets x-a twice'],
  ])('refuses %j', (headers, problem) => {
    const result = normalizeTargetHeaders(headers);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problem).toContain(problem);
  });

  it('bounds the count and the size', () => {
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`x-${i}`, 'v']));
    expect(normalizeTargetHeaders(many)).toEqual({
      ok: false,
      problem: 'target.headers has 51 headers; at most 50',
    });
    const big = normalizeTargetHeaders({ 'x-big': 'v'.repeat(9000) });
    expect(!big.ok && big.problem).toMatch(/^target.headers are 9005 bytes; at most 8192$/);
  });
});
