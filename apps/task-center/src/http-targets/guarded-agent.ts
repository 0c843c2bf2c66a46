import * as dns from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, buildConnector } from 'undici';
import { connectProblem, type TargetPolicy } from './address-policy';

/**
 * A connection the SSRF policy refused. A request through the guarded agent rejects with this
 * error itself (undici hands connector errors to the request unchanged), so the refusal text
 * is the rejection's `message`.
 */
export class RefusedAddressError extends Error {
  readonly code = 'ERR_TC_ADDRESS_REFUSED';
  constructor(message: string) {
    super(message);
    this.name = 'RefusedAddressError';
  }
}

type DnsLookup = (
  hostname: string,
  options: dns.LookupAllOptions,
  callback: (err: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void,
) => void;

/**
 * A `net.connect` lookup that resolves every address of a name and keeps only those the policy
 * allows. The socket connects to one of the kept addresses, so there is no window between the
 * check and the connect for a rebinding DNS answer to slip through.
 */
export function guardedLookup(
  policy: TargetPolicy,
  resolve: DnsLookup = dns.lookup,
): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '');
      const allowed = addresses.filter(
        ({ address }) => connectProblem(policy, hostname, address) === undefined,
      );
      const first = allowed[0];
      if (!first) {
        const refusal = addresses
          .map(({ address }) => connectProblem(policy, hostname, address))
          .find((problem) => problem !== undefined);
        return callback(new RefusedAddressError(refusal ?? `no address for ${hostname}`), '');
      }
      // Node asks for all addresses when it races IPv4 and IPv6 (autoSelectFamily), else one.
      if (options.all) callback(null, allowed);
      else callback(null, first.address, first.family);
    });
  };
}

export interface GuardedAgentOptions {
  /** Keep-alive connections per origin (`HTTP_TARGET_MAX_PER_HOST`). */
  connectionsPerHost: number;
  /** TCP + TLS connect deadline; undici's default (10 s) when absent. */
  connectTimeoutMs?: number;
}

/**
 * An undici Agent (a keep-alive pool per origin) that connects only where the policy allows:
 * IP-literal hosts are judged before any connect, names through `guardedLookup`, and the
 * connected socket's peer address once more. Redirects are never followed (`request` does not).
 */
export function guardedAgent(policy: TargetPolicy, options: GuardedAgentOptions): Agent {
  const connect = buildConnector({
    lookup: guardedLookup(policy),
    ...(options.connectTimeoutMs === undefined ? {} : { timeout: options.connectTimeoutMs }),
  });
  const guarded: buildConnector.connector = (target, callback) => {
    const literal = isIP(target.hostname) !== 0;
    const early = literal ? connectProblem(policy, target.hostname, target.hostname) : undefined;
    if (early !== undefined) {
      process.nextTick(callback, new RefusedAddressError(early), null);
      return;
    }
    connect(target, (err, socket) => {
      if (err) return callback(err, null);
      // Defence in depth: the lookup already chose this address.
      const peer = socket.remoteAddress ?? '';
      const late = connectProblem(policy, target.hostname, peer);
      if (late === undefined) return callback(null, socket);
      socket.destroy();
      callback(new RefusedAddressError(late), null);
    });
  };
  return new Agent({ connections: options.connectionsPerHost, connect: guarded });
}

interface ErrorFields {
  code?: unknown;
  name?: unknown;
  message?: unknown;
  cause?: unknown;
  errors?: unknown;
  hostname?: unknown;
  address?: unknown;
  port?: unknown;
}

// OpenSSL's certificate verdicts (the rest of TLS failures carry ERR_SSL_* or ERR_TLS_*).
const CERTIFICATE_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'HOSTNAME_MISMATCH',
]);

function fieldsOf(err: unknown): ErrorFields {
  return typeof err === 'object' && err !== null ? err : {};
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const oneLine = (value: string): string => value.replace(/\s+/g, ' ').trim();

/** The error and its causes, outermost first (fetch wraps, Node's connect race aggregates). */
function chainOf(err: unknown): ErrorFields[] {
  const chain: ErrorFields[] = [];
  let current: unknown = err;
  while (current !== undefined && current !== null && chain.length < 5) {
    const fields = fieldsOf(current);
    chain.push(fields);
    current = fields.cause ?? (Array.isArray(fields.errors) ? fields.errors[0] : undefined);
  }
  return chain;
}

function describeOne(err: ErrorFields, after: string): string | undefined {
  const code = text(err.code);
  const name = text(err.name);
  const message = oneLine(text(err.message));
  const peer = err.address !== undefined ? ` by ${text(err.address)}:${String(err.port)}` : '';
  if (code === 'ERR_TC_ADDRESS_REFUSED') return message;
  if (code === 'UND_ERR_HEADERS_TIMEOUT')
    return `timed out${after} waiting for the response headers`;
  if (code === 'UND_ERR_BODY_TIMEOUT') return `timed out${after} reading the response body`;
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return `timed out connecting (${message})`;
  if (name === 'TimeoutError' || name === 'AbortError' || code === 'UND_ERR_ABORTED') {
    return `timed out${after}: the request was aborted (${message})`;
  }
  if (code === 'ECONNREFUSED') return `connection refused${peer}`;
  if (code === 'ECONNRESET') return 'connection reset by the server';
  if (code === 'UND_ERR_SOCKET') return `connection closed by the server (${message})`;
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return `host unreachable${peer}`;
  if (code === 'ETIMEDOUT') return `timed out connecting${peer}`;
  if (CERTIFICATE_CODES.has(code)) return `TLS certificate rejected: ${message}`;
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code === 'EPROTO') {
    return `TLS handshake failed: ${message}`;
  }
  if (code === 'ENOTFOUND') return `DNS lookup failed: no address for ${text(err.hostname)}`;
  if (code === 'EAI_AGAIN') return `DNS lookup failed for now: ${text(err.hostname)}`;
  return undefined;
}

/**
 * One line for a request that failed before a status arrived, for run history: the SSRF
 * refusal, a timeout (`timeoutS`, when given, says after how long), a refused/reset
 * connection, TLS or DNS trouble; else code and message.
 */
export function describeRequestError(err: unknown, timeoutS?: number): string {
  const after = timeoutS === undefined ? '' : ` after ${timeoutS} s`;
  const chain = chainOf(err);
  for (const link of chain) {
    const described = describeOne(link, after);
    if (described !== undefined) return described;
  }
  const outer = chain[0] ?? {};
  const label = text(outer.code) || text(outer.name) || 'Error';
  const message = oneLine(text(outer.message)) || oneLine(String(err));
  return `${label}: ${message}`;
}
