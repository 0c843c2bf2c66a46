import type * as dns from 'node:dns';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Agent, request } from 'undici';
import { parseTargetPolicy, type TargetPolicy } from './address-policy';
import {
  describeRequestError,
  guardedAgent,
  guardedLookup,
  RefusedAddressError,
} from './guarded-agent';

function policy(allow: string[] = []): TargetPolicy {
  const parsed = parseTargetPolicy(allow, false);
  if ('problem' in parsed) throw new Error(parsed.problem);
  return parsed;
}

interface Counted {
  server: Server;
  port: number;
  connections: number;
  requests: number;
}

/** A loopback server that counts what reaches it; `respond: false` never answers. */
async function countingServer(respond = true): Promise<Counted> {
  const counted = { connections: 0, requests: 0 } as Counted;
  counted.server = createServer((req, res) => {
    counted.requests++;
    if (respond) res.end('ok');
  });
  counted.server.on('connection', () => counted.connections++);
  await new Promise<void>((resolve) => counted.server.listen(0, '127.0.0.1', resolve));
  counted.port = (counted.server.address() as AddressInfo).port;
  return counted;
}

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the request to fail');
}

describe('guardedAgent', () => {
  let target: Counted;
  const agents: Agent[] = [];
  const agentFor = (allow: string[]) => {
    const agent = guardedAgent(policy(allow), { connectionsPerHost: 4, connectTimeoutMs: 2000 });
    agents.push(agent);
    return agent;
  };

  beforeEach(async () => {
    target = await countingServer();
  });

  afterEach(async () => {
    await Promise.all(agents.splice(0).map((agent) => agent.close()));
    target.server.closeAllConnections();
    await new Promise((resolve) => target.server.close(resolve));
  });

  it('reaches a loopback server that HTTP_TARGET_ALLOW lists', async () => {
    const res = await request(`http://127.0.0.1:${target.port}/`, {
      dispatcher: agentFor(['127.0.0.1/32']),
    });
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe('ok');
    expect(target.requests).toBe(1);
  });

  it.each([
    ['http://127.0.0.1:PORT/', 'refused 127.0.0.1: a loopback address'],
    ['http://localhost:PORT/', 'refused 127.0.0.1 for localhost: a loopback address'],
    ['http://[::ffff:127.0.0.1]:PORT/', 'refused ::ffff:7f00:1 (127.0.0.1): a loopback address'],
  ])('refuses %s by default, and not one connection reaches the server', async (url, line) => {
    const dispatcher = agentFor([]);
    const err = await errorOf(request(url.replace('PORT', String(target.port)), { dispatcher }));
    expect(err).toBeInstanceOf(RefusedAddressError);
    expect((err as Error).message).toBe(`${line} (allow it with HTTP_TARGET_ALLOW)`);
    expect(describeRequestError(err)).toBe((err as Error).message);
    expect(target.connections).toBe(0);
    expect(target.requests).toBe(0);
  });

  it('lets an allowed host name through by exact match, root dot ignored', async () => {
    for (const allow of ['localhost', 'LOCALHOST.']) {
      const res = await request(`http://localhost:${target.port}/`, {
        dispatcher: agentFor([allow]),
      });
      expect(res.statusCode).toBe(200);
      await res.body.dump();
    }
    expect(target.requests).toBe(2);
  });

  it('a URL host with the root dot matches the allowed name (whether or not it resolves here)', async () => {
    const err = await request(`http://localhost.:${target.port}/`, {
      dispatcher: agentFor(['localhost']),
    }).then(
      async (res) => {
        await res.body.dump();
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(err).not.toBeInstanceOf(RefusedAddressError);
  });

  it('never matches host names by prefix or suffix', async () => {
    const dispatcher = agentFor(['ocalhost', 'localhos', 'host', 'localhost.com', 'x.localhost']);
    const err = await errorOf(request(`http://localhost:${target.port}/`, { dispatcher }));
    expect(err).toBeInstanceOf(RefusedAddressError);
    expect(target.connections).toBe(0);
  });

  it('describes a refused port and a timeout in one readable line', async () => {
    const closed = await countingServer();
    const port = closed.port;
    await new Promise((resolve) => closed.server.close(resolve));
    const dispatcher = agentFor(['127.0.0.1']);

    const refused = await errorOf(request(`http://127.0.0.1:${port}/`, { dispatcher }));
    expect(describeRequestError(refused)).toBe(`connection refused by 127.0.0.1:${port}`);

    const silent = await countingServer(false);
    try {
      const url = `http://127.0.0.1:${silent.port}/`;
      const headers = await errorOf(request(url, { dispatcher, headersTimeout: 100 }));
      expect(describeRequestError(headers)).toBe('timed out waiting for the response headers');
      expect(describeRequestError(headers, 10)).toBe(
        'timed out after 10 s waiting for the response headers',
      );
      const aborted = await errorOf(request(url, { dispatcher, signal: AbortSignal.timeout(100) }));
      expect(describeRequestError(aborted, 2)).toMatch(
        /^timed out after 2 s: the request was aborted/,
      );
    } finally {
      silent.server.closeAllConnections();
      await new Promise((resolve) => silent.server.close(resolve));
    }
  });
});

describe('guardedLookup', () => {
  const answer =
    (addresses: dns.LookupAddress[]) =>
    (
      _host: string,
      _options: dns.LookupAllOptions,
      callback: (err: null, a: dns.LookupAddress[]) => void,
    ) =>
      callback(null, addresses);

  const run = (lookup: ReturnType<typeof guardedLookup>, all: boolean) =>
    new Promise<{ err: Error | null; address: unknown; family?: number }>((resolve) =>
      lookup('api.example', { all }, (err, address, family) => resolve({ err, address, family })),
    );

  it('drops forbidden addresses and keeps the public ones, in order', async () => {
    const lookup = guardedLookup(
      policy(),
      answer([
        { address: '10.0.0.5', family: 4 },
        { address: '93.184.215.14', family: 4 },
        { address: '::1', family: 6 },
        { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 },
      ]),
    );
    expect((await run(lookup, true)).address).toEqual([
      { address: '93.184.215.14', family: 4 },
      { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 },
    ]);
    expect(await run(lookup, false)).toEqual({ err: null, address: '93.184.215.14', family: 4 });
  });

  it('fails with the refusal when nothing is left (a name rebinding to the metadata address)', async () => {
    const lookup = guardedLookup(policy(), answer([{ address: '169.254.169.254', family: 4 }]));
    const { err } = await run(lookup, true);
    expect(err).toBeInstanceOf(RefusedAddressError);
    expect(err?.message).toBe(
      'refused 169.254.169.254 for api.example: a link-local address (allow it with HTTP_TARGET_ALLOW)',
    );
  });

  it('keeps an address an allowed net holds, and everything for an allowed name', async () => {
    const resolved = answer([
      { address: '10.0.0.5', family: 4 },
      { address: '10.9.0.1', family: 4 },
    ]);
    expect((await run(guardedLookup(policy(['10.0.0.0/24']), resolved), true)).address).toEqual([
      { address: '10.0.0.5', family: 4 },
    ]);
    expect(
      (await run(guardedLookup(policy(['api.example']), resolved), true)).address,
    ).toHaveLength(2);
  });

  it('passes a DNS failure through unchanged', async () => {
    const failure = Object.assign(new Error('getaddrinfo ENOTFOUND api.example'), {
      code: 'ENOTFOUND',
      hostname: 'api.example',
    });
    const lookup = guardedLookup(policy(), (_h, _o, callback) => callback(failure, []));
    const { err } = await run(lookup, true);
    expect(err).toBe(failure);
    expect(describeRequestError(err)).toBe('DNS lookup failed: no address for api.example');
  });
});

describe('describeRequestError', () => {
  const error = (code: string, message = code, extra: object = {}) =>
    Object.assign(new Error(message), { code, ...extra });

  it.each([
    [error('UND_ERR_BODY_TIMEOUT'), 'timed out reading the response body'],
    [error('ECONNRESET', 'read ECONNRESET'), 'connection reset by the server'],
    [
      error('UND_ERR_SOCKET', 'other side closed'),
      'connection closed by the server (other side closed)',
    ],
    [
      error('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'),
      'TLS certificate rejected: self-signed certificate',
    ],
    [
      error('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames"),
      "TLS certificate rejected: Hostname/IP does not match certificate's altnames",
    ],
    [
      error('ERR_SSL_WRONG_VERSION_NUMBER', 'wrong version\nnumber'),
      'TLS handshake failed: wrong version number',
    ],
    [
      error('ENOTFOUND', 'getaddrinfo ENOTFOUND x.invalid', { hostname: 'x.invalid' }),
      'DNS lookup failed: no address for x.invalid',
    ],
    [
      new TypeError('fetch failed', {
        cause: error('ECONNREFUSED', 'x', { address: '::1', port: 1 }),
      }),
      'connection refused by ::1:1',
    ],
    [
      Object.assign(
        new AggregateError([error('ECONNREFUSED', 'x', { address: '1.2.3.4', port: 80 })]),
        {
          code: undefined,
        },
      ),
      'connection refused by 1.2.3.4:80',
    ],
    [error('EWHATEVER', 'something\n odd'), 'EWHATEVER: something odd'],
    ['a string', 'Error: a string'],
  ])('%p', (err, expected) => {
    expect(describeRequestError(err)).toBe(expected);
  });
});
