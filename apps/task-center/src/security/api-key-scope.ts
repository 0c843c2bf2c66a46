/** What a key may do, weakest first: each scope allows everything the ones before it do. */
export const API_KEY_SCOPES = ['read', 'write', 'admin'] as const;

export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** Methods that change nothing; any other method needs `write`. */
const READ_METHODS = new Set(['GET', 'HEAD']);

/**
 * The scope a request needs: the one its route is marked with (`@RequiresScope`), else
 * `read` for GET/HEAD and `write` for every other method.
 */
export function scopeNeeded(method: string, marked?: ApiKeyScope): ApiKeyScope {
  if (marked !== undefined) return marked;
  return READ_METHODS.has(method.toUpperCase()) ? 'read' : 'write';
}

export function scopeAllows(held: ApiKeyScope, needed: ApiKeyScope): boolean {
  return API_KEY_SCOPES.indexOf(held) >= API_KEY_SCOPES.indexOf(needed);
}

export const isApiKeyScope = (word: string): word is ApiKeyScope =>
  (API_KEY_SCOPES as readonly string[]).includes(word);
