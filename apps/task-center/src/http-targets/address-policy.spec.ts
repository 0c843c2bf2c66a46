import {
  addressProblem,
  connectProblem,
  parseTargetPolicy,
  TargetPolicy,
  urlProblem,
} from './address-policy';

function policy(allow: string[] = [], httpsOnly = false): TargetPolicy {
  const parsed = parseTargetPolicy(allow, httpsOnly);
  if ('problem' in parsed) throw new Error(parsed.problem);
  return parsed;
}

describe('addressProblem', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['fd12:3456::1', 'private'],
    ['fc00::1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['169.254.0.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.255', 'carrier-grade NAT'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['ff02::1', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    ['192.0.0.8', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['198.19.255.255', 'reserved'],
    ['198.51.100.7', 'reserved'],
    ['203.0.113.9', 'reserved'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['100::1', 'reserved'],
    ['64:ff9b::7f00:1', 'reserved'],
    ['64:ff9b::808:808', 'reserved'],
    ['2002:7f00:1::1', 'reserved'],
    ['2001:0:4136:e378::1', 'reserved'],
    ['::ffff:0:7f00:1', 'reserved'],
    ['4000::1', 'reserved'],
  ])('%s is %s', (address, expected) => {
    expect(addressProblem(address)).toBe(expected);
  });

  it.each([
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:a00:1', 'private'],
    ['::127.0.0.1', 'loopback'],
    ['::10.0.0.1', 'private'],
    ['::ffff:0.0.0.0', 'unspecified'],
  ])('IPv4 inside IPv6: %s is judged as the IPv4 address (%s)', (address, expected) => {
    expect(addressProblem(address)).toBe(expected);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '100.63.255.255',
    '100.128.0.0',
    '172.15.255.255',
    '172.32.0.0',
    '169.253.255.255',
    '198.17.255.255',
    '198.20.0.0',
    '223.255.255.255',
    '2606:4700:4700::1111',
    '2a00:1450:4001:81b::200e',
    '::ffff:8.8.8.8',
  ])('%s is public', (address) => {
    expect(addressProblem(address)).toBeUndefined();
  });

  it('treats anything that is not an IP address as forbidden', () => {
    expect(addressProblem('example.com')).toBe('not an IP address');
    expect(addressProblem('')).toBe('not an IP address');
  });
});

describe('parseTargetPolicy', () => {
  it('splits entries into CIDRs and lowercased host names', () => {
    const parsed = policy([' 10.0.0.0/8', '127.0.0.1', 'fd00::/8', '::1', 'Api.Example.COM.', '']);
    expect([...parsed.allowHosts]).toEqual(['api.example.com']);
    expect(parsed.allowNets.map((n) => [n.family, n.prefix])).toEqual([
      [4, 8],
      [4, 32],
      [6, 8],
      [6, 128],
    ]);
  });

  it('turns an internationalised name into the form URLs carry', () => {
    expect([...policy(['Bücher.example']).allowHosts]).toEqual(['xn--bcher-kva.example']);
  });

  it.each([
    '10.0.0.0/33',
    '::/129',
    '*.example.com',
    'http://x.com',
    'a b',
    '1.2.3',
    'x..y',
    '-a.com',
  ])('names the bad entry %s', (entry) => {
    expect(parseTargetPolicy(['10.0.0.0/8', entry], false)).toEqual({
      problem: `HTTP_TARGET_ALLOW entry "${entry}" is neither a CIDR nor a host name`,
    });
  });

  it('refuses a CIDR with host bits set rather than widening it', () => {
    expect(parseTargetPolicy(['10.0.0.1/8'], false)).toEqual({
      problem:
        'HTTP_TARGET_ALLOW entry "10.0.0.1/8" has bits set past its /8 prefix (did you mean 10.0.0.0/8?)',
    });
  });

  it('keeps httpsOnly', () => {
    expect(policy([], true).httpsOnly).toBe(true);
  });
});

describe('connectProblem', () => {
  it('lets a public address through and refuses a forbidden one with a readable line', () => {
    expect(connectProblem(policy(), 'example.com', '93.184.215.14')).toBeUndefined();
    expect(connectProblem(policy(), 'localhost', '127.0.0.1')).toBe(
      'refused 127.0.0.1 for localhost: a loopback address (allow it with HTTP_TARGET_ALLOW)',
    );
    expect(connectProblem(policy(), '169.254.169.254', '169.254.169.254')).toBe(
      'refused 169.254.169.254: a link-local address (allow it with HTTP_TARGET_ALLOW)',
    );
    expect(connectProblem(policy(), '::ffff:7f00:1', '::ffff:7f00:1')).toBe(
      'refused ::ffff:7f00:1 (127.0.0.1): a loopback address (allow it with HTTP_TARGET_ALLOW)',
    );
    expect(connectProblem(policy(), 'x', '0.0.0.0')).toContain('an unspecified address');
  });

  it('allows an address inside an allowed net, IPv4-mapped form included', () => {
    const allowed = policy(['127.0.0.1/32', '10.1.0.0/16']);
    expect(connectProblem(allowed, 'a.internal', '127.0.0.1')).toBeUndefined();
    expect(connectProblem(allowed, 'a.internal', '::ffff:127.0.0.1')).toBeUndefined();
    expect(connectProblem(allowed, 'a.internal', '10.1.255.3')).toBeUndefined();
    expect(connectProblem(allowed, 'a.internal', '10.2.0.1')).toContain('a private address');
    expect(connectProblem(allowed, 'a.internal', '127.0.0.2')).toContain('a loopback address');
  });

  it('allows a host name by exact comparison only, case and root dot ignored', () => {
    const allowed = policy(['localhost', 'api.internal']);
    expect(connectProblem(allowed, 'localhost', '127.0.0.1')).toBeUndefined();
    expect(connectProblem(allowed, 'LOCALHOST.', '::1')).toBeUndefined();
    expect(connectProblem(allowed, 'API.internal', '10.0.0.1')).toBeUndefined();
    for (const host of [
      'notlocalhost',
      'localhost.evil.com',
      'x.localhost',
      'api.internal.evil',
      'pi.internal',
    ]) {
      expect(connectProblem(allowed, host, '127.0.0.1')).toMatch(/^refused 127\.0\.0\.1 for /);
    }
  });

  it('an allowed net does not stand in for another family', () => {
    expect(connectProblem(policy(['127.0.0.0/8']), 'localhost', '::1')).toContain('loopback');
  });
});

