import { type AppConfig } from '../config';

/** The base URL a person on this machine opens: a wildcard bind address reads as localhost. */
export function baseUrl(http: AppConfig['http']): string {
  const { host, port } = http;
  const name = ['0.0.0.0', '::', '[::]'].includes(host)
    ? 'localhost'
    : host.includes(':') && !host.startsWith('[')
      ? `[${host}]`
      : host;
  return `http://${name}:${port}`;
}

/**
 * The task center's first log line: where the API, the OpenAPI docs and the dashboard are
 * (the paths `setupApp` and the controllers serve). `dashboardDir`: the built dashboard found,
 * or null.
 */
export function startupLine(config: AppConfig, dashboardDir: string | null): string {
  const base = baseUrl(config.http);
  const dashboard = !config.dashboard.enabled
    ? 'dashboard off (DASHBOARD_ENABLED=false)'
    : dashboardDir === null
      ? `dashboard ${base}/dashboard/ (not built: run npm run build:dashboard)`
      : `dashboard ${base}/dashboard/`;
  return `starting: API ${base}/v1/api · OpenAPI docs ${base}/docs · ${dashboard}`;
}
