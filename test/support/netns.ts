import { execFileSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';

/**
 * Network hosts for partition tests: one Linux network namespace per host, joined to the
 * test's own namespace by a veth pair, plus "service addresses" on the test's side (where a
 * database forwarder or a private Kafka broker listens). A cut routes a host's packets to an
 * address via a neighbour that does not exist (a static entry with a MAC nobody has): they
 * leave the namespace and are dropped by the other end of the veth, silently, as in a real
 * partition: no error, no reset, TCP retransmits and connects time out until the route is
 * gone. (A `blackhole` route is not silent: connect fails at once with EINVAL.) Needs root
 * and `ip`; no firewall tools.
 *
 * Addressing, one random 10.a.b.0/24 per run (checked free on this machine):
 *   10.a.b.1, 10.a.b.2, …   service addresses (/32, on the first host's veth, test side)
 *   10.a.b.16i+1 / +2      host i's veth: test side / namespace side (/28)
 *   10.a.b.16i+3           host i's nowhere: the neighbour a cut routes to
 */

const NAME_PREFIX = 'tcpart';
/** A locally administered MAC that no interface here has. */
const NOBODY_MAC = '02:00:5e:00:de:ad';

/** Why network namespaces cannot be used here, or undefined when they can. */
export function netnsUnavailable(): string | undefined {
  if (process.platform !== 'linux')
    return `network namespaces need Linux (got ${process.platform})`;
  if (process.getuid?.() !== 0) return 'network namespaces need root (ip netns add)';
  try {
    ip(['netns', 'list']);
  } catch (err) {
    return `\`ip netns\` is not usable: ${String(err)}`;
  }
  return undefined;
}

function ip(args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Deletes namespaces left by test runs whose process died (named `tcpart-<pid>-…`): a killed
 * run cannot run its afterAll.
 */
function sweepStale(): void {
  for (const line of ip(['netns', 'list']).split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const pid = Number(new RegExp(`^${NAME_PREFIX}-(\\d+)-`).exec(name)?.[1]);
    if (pid && pid !== process.pid && !isAlive(pid)) {
      try {
        ip(['netns', 'del', name]);
      } catch {
        // someone else swept it first
      }
    }
  }
}

/** A /24 in 10.64.0.0/10 that no interface of this machine uses yet. */
function freeSubnet(): string {
  const used = ip(['-4', '-o', 'addr', 'show']);
  for (let i = 0; i < 50; i++) {
    const prefix = `10.${randomInt(64, 128)}.${randomInt(0, 256)}`;
    if (!used.includes(` ${prefix}.`)) return prefix;
  }
  throw new Error('netns: no free 10.x.y.0/24 found');
}

export interface NetHost {
  name: string;
  /** The namespace's name (`ip netns exec <ns> …`). */
  ns: string;
  /** This host's address, reachable from the test's namespace. */
  address: string;
  /** Prefix that runs a command inside the namespace. */
  exec: string[];
  /** A neighbour with a MAC nobody has: packets routed to it are lost. */
  nowhere: string;
}

export class TestNetwork {
  private readonly hosts = new Map<string, NetHost>();
  private destroyed = false;

  private constructor(
    readonly subnet: string,
    /** Service addresses by name, on the test's side: listen there, reachable from every host. */
    readonly services: Record<string, string>,
  ) {}

  /**
   * Creates one namespace per host name and the given service addresses. On failure, what
   * was created is deleted again.
   */
  static create(hostNames: string[], serviceNames: string[]): TestNetwork {
    if (hostNames.length === 0 || hostNames.length > 14) throw new Error('netns: 1-14 hosts');
    if (serviceNames.length > 14) throw new Error('netns: at most 14 service addresses');
    sweepStale();
    const subnet = freeSubnet();
    const services = Object.fromEntries(serviceNames.map((s, i) => [s, `${subnet}.${i + 1}`]));
    const network = new TestNetwork(subnet, services);
    const tag = randomBytes(2).toString('hex');
    try {
      hostNames.forEach((name, i) => network.addHost(name, i + 1, tag));
      // Service addresses on the first host's veth (test side): deleted with it, never left over.
      for (const address of Object.values(services))
        ip(['addr', 'add', `${address}/32`, 'dev', vethName(tag, 1, 'h')]);
    } catch (err) {
      network.destroy();
      throw err;
    }
    return network;
  }

  host(name: string): NetHost {
    const host = this.hosts.get(name);
    if (!host) throw new Error(`netns: no host ${name}`);
    return host;
  }

  /** From now on, the host's packets to `address` are lost silently. */
  cut(hostName: string, address: string): void {
    const host = this.host(hostName);
    ip(['-n', host.ns, 'route', 'add', `${address}/32`, 'via', host.nowhere]);
  }

  /** Undoes `cut`: packets flow again (TCP connections resume where they stalled). */
  heal(hostName: string, address: string): void {
    const host = this.host(hostName);
    ip(['-n', host.ns, 'route', 'del', `${address}/32`, 'via', host.nowhere]);
  }

  /**
   * Deletes every namespace (their veth pairs and the service addresses go with them).
   * Processes still running inside lose their network: stop them first.
   */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const host of this.hosts.values()) {
      try {
        ip(['netns', 'del', host.ns]);
      } catch {
        // already gone
      }
    }
  }

  private addHost(name: string, index: number, tag: string): void {
    const ns = `${NAME_PREFIX}-${process.pid}-${tag}-${name}`;
    const outside = vethName(tag, index, 'h');
    const inside = vethName(tag, index, 'n');
    const testSide = `${this.subnet}.${16 * index + 1}`;
    const address = `${this.subnet}.${16 * index + 2}`;
    const nowhere = `${this.subnet}.${16 * index + 3}`;
    ip(['netns', 'add', ns]);
    this.hosts.set(name, { name, ns, address, exec: ['ip', 'netns', 'exec', ns], nowhere });
    ip(['link', 'add', outside, 'type', 'veth', 'peer', 'name', inside]);
    ip(['link', 'set', inside, 'netns', ns]);
    ip(['addr', 'add', `${testSide}/28`, 'dev', outside]);
    ip(['link', 'set', outside, 'up']);
    ip(['-n', ns, 'link', 'set', 'lo', 'up']);
    ip(['-n', ns, 'addr', 'add', `${address}/28`, 'dev', inside]);
    ip(['-n', ns, 'link', 'set', inside, 'up']);
    ip(['-n', ns, 'route', 'add', 'default', 'via', testSide]);
    ip([
      '-n',
      ns,
      'neigh',
      'replace',
      nowhere,
      'lladdr',
      NOBODY_MAC,
      'dev',
      inside,
      'nud',
      'permanent',
    ]);
  }
}

/** Interface names are at most 15 characters: `tp<tag><index><h|n>`. */
const vethName = (tag: string, index: number, side: 'h' | 'n') => `tp${tag}${index}${side}`;
