import { createHmac } from 'node:crypto';
import { SIGNATURE_HEADER, signatureHeader, signatureProblem, verifySignature } from './signature';

const NOW = 1764230400;
const SECRET = 'whsec_new';
const OLD_SECRET = 'whsec_old';
const BODY = '{"report":"sales","note":"café"}\n';

describe('signatureHeader', () => {
  it('matches an HMAC-SHA256 of "<t>.<body>" computed by hand (a fixed vector)', () => {
    const expected = createHmac('sha256', 'test-secret')
      .update(Buffer.from('1700000000.hello world', 'utf8'))
      .digest('hex');
    expect(signatureHeader(['test-secret'], 'hello world', 1700000000)).toBe(
      `t=1700000000,v1=${expected}`,
    );
  });

  it('signs the UTF-8 bytes of a string body, the same as the bytes themselves', () => {
    const bytes = new Uint8Array(Buffer.from(BODY, 'utf8'));
    const byHand = createHmac('sha256', SECRET)
      .update(Buffer.concat([Buffer.from(`${NOW}.`), Buffer.from(BODY, 'utf8')]))
      .digest('hex');
    expect(signatureHeader([SECRET], BODY, NOW)).toBe(`t=${NOW},v1=${byHand}`);
    expect(signatureHeader([SECRET], bytes, NOW)).toBe(signatureHeader([SECRET], BODY, NOW));
  });

  it('writes one v1 per secret, in the order given (new key first)', () => {
    const header = signatureHeader([SECRET, OLD_SECRET], BODY, NOW);
    const [t, first, second, ...rest] = header.split(',');
    expect(t).toBe(`t=${NOW}`);
    expect(first).toBe(signatureHeader([SECRET], BODY, NOW).split(',')[1]);
    expect(second).toBe(signatureHeader([OLD_SECRET], BODY, NOW).split(',')[1]);
    expect(rest).toEqual([]);
  });

  it('signs an empty body (a GET) as "<t>."', () => {
    const expected = createHmac('sha256', SECRET).update(`${NOW}.`).digest('hex');
    expect(signatureHeader([SECRET], '', NOW)).toBe(`t=${NOW},v1=${expected}`);
  });

  it.each([1.5, -1, Number.NaN])('refuses a timestamp that is not whole seconds (%p)', (t) => {
    expect(() => signatureHeader([SECRET], BODY, t)).toThrow(RangeError);
  });
});

