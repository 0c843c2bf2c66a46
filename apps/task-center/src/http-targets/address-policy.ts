import { domainToASCII } from 'node:url';
import {
  formatIp,
  formatNet,
  IpAddress,
  IpNet,
  maskNet,
  netContains,
  parseIp,
  parseNet,
  unwrapIpv4,
  unwrapIpv4Net,
} from './ip-address';

/**
 * Which HTTP targets may be called besides public addresses: the parsed `HTTP_TARGET_ALLOW`
 * (exact host names and CIDRs) and `HTTP_TARGET_HTTPS_ONLY`.
 */
export interface TargetPolicy {
  readonly allowHosts: ReadonlySet<string>;
  readonly allowNets: readonly IpNet[];
  readonly httpsOnly: boolean;
}

export type AddressClass =
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'carrier-grade NAT'
  | 'multicast'
  | 'unspecified'
  | 'reserved'
  | 'not an IP address';

const net = (text: string): IpNet => parseNet(text)!;

// IANA's special-purpose registries, minus the blocks that are globally reachable (AS112, AMT).
// First match wins, so a narrow block sits before a wider one of another class.
const FORBIDDEN_IPV4: ReadonlyArray<readonly [AddressClass, IpNet]> = [
  ['unspecified', net('0.0.0.0/8')],
  ['private', net('10.0.0.0/8')],
  ['carrier-grade NAT', net('100.64.0.0/10')],
  ['loopback', net('127.0.0.0/8')],
  ['link-local', net('169.254.0.0/16')], // includes 169.254.169.254, the cloud metadata service
  ['private', net('172.16.0.0/12')],
  ['reserved', net('192.0.0.0/24')],
  ['reserved', net('192.0.2.0/24')],
  ['reserved', net('192.88.99.0/24')], // the retired 6to4 relay anycast
  ['private', net('192.168.0.0/16')],
  ['reserved', net('198.18.0.0/15')],
  ['reserved', net('198.51.100.0/24')],
  ['reserved', net('203.0.113.0/24')],
  ['multicast', net('224.0.0.0/4')],
  ['reserved', net('240.0.0.0/4')], // includes 255.255.255.255, the broadcast address
];

const FORBIDDEN_IPV6: ReadonlyArray<readonly [AddressClass, IpNet]> = [
  ['unspecified', net('::/128')],
  ['loopback', net('::1/128')],
  ['reserved', net('64:ff9b::/96')], // NAT64: the IPv4 half may be anything, private included
  ['reserved', net('64:ff9b:1::/48')],
  ['reserved', net('100::/64')],
  ['reserved', net('2001::/23')], // Teredo (an obfuscated IPv4 inside), benchmarking, ORCHID
  ['reserved', net('2001:db8::/32')],
  ['reserved', net('2002::/16')], // 6to4: bits 16-47 are an IPv4 address, private included
  ['reserved', net('3fff::/20')],
  ['private', net('fc00::/7')],
  ['link-local', net('fe80::/10')],
  ['private', net('fec0::/10')], // site-local, the deprecated predecessor of fc00::/7
  ['multicast', net('ff00::/8')],
];

// Only 2000::/3 is handed out as global unicast; anything else is not a public server.
const GLOBAL_UNICAST_IPV6 = net('2000::/3');

/** The class of a forbidden address, or undefined for a public one. */
export function addressProblem(address: string): AddressClass | undefined {
  const ip = parseIp(address);
  return ip ? classOf(unwrapIpv4(ip)) : 'not an IP address';
}

function classOf(ip: IpAddress): AddressClass | undefined {
  const table = ip.family === 4 ? FORBIDDEN_IPV4 : FORBIDDEN_IPV6;
  const hit = table.find(([, block]) => netContains(block, ip));
  if (hit) return hit[0];
  return ip.family === 6 && !netContains(GLOBAL_UNICAST_IPV6, ip) ? 'reserved' : undefined;
}

function withArticle(problem: AddressClass): string {
  if (problem === 'not an IP address') return problem;
  return `${problem === 'unspecified' ? 'an' : 'a'} ${problem} address`;
}