describe('urlProblem', () => {
  const open = policy();

  it('accepts absolute http and https URLs to names and public addresses', () => {
    for (const url of [
      'https://example.com/hook',
      'http://example.com:8080/a?b=c#d',
      'https://8.8.8.8/',
      'https://[2606:4700:4700::1111]/',
    ]) {
      expect(urlProblem(url, open)).toBeUndefined();
    }
  });

  it.each([
    ['/relative', 'target.url is not an absolute URL'],
    ['example.com/hook', 'target.url is not an absolute URL'],
    ['http://', 'target.url is not an absolute URL'],
    ['ftp://example.com/', 'target.url must use http or https, not ftp'],
    ['file:///etc/passwd', 'target.url must use http or https, not file'],
    ['https://user:pw@example.com/', 'target.url must not contain credentials (user:password@)'],
    ['https://user@example.com/', 'target.url must not contain credentials (user:password@)'],
  ])('%s: %s', (url, expected) => {
    expect(urlProblem(url, open)).toBe(expected);
  });

  it('limits the length to 2,048 characters', () => {
    const base = 'https://example.com/';
    expect(urlProblem(base + 'a'.repeat(2048 - base.length), open)).toBeUndefined();
    expect(urlProblem(base + 'a'.repeat(2049 - base.length), open)).toBe(
      'target.url is longer than 2,048 characters',
    );
  });

  it('refuses plain http when httpsOnly', () => {
    expect(urlProblem('http://example.com/', policy([], true))).toBe(
      'target.url must be https (HTTP_TARGET_HTTPS_ONLY=true)',
    );
    expect(urlProblem('https://example.com/', policy([], true))).toBeUndefined();
  });

  it.each([
    ['http://169.254.169.254/latest/meta-data', '169.254.169.254 is a link-local address'],
    ['http://127.0.0.1:8080/', '127.0.0.1 is a loopback address'],
    ['http://[::1]/', '[::1] is a loopback address'],
    ['http://10.0.0.1/', '10.0.0.1 is a private address'],
    ['http://[::ffff:127.0.0.1]/', '[::ffff:7f00:1] (127.0.0.1) is a loopback address'],
    ['http://[::ffff:a9fe:a9fe]/', '[::ffff:a9fe:a9fe] (169.254.169.254) is a link-local address'],
    ['http://2130706433/', '127.0.0.1 is a loopback address'],
    ['http://0x7f.1/', '127.0.0.1 is a loopback address'],
    ['http://017700000001/', '127.0.0.1 is a loopback address'],
    ['http://127.1/', '127.0.0.1 is a loopback address'],
    ['http://0/', '0.0.0.0 is an unspecified address'],
    ['http://100.64.1.1/', '100.64.1.1 is a carrier-grade NAT address'],
    ['http://[fe80::1]/', '[fe80::1] is a link-local address'],
  ])('refuses the IP-literal host of %s', (url, expected) => {
    expect(urlProblem(url, open)).toBe(
      `target.url host ${expected}; only public addresses are allowed unless HTTP_TARGET_ALLOW lists it`,
    );
  });

  it('refuses localhost names unless allowed', () => {
    for (const url of ['http://localhost/', 'http://LocalHost.:3000/', 'http://api.localhost/']) {
      expect(urlProblem(url, open)).toMatch(
        /^target\.url host \S+ is a loopback name \(RFC 6761\); only public addresses/,
      );
    }
    expect(urlProblem('http://localhost/', policy(['localhost']))).toBeUndefined();
    expect(urlProblem('http://localhost./', policy(['localhost']))).toBeUndefined();
    expect(urlProblem('http://api.localhost/', policy(['localhost']))).toMatch(/loopback name/);
    expect(urlProblem('http://localhost/', policy(['127.0.0.1/32']))).toBeUndefined();
    expect(urlProblem('http://notlocalhost/', open)).toBeUndefined();
  });

  it('lets an IP literal through when an allowed net holds it', () => {
    const allowed = policy(['127.0.0.1', '10.0.0.0/8']);
    expect(urlProblem('http://127.0.0.1:9000/', allowed)).toBeUndefined();
    expect(urlProblem('http://[::ffff:127.0.0.1]/', allowed)).toBeUndefined();
    expect(urlProblem('http://10.9.8.7/', allowed)).toBeUndefined();
    expect(urlProblem('http://127.0.0.2/', allowed)).toMatch(/loopback address/);
  });

  it('does not resolve names: an internal-looking name passes here and is checked at connect', () => {
    expect(urlProblem('http://metadata.google.internal/', open)).toBeUndefined();
  });
});
