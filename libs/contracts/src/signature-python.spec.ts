import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signatureHeader } from './signature';

// The README's Python example must verify what the center signs; run it rather than trust it.
const root = join(__dirname, '..', '..', '..');
const script = join(root, 'docs', 'examples', 'verify_signature.py');
const hasPython = spawnSync('python3', ['--version']).status === 0;
const describeIfPython = hasPython ? describe : describe.skip;
if (!hasPython) {
  console.warn('signature-python.spec: skipped, python3 is not on PATH');
}

describeIfPython(
  `docs/examples/verify_signature.py${hasPython ? '' : ' (skipped: no python3)'}`,
  () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'tc-signature-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    const run = (secret: string, header: string, body: Uint8Array | string) => {
      const file = join(dir, 'body');
      writeFileSync(file, body);
      const result = spawnSync('python3', [script, secret, header, file], { encoding: 'utf8' });
      return { out: result.stdout.trim(), err: result.stderr.trim(), status: result.status };
    };
    const now = () => Math.floor(Date.now() / 1000);
    // Multi-byte UTF-8 and a newline, so a text-mode or re-encoded read would show.
    const body = '{"report":"sales","city":"Zürich","emoji":"🚀"}\n';

    it('prints ok for a header signatureHeader produced over the same body', () => {
      expect(run('whsec_a', signatureHeader(['whsec_a'], body, now()), body)).toEqual({
        out: 'ok',
        err: '',
        status: 0,
      });
    });

    it('prints ok for the old key while both keys sign (rotation)', () => {
      const header = signatureHeader(['whsec_new', 'whsec_old'], body, now());
      expect(run('whsec_old', header, body).out).toBe('ok');
    });

    it('prints ok for an empty body (a GET)', () => {
      expect(run('whsec_a', signatureHeader(['whsec_a'], '', now()), '').out).toBe('ok');
    });

    it('prints bad when one byte of the body changed', () => {
      const header = signatureHeader(['whsec_a'], body, now());
      const tampered = Buffer.from(body);
      tampered[0] = '['.charCodeAt(0);
      expect(run('whsec_a', header, tampered)).toEqual({
        out: 'bad',
        err: 'no signature matches',
        status: 1,
      });
    });

    it('prints bad for a wrong secret, a stale timestamp and a malformed header', () => {
      expect(run('whsec_b', signatureHeader(['whsec_a'], body, now()), body).out).toBe('bad');
      const stale = run('whsec_a', signatureHeader(['whsec_a'], body, now() - 3600), body);
      expect(stale.out).toBe('bad');
      expect(stale.err).toMatch(/^timestamp outside tolerance \(36\d\ds old, allowed 300s\)$/);
      expect(run('whsec_a', 't=abc,v1=00', body)).toMatchObject({
        out: 'bad',
        err: 'malformed tc-signature header',
      });
    });

    it('passes its own self-test', () => {
      const result = spawnSync('python3', [script], { encoding: 'utf8' });
      expect(result.stdout.trim()).toBe('self-test ok');
      expect(result.status).toBe(0);
    });
  },
);

// Checked with or without python3: the README must show the code these tests run.
describe("the README's Python snippet", () => {
  it("is the tested file's code, verbatim", () => {
    const readme = readFileSync(join(root, 'libs', 'client', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Verifying HTTP target requests'));
    const snippet = /```python\n([\s\S]*?)```/.exec(section)?.[1];
    expect(snippet).toContain('def verify_signature(');
    expect(readFileSync(script, 'utf8')).toContain(snippet);
  });
});
