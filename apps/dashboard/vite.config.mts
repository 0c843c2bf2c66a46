import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');

/**
 * The dashboard: Preact + Vite, served by the task center at /dashboard/. Relative URLs
 * (`base: './'`) so that it works behind a path prefix; no inline script or style (the page's
 * CSP allows neither). `TASK_CENTER_URL` (dev only): where `npm run dev:dashboard` proxies
 * `/v1/api` to.
 */
export default defineConfig({
  root: here,
  base: './',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  resolve: {
    alias: {
      '@task-center/client/http': resolve(root, 'libs/client/src/http/task-center-client.ts'),
      '@task-center/client/types': resolve(root, 'libs/client/src/http/task-center.types.ts'),
      '@task-center/client/errors': resolve(root, 'libs/client/src/http/task-center-api.error.ts'),
      '@task-center/contracts': resolve(root, 'libs/contracts/src/browser.ts'),
    },
  },
  build: {
    outDir: process.env.DASHBOARD_OUT_DIR ?? resolve(root, 'dist/dashboard'),
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: true,
  },
  server: {
    port: 5173,
    proxy: { '/v1/api': process.env.TASK_CENTER_URL ?? 'http://127.0.0.1:3000' },
  },
});
