import { type ApiKeyScope } from './api-key-scope';

// Keyed by the request object, so the scope cannot be set from outside (a header or a body).
const held = new WeakMap<object, ApiKeyScope>();

/** Records the scope of the key a request was authenticated with. */
export function setHeldScope(req: object, scope: ApiKeyScope): void {
  held.set(req, scope);
}

/** Undefined when no key was checked: keys are off, or the route is open (/health, /docs). */
export function heldScope(req: object): ApiKeyScope | undefined {
  return held.get(req);
}
