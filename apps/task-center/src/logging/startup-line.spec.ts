import { loadConfig } from '../config';
import { baseUrl, startupLine } from './startup-line';

const base = { MONGODB_URI: 'mongodb://127.0.0.1:27017/tc', KAFKA_BROKERS: '127.0.0.1:9092' };

describe('startupLine', () => {
  it('names the API, the OpenAPI docs and the dashboard on localhost for a wildcard bind', () => {
    expect(startupLine(loadConfig(base), '/srv/dist/dashboard')).toBe(
      'starting: API http://localhost:3000/v1/api · OpenAPI docs http://localhost:3000/docs · dashboard http://localhost:3000/dashboard/',
    );
  });

  it('says how to build the dashboard when it is not built, and when it is off', () => {
    const config = loadConfig({ ...base, PORT: '3999', HOST: '127.0.0.1' });
    expect(startupLine(config, null)).toContain(
      'dashboard http://127.0.0.1:3999/dashboard/ (not built: run npm run build:dashboard)',
    );
    expect(startupLine(loadConfig({ ...base, DASHBOARD_ENABLED: 'false' }), null)).toContain(
      'dashboard off (DASHBOARD_ENABLED=false)',
    );
  });

  it('brackets an IPv6 bind address and reads :: as localhost', () => {
    expect(baseUrl({ host: '::1', port: 8080, bodyLimitBytes: 1 })).toBe('http://[::1]:8080');
    expect(baseUrl({ host: '::', port: 8080, bodyLimitBytes: 1 })).toBe('http://localhost:8080');
  });
});
