import { type RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * helmet's defaults (CSP, HSTS, nosniff, frame-ancestors none, no referrer...). The
 * OpenAPI UI under /docs needs inline styles and scripts of its own, so its CSP allows them.
 */
export function securityHeaders(): RequestHandler {
  const api = helmet();
  const docs = helmet({
    contentSecurityPolicy: {
      directives: {
        'script-src': ["'self'", "'unsafe-inline'"],
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:'],
      },
    },
  });
  return (req, res, next) => (req.path.startsWith('/docs') ? docs : api)(req, res, next);
}