describe('verifySignature / signatureProblem', () => {
  const signed = (body: string | Uint8Array = BODY, t = NOW, secrets = [SECRET]) => ({
    [SIGNATURE_HEADER]: signatureHeader(secrets, body, t),
  });

  it('verifies what signatureHeader signed (round trip)', () => {
    expect(verifySignature(SECRET, signed(), BODY, 300, NOW)).toBe(true);
    expect(signatureProblem(SECRET, signed(), BODY, 300, NOW)).toBeUndefined();
  });

  it('verifies a raw Buffer body against a string-signed header', () => {
    expect(verifySignature(SECRET, signed(), Buffer.from(BODY), 300, NOW)).toBe(true);
  });

  it('verifies an empty body', () => {
    expect(verifySignature(SECRET, signed(''), '', 300, NOW)).toBe(true);
  });

  it('defaults to now and a 300 s tolerance', () => {
    const now = Math.floor(Date.now() / 1000);
    expect(verifySignature(SECRET, signed(BODY, now), BODY)).toBe(true);
    expect(verifySignature(SECRET, signed(BODY, now - 301), BODY)).toBe(false);
  });

  describe('rotation', () => {
    const both = signed(BODY, NOW, [SECRET, OLD_SECRET]);

    it('accepts a header signed with new and old keys, whichever key the receiver has', () => {
      expect(verifySignature(SECRET, both, BODY, 300, NOW)).toBe(true);
      expect(verifySignature(OLD_SECRET, both, BODY, 300, NOW)).toBe(true);
      expect(verifySignature([OLD_SECRET], both, BODY, 300, NOW)).toBe(true);
    });

    it('accepts a receiver holding several secrets when any one matches', () => {
      const onlyOld = signed(BODY, NOW, [OLD_SECRET]);
      expect(verifySignature(['unrelated', OLD_SECRET], onlyOld, BODY, 300, NOW)).toBe(true);
      expect(verifySignature([SECRET, 'unrelated'], onlyOld, BODY, 300, NOW)).toBe(false);
    });

    it('rejects when the receiver has no secret at all', () => {
      expect(signatureProblem([], both, BODY, 300, NOW)).toBe('no signature matches');
    });
  });

  it('rejects a wrong secret', () => {
    expect(verifySignature('whsec_other', signed(), BODY, 300, NOW)).toBe(false);
    expect(signatureProblem('whsec_other', signed(), BODY, 300, NOW)).toBe('no signature matches');
  });

  it('rejects a body with one byte changed', () => {
    const tampered = Buffer.from(BODY);
    tampered[3] = (tampered[3] ?? 0) ^ 0x01;
    expect(verifySignature(SECRET, signed(), tampered, 300, NOW)).toBe(false);
    expect(verifySignature(SECRET, signed(), `${BODY} `, 300, NOW)).toBe(false);
  });

  it('rejects a timestamp changed after signing (t is part of the signed payload)', () => {
    const header = signed()[SIGNATURE_HEADER].replace(`t=${NOW}`, `t=${NOW + 1}`);
    expect(signatureProblem(SECRET, { [SIGNATURE_HEADER]: header }, BODY, 300, NOW)).toBe(
      'no signature matches',
    );
  });

  describe('timestamp tolerance', () => {
    it.each([
      ['300 s old', NOW - 300, true],
      ['300 s ahead', NOW + 300, true],
      ['301 s old (stale: a replay)', NOW - 301, false],
      ['301 s ahead (from the future)', NOW + 301, false],
    ])('%s → %p', (_label, t, ok) => {
      expect(verifySignature(SECRET, signed(BODY, t), BODY, 300, NOW)).toBe(ok);
    });

    it('says how far off a stale or future timestamp is', () => {
      expect(signatureProblem(SECRET, signed(BODY, NOW - 900), BODY, 300, NOW)).toBe(
        'timestamp outside tolerance (900s old, allowed 300s)',
      );
      expect(signatureProblem(SECRET, signed(BODY, NOW + 60), BODY, 30, NOW)).toBe(
        'timestamp outside tolerance (60s in the future, allowed 30s)',
      );
    });
  });

  describe('finding the header', () => {
    const value = signatureHeader([SECRET], BODY, NOW);

    it.each(['tc-signature', 'TC-Signature', 'TC-SIGNATURE'])(
      'in a plain object under any casing (%s)',
      (name) => {
        expect(verifySignature(SECRET, { [name]: value }, BODY, 300, NOW)).toBe(true);
      },
    );

    it('as an array (a repeated header), the parts read as one list', () => {
      const [t, v1] = value.split(',');
      const other = signatureHeader(['x'], BODY, NOW).split(',')[1];
      expect(verifySignature(SECRET, { [SIGNATURE_HEADER]: [value] }, BODY, 300, NOW)).toBe(true);
      expect(
        verifySignature(SECRET, { [SIGNATURE_HEADER]: [`${t},${other}`, v1!] }, BODY, 300, NOW),
      ).toBe(true);
    });

    it('as Node joins a repeated header (", ")', () => {
      const spaced = value.split(',').join(', ');
      expect(verifySignature(SECRET, { [SIGNATURE_HEADER]: spaced }, BODY, 300, NOW)).toBe(true);
    });

    it('through a fetch Headers (.get)', () => {
      const headers = new Headers({ 'Content-Type': 'text/plain', 'TC-Signature': value });
      expect(verifySignature(SECRET, headers, BODY, 300, NOW)).toBe(true);
      expect(verifySignature(SECRET, new Headers(), BODY, 300, NOW)).toBe(false);
    });

    it.each([
      ['absent', {}],
      ['undefined', { [SIGNATURE_HEADER]: undefined }],
      ['empty', { [SIGNATURE_HEADER]: '' }],
      ['an empty array', { [SIGNATURE_HEADER]: [] }],
    ])('reports a missing header when it is %s', (_label, headers) => {
      expect(signatureProblem(SECRET, headers, BODY, 300, NOW)).toBe('missing tc-signature header');
      expect(verifySignature(SECRET, headers, BODY, 300, NOW)).toBe(false);
    });
  });

  describe('malformed headers are false, never a throw', () => {
    const v1 = signatureHeader([SECRET], BODY, NOW).split(',')[1]!;

    it.each([
      ['t=abc', `t=abc,${v1}`],
      ['a negative t', `t=-${NOW},${v1}`],
      ['a fractional t', `t=${NOW}.5,${v1}`],
      ['a t too large to be exact', `t=99999999999999999999,${v1}`],
      ['no t', v1],
      ['no v1', `t=${NOW}`],
      ['only an unknown scheme', `t=${NOW},v0=${v1.slice(3)}`],
      ['a v1 that is not 64 hex digits', `t=${NOW},v1=abc`],
      ['a v1 with non-hex digits', `t=${NOW},v1=${'z'.repeat(64)}`],
      ['two different timestamps', `t=${NOW},t=${NOW - 1},${v1}`],
      ['a part without "="', `t=${NOW},${v1},junk`],
      ['an empty part', `t=${NOW},,${v1}`],
      ['commas only', ',,,'],
      ['garbage', 'not a signature'],
    ])('%s', (_label, header) => {
      const headers = { [SIGNATURE_HEADER]: header };
      expect(signatureProblem(SECRET, headers, BODY, 300, NOW)).toBe(
        'malformed tc-signature header',
      );
      expect(verifySignature(SECRET, headers, BODY, 300, NOW)).toBe(false);
    });

    it('ignores an unknown scheme next to a valid v1 (a future v2 does not break receivers)', () => {
      const header = `t=${NOW},v2=whatever,${v1}`;
      expect(verifySignature(SECRET, { [SIGNATURE_HEADER]: header }, BODY, 300, NOW)).toBe(true);
    });

    it('accepts an upper-case hex v1 (the bytes are what count)', () => {
      const header = `t=${NOW},${v1.toUpperCase().replace('V1=', 'v1=')}`;
      expect(verifySignature(SECRET, { [SIGNATURE_HEADER]: header }, BODY, 300, NOW)).toBe(true);
    });
  });

  it('names a body that was parsed before verifying (plain JavaScript callers)', () => {
    const parsed = JSON.parse(BODY) as unknown as string;
    expect(signatureProblem(SECRET, signed(), parsed, 300, NOW)).toMatch(/raw body/);
    expect(verifySignature(SECRET, signed(), parsed, 300, NOW)).toBe(false);
  });
});
