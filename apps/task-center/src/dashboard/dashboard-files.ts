import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * Where the built dashboard is: `DASHBOARD_DIR` when set, else the first `dist/dashboard`
 * (what `npm run build` writes) above this file: `dist/apps/task-center/` in the bundle,
 * `apps/task-center/src/dashboard/` when run from source (tests, dev).
 */
export function findDashboardDir(configured: string | undefined, from = __dirname): string | null {
  if (configured !== undefined) return resolve(configured);
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'dist', 'dashboard');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    if (dirname(dir) === dir) return null;
  }
}
