import { type RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * helmet's defaults (CSP, HSTS, nosniff, frame-ancestors none, no referrer...). The
 * OpenAPI UI under /docs needs inline styles and scripts of its own, so its CSP allows them.
 * The dashboard gets a stricter one than the default: its own files and API only, no inline
 * script or style, no framing, and no upgrade to https (it is often served over plain http
 * inside a network, where the upgrade would break every asset).
 */
export function securityHeaders(): RequestHandler {
  const api = helmet();
  const dashboard = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'"],
        'img-src': ["'self'", 'data:'],
        'font-src': ["'self'"],
        'connect-src': ["'self'"],
        'object-src': ["'none'"],
        'base-uri': ["'none'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
  });
  const docs = helmet({
    contentSecurityPolicy: {
      directives: {
        'script-src': ["'self'", "'unsafe-inline'"],
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:'],
      },
    },
  });
  return (req, res, next) =>
    (req.path.startsWith('/docs') ? docs : req.path.startsWith('/dashboard') ? dashboard : api)(
      req,
      res,
      next,
    );
}
