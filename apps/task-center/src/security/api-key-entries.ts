import { type ApiKeyScope, isApiKeyScope } from './api-key-scope';

export interface ApiKeyEntry {
  key: string;
  scope: ApiKeyScope;
}

export const API_KEY_MIN_LENGTH = 16;

export type ParsedApiKeys = { entries: ApiKeyEntry[] } | { problem: string };

/**
 * `API_KEYS` entries: `<key>` (admin, as before scopes existed), `admin:<key>`,
 * `write:<key>` or `read:<key>`. The text before the first `:` is always a scope, so a
 * misspelt one (`Admin:`, `reader:`) fails at boot instead of silently becoming part of an
 * admin key; a key that itself contains `:` is written with its scope (`admin:ab:cd`).
 * Problems never quote the entry: it is a secret.
 */
export function parseApiKeys(list: readonly string[]): ParsedApiKeys {
  const entries: ApiKeyEntry[] = [];
  const seen = new Set<string>();
  for (const [i, raw] of list.entries()) {
    const colon = raw.indexOf(':');
    const prefix = colon < 0 ? undefined : raw.slice(0, colon);
    if (prefix !== undefined && !isApiKeyScope(prefix)) {
      return {
        problem: `entry ${i + 1} has an unknown scope before ":" (scopes are admin, write, read; write admin:<key> for a key that contains ":")`,
      };
    }
    const entry: ApiKeyEntry = {
      key: prefix === undefined ? raw : raw.slice(colon + 1),
      scope: prefix ?? 'admin',
    };
    if (entry.key.length < API_KEY_MIN_LENGTH) {
      return {
        problem: `entry ${i + 1} must be at least ${API_KEY_MIN_LENGTH} characters, not counting a scope prefix`,
      };
    }
    if (seen.has(entry.key)) {
      return { problem: `entry ${i + 1} repeats a key given earlier (one scope per key)` };
    }
    seen.add(entry.key);
    entries.push(entry);
  }
  return { entries };
}
