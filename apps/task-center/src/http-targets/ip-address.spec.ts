import {
  formatIp,
  formatNet,
  maskNet,
  netContains,
  parseIp,
  parseNet,
  unwrapIpv4,
  unwrapIpv4Net,
} from './ip-address';

const ip = (text: string) => parseIp(text)!;

describe('parseIp', () => {
  it('reads IPv4 and IPv6 into numbers', () => {
    expect(parseIp('127.0.0.1')).toEqual({ family: 4, bits: 0x7f000001n });
    expect(parseIp('::1')).toEqual({ family: 6, bits: 1n });
    expect(parseIp('2001:db8::8:800:200c:417a')).toEqual({
      family: 6,
      bits: 0x20010db8000000000008_0800200c417an,
    });
    expect(parseIp('1::')).toEqual({ family: 6, bits: 1n << 112n });
  });

  it('reads a dotted IPv4 tail, brackets and a zone the same as the plain form', () => {
    expect(ip('::ffff:127.0.0.1').bits).toBe(ip('::ffff:7f00:1').bits);
    expect(ip('[::1]')).toEqual(ip('::1'));
    expect(ip('fe80::1%eth0')).toEqual(ip('fe80::1'));
  });

  it('rejects names and the loose IPv4 forms', () => {
    for (const text of ['localhost', '01.2.3.4', '1.2.3', '0x7f.0.0.1', '', '1.2.3.4/32']) {
      expect(parseIp(text)).toBeUndefined();
    }
  });
});

describe('unwrapIpv4', () => {
  it('turns IPv4-mapped and IPv4-compatible addresses into the IPv4 address they carry', () => {
    expect(unwrapIpv4(ip('::ffff:127.0.0.1'))).toEqual(ip('127.0.0.1'));
    expect(unwrapIpv4(ip('::ffff:a9fe:a9fe'))).toEqual(ip('169.254.169.254'));
    expect(unwrapIpv4(ip('::10.0.0.1'))).toEqual(ip('10.0.0.1'));
  });

  it('leaves ::, ::1 and ordinary IPv6 alone', () => {
    for (const text of ['::', '::1', '2001:4860::8888', '::ffff:0:7f00:1']) {
      expect(unwrapIpv4(ip(text))).toEqual(ip(text));
    }
  });
});

describe('parseNet / netContains', () => {
  it('parses CIDRs and bare addresses', () => {
    expect(parseNet('10.0.0.0/8')).toEqual({ family: 4, bits: 0x0a000000n, prefix: 8 });
    expect(parseNet('10.1.2.3')).toEqual({ family: 4, bits: 0x0a010203n, prefix: 32 });
    expect(parseNet('fd00::/8')?.prefix).toBe(8);
    expect(parseNet('::1')?.prefix).toBe(128);
  });

  it('refuses prefixes out of range or not decimal', () => {
    for (const text of [
      '10.0.0.0/33',
      '::/129',
      '10.0.0.0/',
      '10.0.0.0/8a',
      '10.0.0.0/-1',
      'a/8',
    ]) {
      expect(parseNet(text)).toBeUndefined();
    }
  });

  it('contains exactly the addresses that share the prefix, same family only', () => {
    const block = parseNet('172.16.0.0/12')!;
    expect(netContains(block, ip('172.16.0.0'))).toBe(true);
    expect(netContains(block, ip('172.31.255.255'))).toBe(true);
    expect(netContains(block, ip('172.32.0.0'))).toBe(false);
    expect(netContains(block, ip('172.15.255.255'))).toBe(false);
    expect(netContains(parseNet('::/0')!, ip('1.2.3.4'))).toBe(false);
    expect(netContains(parseNet('0.0.0.0/0')!, ip('1.2.3.4'))).toBe(true);
  });

  it('masks host bits and unwraps an IPv4-mapped net', () => {
    expect(formatNet(maskNet(parseNet('10.1.2.3/8')!))).toBe('10.0.0.0/8');
    expect(unwrapIpv4Net(parseNet('::ffff:10.0.0.0/104')!)).toEqual(parseNet('10.0.0.0/8'));
    expect(unwrapIpv4Net(parseNet('::ffff:0:0/95')!).family).toBe(6);
  });
});

describe('formatIp', () => {
  it('writes IPv4 dotted and IPv6 with the longest zero run as ::', () => {
    expect(formatIp(ip('1.2.3.4'))).toBe('1.2.3.4');
    expect(formatIp(ip('2001:0db8:0:0:1:0:0:1'))).toBe('2001:db8::1:0:0:1');
    expect(formatIp(ip('::'))).toBe('::');
    expect(formatIp(ip('fe80::'))).toBe('fe80::');
    expect(formatIp(ip('1:2:3:4:5:6:0:8'))).toBe('1:2:3:4:5:6:0:8');
  });
});
