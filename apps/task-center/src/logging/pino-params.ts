import { type Params } from 'nestjs-pino';
import { type Level } from 'pino';
import { type AppConfig } from '../config';
import { requestIdOf } from './request-id';

const LEVELS: Record<AppConfig['logLevel'], Level> = {
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/**
 * JSON logs: one object per line, `context` = the Nest logger's name, `reqId` on request
 * lines. Requests are logged at debug (5xx at error), so info stays one line per state
 * change. Headers are not logged (and those that carry credentials are redacted besides).
 */
export function pinoParams(config: AppConfig): Params {
  return {
    pinoHttp: {
      level: LEVELS[config.logLevel],
      base: { service: 'task-center' },
      genReqId: requestIdOf,
      // Lines logged while serving a request carry `reqId`; the request line itself is short.
      quietReqLogger: true,
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          url: req.url,
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'debug'),
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers["x-api-key"]',
          'req.headers.cookie',
          'res.headers["set-cookie"]',
        ],
        censor: '***',
      },
    },
  };
}
