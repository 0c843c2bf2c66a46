import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signatureHeader } from '@task-center/contracts';
import { SIGNATURE_HEADER, signatureProblem, verifySignature } from '@task-center/client';

// The package entry is what users import; the center signs with the contracts' signatureHeader.
describe('@task-center/client verifySignature', () => {
  const secret = 'whsec_test';

  it('is exported from the package entry with the header name', () => {
    expect(SIGNATURE_HEADER).toBe('tc-signature');
    const headers = { 'TC-Signature': signatureHeader([secret], 'hi', 1764230400) };
    expect(verifySignature(secret, headers, 'hi', 300, 1764230400)).toBe(true);
    expect(signatureProblem('other', headers, 'hi', 300, 1764230400)).toBe('no signature matches');
  });

  describe('in a node:http server, as the README shows', () => {
    let server: Server;
    let url: string;
    const verdicts: (string | undefined)[] = [];

    beforeAll(async () => {
      server = createServer((req: IncomingMessage, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          const problem = signatureProblem(secret, req.headers, Buffer.concat(chunks));
          verdicts.push(problem);
          res.writeHead(problem === undefined ? 204 : 401).end();
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    });

    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const send = (body: string, header: string) =>
      fetch(url, { method: 'POST', body, headers: { [SIGNATURE_HEADER]: header } });

    it('accepts the signed raw body and rejects a changed one', async () => {
      const body = '{"invoice":42,"note":"naïve"}';
      const header = signatureHeader(['whsec_next', secret], body, Math.floor(Date.now() / 1000));
      expect((await send(body, header)).status).toBe(204);
      expect((await send(body.replace('42', '43'), header)).status).toBe(401);
      expect(verdicts).toEqual([undefined, 'no signature matches']);
    });
  });
});
