import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, {
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';

/** Hashed file names (Vite's `assets/*-<hash>.js`): cached for good. */
const IMMUTABLE = /^\/assets\//;

/**
 * Serves the dashboard's static files under `/dashboard/`. The page uses relative URLs only,
 * so it works behind a path prefix; `/dashboard` redirects to `dashboard/` (relative, for the
 * same reason). Without a build, a plain 404 says how to make one.
 */
export function dashboardFiles(dir: string | null): RequestHandler {
  const index = dir && join(dir, 'index.html');
  const files =
    dir &&
    express.static(dir, {
      index: 'index.html',
      redirect: false,
      fallthrough: true,
      setHeaders: (res, path) => {
        const relative = path.slice(dir.length).replaceAll('\\', '/');
        res.setHeader(
          'Cache-Control',
          IMMUTABLE.test(relative) ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
      },
    });
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    // Mounted at /dashboard: req.path is what follows it.
    if (req.originalUrl.split('?')[0] === req.baseUrl) {
      res.redirect(301, `${req.baseUrl.split('/').pop() ?? 'dashboard'}/`);
      return;
    }
    if (!files || !index || !existsSync(index)) {
      res
        .status(404)
        .type('text/plain')
        .send('The dashboard is not built: run `npm run build` (or set DASHBOARD_DIR).\n');
      return;
    }
    files(req, res, () => res.status(404).type('text/plain').send('Not found.\n'));
  };
}
