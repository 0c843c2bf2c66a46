import { createHmac } from 'node:crypto';
import { type HttpTarget } from '@task-center/contracts';
import { parseRetryAfter, responseOutcome, targetRequest } from './http-request';

const fire = {
  messageId: '0123456789abcdef01234567:1764230400000:2',
  taskId: '0123456789abcdef01234567',
  tag: 'reports.nightly',
  scheduledAt: 1_764_230_400_000,
  attempt: 2,
  data: '{"report":"daily","ü":1}',
};
const target: HttpTarget = {
  type: 'http',
  url: 'https://hooks.example.com/run?x=1',
  method: 'POST',
  headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
  timeoutS: 10,
};
const settings = {
  secrets: ['new-secret-0123456789'],
  userAgent: 'task-center/0.1.0',
  nowMs: 1_764_230_401_500,
};

describe('targetRequest', () => {
  it("sends the data as the body with the fire's identity, signed", () => {
    const req = targetRequest(fire, target, settings);
    expect(req).toMatchObject({ url: target.url, method: 'POST', body: fire.data });
    expect(req.headers).toEqual({
      authorization: 'Bearer t',
      'content-type': 'application/json',
      'user-agent': 'task-center/0.1.0',
      'idempotency-key': fire.messageId,
      'tc-message-id': fire.messageId,
      'tc-task-id': fire.taskId,
      'tc-tag': 'reports.nightly',
      'tc-scheduled-at': '1764230400000',
      'tc-attempt': '2',
      'tc-signature': `t=1764230401,v1=${createHmac('sha256', 'new-secret-0123456789')
        .update(`1764230401.${fire.data}`, 'utf8')
        .digest('hex')}`,
    });
  });

  it('defaults content-type to octet-stream, signs once per secret, none without secrets', () => {
    const plain = targetRequest(fire, { ...target, headers: {} }, { ...settings, secrets: [] });
    expect(plain.headers['content-type']).toBe('application/octet-stream');
    expect(plain.headers).not.toHaveProperty('tc-signature');
    const rotated = targetRequest(fire, target, {
      ...settings,
      secrets: ['a'.repeat(16), 'b'.repeat(16)],
    });
    expect(rotated.headers['tc-signature']!.match(/v1=/g)).toHaveLength(2);
  });

  it('sends a GET with empty data without a body or content-type', () => {
    const req = targetRequest(
      { ...fire, data: '' },
      { ...target, method: 'GET', headers: {} },
      settings,
    );
    expect(req.body).toBeUndefined();
    expect(req.headers).not.toHaveProperty('content-type');
  });
});

describe('responseOutcome', () => {
  const now = Date.parse('2026-11-27T12:00:00Z');

  it('succeeds on every 2xx only', () => {
    for (const status of [200, 201, 204, 299])
      expect(responseOutcome(status, {}, '', now)).toEqual({ ok: true });
    expect(responseOutcome(199, {}, '', now).ok).toBe(false);
  });

  it('fails with the status, its reason and the start of the body', () => {
    expect(responseOutcome(500, {}, 'db down', now)).toEqual({
      ok: false,
      error: 'HTTP 500 Internal Server Error: db down',
    });
    expect(responseOutcome(418, {}, '', now)).toEqual({ ok: false, error: 'HTTP 418' });
  });

  it('says a redirect is not followed, and where it pointed', () => {
    expect(responseOutcome(302, { location: 'https://elsewhere/' }, '', now)).toEqual({
      ok: false,
      error: 'HTTP 302 Found: redirects are not followed (location: https://elsewhere/)',
    });
  });

  it('honours Retry-After on 429 and 503 only', () => {
    expect(responseOutcome(429, { 'retry-after': '3' }, '', now)).toEqual({
      ok: false,
      error: 'HTTP 429 Too Many Requests (retry after 3 s)',
      retryAfterMs: 3000,
    });
    expect(
      responseOutcome(503, { 'retry-after': 'Fri, 27 Nov 2026 12:01:00 GMT' }, 'busy', now),
    ).toMatchObject({ retryAfterMs: 60_000 });
    expect(responseOutcome(500, { 'retry-after': '3' }, '', now)).not.toHaveProperty(
      'retryAfterMs',
    );
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-27T12:00:00Z');
  it.each([
    ['0', 0],
    [' 120 ', 120_000],
    ['Fri, 27 Nov 2026 11:59:00 GMT', 0],
    ['soon', undefined],
    ['-5', undefined],
    ['1.5', undefined],
    ['2026-11-27', undefined],
  ])('%j → %p', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});
