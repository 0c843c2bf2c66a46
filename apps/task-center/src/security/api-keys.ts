import { createHash, timingSafeEqual } from 'node:crypto';
import { parseApiKeys } from './api-key-entries';
import { type ApiKeyScope } from './api-key-scope';

const digest = (key: string): Buffer => createHash('sha256').update(key, 'utf8').digest();

/**
 * The accepted API keys, held only as SHA-256 digests with their scopes. A presented key is
 * compared with every one of them in constant time over fixed-length digests, so neither the
 * length of a key nor which one matched shows in the response time.
 */
export class ApiKeys {
  private readonly keys: { digest: Buffer; scope: ApiKeyScope }[];

  /** `entries` as in `API_KEYS` (`[scope:]key`), already validated by the config. */
  constructor(entries: readonly string[]) {
    const parsed = parseApiKeys(entries);
    if ('problem' in parsed) throw new Error(`API_KEYS ${parsed.problem}`);
    this.keys = parsed.entries.map(({ key, scope }) => ({ digest: digest(key), scope }));
  }

  get enabled(): boolean {
    return this.keys.length > 0;
  }

  /** How many keys of each scope, for the startup line. */
  countByScope(): Partial<Record<ApiKeyScope, number>> {
    const counts: Partial<Record<ApiKeyScope, number>> = {};
    for (const { scope } of this.keys) counts[scope] = (counts[scope] ?? 0) + 1;
    return counts;
  }

  /** The scope of the presented key; undefined when it is missing or unknown. */
  scopeOf(presented: string | undefined): ApiKeyScope | undefined {
    if (presented === undefined || presented === '') return undefined;
    const candidate = digest(presented);
    let found: ApiKeyScope | undefined;
    for (const key of this.keys) {
      // Every digest is compared; keys are unique, so at most one matches.
      const match = timingSafeEqual(key.digest, candidate);
      found = match ? key.scope : found;
    }
    return found;
  }

  accepts(presented: string | undefined): boolean {
    return !this.enabled || this.scopeOf(presented) !== undefined;
  }
}

/** `Authorization: Bearer <key>`, else `X-API-Key: <key>`. */
export function presentedKey(
  headers: Record<string, string | string[] | undefined>,
): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (match) return match[1];
  }
  const header = headers['x-api-key'];
  return typeof header === 'string' ? header.trim() : undefined;
}
