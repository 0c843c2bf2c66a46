import { isIP } from 'node:net';

/** An IP address as one number: 32 bits for IPv4, 128 for IPv6. */
export interface IpAddress {
  readonly family: 4 | 6;
  readonly bits: bigint;
}

/** A CIDR block: the address and how many leading bits of it count. */
export interface IpNet extends IpAddress {
  readonly prefix: number;
}

const widthOf = (family: 4 | 6): number => (family === 4 ? 32 : 128);

/**
 * Parses an IPv4 or IPv6 address (brackets and an IPv6 zone such as `%eth0` tolerated).
 * Only the strict forms `node:net` accepts: `01.2.3.4` or `1.2.3` are not addresses here
 * (the WHATWG URL parser has already turned such URL hosts into dotted decimal).
 */
export function parseIp(text: string): IpAddress | undefined {
  let candidate = text;
  if (candidate.startsWith('[') && candidate.endsWith(']')) candidate = candidate.slice(1, -1);
  const family = isIP(candidate);
  if (family === 4) return { family, bits: ipv4Bits(candidate) };
  if (family !== 6) return undefined;
  const zone = candidate.indexOf('%');
  return { family, bits: ipv6Bits(zone === -1 ? candidate : candidate.slice(0, zone)) };
}

function ipv4Bits(dotted: string): bigint {
  return dotted.split('.').reduce((bits, part) => (bits << 8n) | BigInt(part), 0n);
}

function ipv6Bits(text: string): bigint {
  // isIP has validated the text, so only the shape is left to undo: '::' and a dotted tail.
  const groups = (part: string): string[] => {
    if (part === '') return [];
    const pieces = part.split(':');
    const last = pieces[pieces.length - 1] ?? '';
    if (last.includes('.')) {
      const v4 = ipv4Bits(last);
      pieces.splice(-1, 1, (v4 >> 16n).toString(16), (v4 & 0xffffn).toString(16));
    }
    return pieces;
  };
  const gap = text.indexOf('::');
  const head = groups(gap === -1 ? text : text.slice(0, gap));
  const tail = gap === -1 ? [] : groups(text.slice(gap + 2));
  const all = [...head, ...Array<string>(8 - head.length - tail.length).fill('0'), ...tail];
  return all.reduce((bits, group) => (bits << 16n) | BigInt(`0x${group}`), 0n);
}

/**
 * The IPv4 address an IPv6 address carries, if it is IPv4-mapped (`::ffff:a.b.c.d`) or
 * IPv4-compatible (`::a.b.c.d`, deprecated but still routable on some stacks); otherwise the
 * address unchanged. `::` and `::1` stay IPv6: they are the unspecified and loopback addresses.
 */
export function unwrapIpv4(ip: IpAddress): IpAddress {
  if (ip.family === 4) return ip;
  const high = ip.bits >> 32n;
  const carriesIpv4 = high === 0xffffn || (high === 0n && ip.bits > 1n);
  return carriesIpv4 ? { family: 4, bits: ip.bits & 0xffffffffn } : ip;
}

/** Parses `a.b.c.d/n`, `x::/n`, or a bare address (= /32 or /128). Host bits are kept. */
export function parseNet(text: string): IpNet | undefined {
  const slash = text.lastIndexOf('/');
  const ip = parseIp(slash === -1 ? text : text.slice(0, slash));
  if (!ip) return undefined;
  if (slash === -1) return { ...ip, prefix: widthOf(ip.family) };
  const prefixText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  return prefix > widthOf(ip.family) ? undefined : { ...ip, prefix };
}

/** The net with every bit past its prefix cleared. */
export function maskNet(net: IpNet): IpNet {
  const hostBits = BigInt(widthOf(net.family) - net.prefix);
  return { ...net, bits: (net.bits >> hostBits) << hostBits };
}

/** A net written in IPv4-mapped form (`::ffff:10.0.0.0/104`) as the IPv4 net it stands for. */
export function unwrapIpv4Net(net: IpNet): IpNet {
  if (net.family === 4 || net.prefix < 96 || net.bits >> 32n !== 0xffffn) return net;
  return { family: 4, bits: net.bits & 0xffffffffn, prefix: net.prefix - 96 };
}

export function netContains(net: IpNet, ip: IpAddress): boolean {
  if (net.family !== ip.family) return false;
  const hostBits = BigInt(widthOf(net.family) - net.prefix);
  return ip.bits >> hostBits === net.bits >> hostBits;
}

export function formatIp(ip: IpAddress): string {
  if (ip.family === 4) {
    return [24n, 16n, 8n, 0n].map((shift) => String((ip.bits >> shift) & 0xffn)).join('.');
  }
  const groups = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((shift) =>
    ((ip.bits >> shift) & 0xffffn).toString(16),
  );
  // RFC 5952: the longest run of two or more zero groups becomes '::'.
  let best = { start: -1, length: 1 };
  for (let start = 0; start < 8; start++) {
    let length = 0;
    while (start + length < 8 && groups[start + length] === '0') length++;
    if (length > best.length) best = { start, length };
  }
  if (best.start === -1) return groups.join(':');
  const head = groups.slice(0, best.start).join(':');
  const tail = groups.slice(best.start + best.length).join(':');
  return `${head}::${tail}`;
}

export function formatNet(net: IpNet): string {
  return `${formatIp(net)}/${net.prefix}`;
}