/** How host names are compared: case-insensitive, the root's trailing dot ignored. */
function normalizeHost(host: string): string {
  const lower = host.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

function allowedNet(policy: TargetPolicy, ip: IpAddress): boolean {
  const plain = unwrapIpv4(ip);
  return policy.allowNets.some((block) => netContains(block, plain));
}

/**
 * Whether the delivery worker may connect to `address` (what `host` resolved to): undefined
 * when it may, otherwise one line saying why not. An allowed host name trusts whatever it
 * resolves to; otherwise the address must be public or inside an allowed CIDR.
 */
export function connectProblem(
  policy: TargetPolicy,
  host: string,
  address: string,
): string | undefined {
  if (policy.allowHosts.has(normalizeHost(host))) return undefined;
  const ip = parseIp(address);
  if (ip && allowedNet(policy, ip)) return undefined;
  const problem = addressProblem(address);
  if (!problem) return undefined;
  const carried = ip && unwrapIpv4(ip);
  const shown = carried && carried !== ip ? `${address} (${formatIp(carried)})` : address;
  const target = parseIp(host) ? shown : `${shown} for ${host}`;
  return `refused ${target}: ${withArticle(problem)} (allow it with HTTP_TARGET_ALLOW)`;
}

// A DNS name as URLs carry it (after IDNA): LDH labels, plus '_' that real zones do contain.
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

function parseHostName(entry: string): string | undefined {
  if (!/^[^\s/:@[\]*?#%]+$/u.test(entry)) return undefined;
  const name = normalizeHost(domainToASCII(entry));
  if (name === '' || name.length > 253) return undefined;
  const labels = name.split('.');
  // A numeric last label makes the URL parser read the host as an IPv4 address, never a name.
  if (/^(?:\d+|0x[0-9a-f]*)$/.test(labels[labels.length - 1] ?? '')) return undefined;
  return labels.every((label) => LABEL.test(label)) ? name : undefined;
}

/**
 * Parses the entries of `HTTP_TARGET_ALLOW`: CIDRs (a bare address is a /32 or /128) and
 * exact host names. A CIDR with bits set past its prefix is refused rather than widened
 * silently: `10.0.0.1/8` is more likely a typo for `/32` than a wish to allow all of 10/8.
 */
export function parseTargetPolicy(
  allow: string[],
  httpsOnly: boolean,
): TargetPolicy | { problem: string } {
  const allowHosts = new Set<string>();
  const allowNets: IpNet[] = [];
  for (const raw of allow) {
    const entry = raw.trim();
    if (entry === '') continue; // a trailing comma in the variable
    const parsed = parseNet(entry);
    if (parsed) {
      const masked = maskNet(parsed);
      if (masked.bits !== parsed.bits) {
        return {
          problem: `HTTP_TARGET_ALLOW entry "${entry}" has bits set past its /${parsed.prefix} prefix (did you mean ${formatNet(masked)}?)`,
        };
      }
      allowNets.push(unwrapIpv4Net(parsed));
      continue;
    }
    const host = parseHostName(entry);
    if (host === undefined) {
      return { problem: `HTTP_TARGET_ALLOW entry "${entry}" is neither a CIDR nor a host name` };
    }
    allowHosts.add(host);
  }
  return { allowHosts, allowNets, httpsOnly };
}

export const MAX_URL_LENGTH = 2048;

const ALLOW_HINT = 'only public addresses are allowed unless HTTP_TARGET_ALLOW lists it';
const LOOPBACK_ADDRESSES = [parseIp('127.0.0.1')!, parseIp('::1')!];

/**
 * The create-time check of `target.url`: undefined when it is acceptable, otherwise a message
 * starting with `target.url `. IP-literal hosts and the `localhost` names (RFC 6761: always
 * loopback) are judged here; other names are not resolved, the delivery worker checks the
 * address it actually connects to.
 */
export function urlProblem(url: string, policy: TargetPolicy): string | undefined {
  if (url.length > MAX_URL_LENGTH) {
    return `target.url is longer than ${MAX_URL_LENGTH.toLocaleString('en-US')} characters`;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'target.url is not an absolute URL';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return `target.url must use http or https, not ${parsed.protocol.slice(0, -1)}`;
  }
  if (parsed.username !== '' || parsed.password !== '') {
    return 'target.url must not contain credentials (user:password@)';
  }
  if (parsed.hostname === '') return 'target.url has no host';
  if (policy.httpsOnly && parsed.protocol === 'http:') {
    return 'target.url must be https (HTTP_TARGET_HTTPS_ONLY=true)';
  }
  return hostProblem(parsed.hostname, policy);
}

function hostProblem(hostname: string, policy: TargetPolicy): string | undefined {
  const ip = parseIp(hostname);
  if (ip) {
    const address = formatIp(ip);
    if (connectProblem(policy, address, address) === undefined) return undefined;
    const carried = unwrapIpv4(ip);
    const shown = carried === ip ? hostname : `${hostname} (${formatIp(carried)})`;
    return `target.url host ${shown} is ${withArticle(addressProblem(address)!)}; ${ALLOW_HINT}`;
  }
  const name = normalizeHost(hostname);
  if (name !== 'localhost' && !name.endsWith('.localhost')) return undefined;
  // The worker will connect to a loopback address, so an allowed loopback net admits the name.
  if (policy.allowHosts.has(name) || LOOPBACK_ADDRESSES.some((ip) => allowedNet(policy, ip))) {
    return undefined;
  }
  return `target.url host ${hostname} is a loopback name (RFC 6761); ${ALLOW_HINT}`;
}
