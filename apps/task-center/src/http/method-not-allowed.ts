import { type Application, type RequestHandler } from 'express';
import { ApiError } from '../errors/api-error';
import { ErrorCode } from '../errors/error-codes';
import { requestIdOf } from '../logging/request-id';

/** One route of the router: the methods it declares (lowercase, `_all` for `all`) and its path. */
export interface DeclaredRoute {
  readonly methods: readonly string[];
  matches(path: string): boolean;
}

/** The part of an Express (router 2.x) layer this reads; the public typings leave it out. */
interface RouterLayer {
  route?: { path?: unknown; methods?: Record<string, boolean | undefined> };
  match?(path: string): unknown;
}

/**
 * Every route registered on the app's router, in its order: Nest's controllers, Swagger's
 * pages, anything added later. Middleware layers (`app.use`) declare no methods and are
 * skipped. Read once the app is initialised: Nest registers its routes in `app.init()`.
 */
export function declaredRoutes(app: Application): DeclaredRoute[] {
  const stack = (app.router as unknown as { stack?: RouterLayer[] }).stack ?? [];
  return stack.flatMap((layer) => {
    const methods = Object.keys(layer.route?.methods ?? {});
    if (methods.length === 0 || typeof layer.match !== 'function') return [];
    return [{ methods, matches: (path: string) => matchesSafely(layer, path) }];
  });
}

/** A path the router would reject as undecodable is left to the router (it answers 400). */
function matchesSafely(layer: RouterLayer, path: string): boolean {
  try {
    return Boolean(layer.match?.(path));
  } catch {
    return false;
  }
}

/** Method-and-path answers methodNotAllowed keeps (all dropped when full). */
const ANSWERS_KEPT = 1000;

const ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
const rank = (m: string) => (ORDER.includes(m) ? ORDER.indexOf(m) : ORDER.length);

/**
 * The `Allow` list when `path` is a route of `routes` but none of them takes `method`;
 * undefined when the method is fine, the path is no route (a 404 as before), or the method
 * is OPTIONS (left to CORS / the not-found handler, as before). A GET route takes HEAD.
 */
export function disallowed(
  routes: readonly DeclaredRoute[],
  method: string,
  path: string,
): string[] | undefined {
  if (method.toUpperCase() === 'OPTIONS') return undefined;
  const declared = new Set<string>();
  for (const route of routes) {
    if (route.matches(path)) for (const m of route.methods) declared.add(m.toUpperCase());
  }
  if (declared.size === 0 || declared.has('_ALL')) return undefined;
  if (declared.has('GET')) declared.add('HEAD');
  if (declared.has(method.toUpperCase())) return undefined;
  return [...declared].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/**
 * 405 with `Allow` and the API's error body for a method no route of the path declares.
 * Mounted ahead of the body parser and of every Nest middleware (the JSON content-type rule
 * would otherwise answer 415 first). The method table is read from the router on the first
 * request, when `app.init()` has registered every route, so new routes need nothing here.
 */
export function methodNotAllowed(app: Application): RequestHandler {
  let routes: DeclaredRoute[] | undefined;
  // Matching a path against every route costs more than the rest of a small request's
  // routing: answers are kept for the paths seen most (the API's are mostly fixed).
  const answers = new Map<string, string[] | undefined>();
  return (req, res, next) => {
    if (!routes?.length) routes = declaredRoutes(app);
    const key = `${req.method} ${req.path}`;
    let allow = answers.get(key);
    if (allow === undefined && !answers.has(key)) {
      allow = disallowed(routes, req.method, req.path);
      if (answers.size >= ANSWERS_KEPT) answers.clear();
      if (routes.length > 0) answers.set(key, allow);
    }
    if (!allow) return next();
    requestIdOf(req, res);
    res.setHeader('Allow', allow.join(', '));
    next(
      new ApiError(
        ErrorCode.METHOD_NOT_ALLOWED,
        `${req.method} is not allowed on ${req.path} (allowed: ${allow.join(', ')})`,
      ),
    );
  };
}
