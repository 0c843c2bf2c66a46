import { Logger, type LoggerService } from '@nestjs/common';
import { loadConfig } from '../config';
import { appLogger, QuietFrameworkLogger } from './app-logger';

const base = { MONGODB_URI: 'mongodb://127.0.0.1:27017/tc', KAFKA_BROKERS: '127.0.0.1:9092' };

describe('QuietFrameworkLogger', () => {
  const recorded: string[] = [];
  const inner: LoggerService = {
    log: (message: unknown) => recorded.push(`log ${String(message)}`),
    error: (message: unknown) => recorded.push(`error ${String(message)}`),
    warn: (message: unknown) => recorded.push(`warn ${String(message)}`),
    debug: (message: unknown) => recorded.push(`debug ${String(message)}`),
  };

  beforeEach(() => (recorded.length = 0));

  it("moves Nest's start-up lines to debug and passes everything else as it came", () => {
    const quiet = new QuietFrameworkLogger(inner);
    quiet.log('AppModule dependencies initialized', 'InstanceLoader');
    quiet.log('Mapped {/v1/api/task, POST} route', 'RouterExplorer');
    quiet.log('took 16 shards (0-15)', 'ShardLeases');
    quiet.warn('API_KEYS is not set', 'ApiKeys');
    quiet.error('no route to the broker', undefined, 'RouterExplorer');
    expect(recorded).toEqual([
      'debug AppModule dependencies initialized',
      'debug Mapped {/v1/api/task, POST} route',
      'log took 16 shards (0-15)',
      'warn API_KEYS is not set',
      'error no route to the broker',
    ]);
  });
});

describe('appLogger (pretty)', () => {
  let written: string[];
  beforeEach(() => {
    written = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
  });
  afterEach(() => {
    jest.restoreAllMocks();
    Logger.overrideLogger(true);
  });

  const emitStartup = () => {
    new Logger('InstanceLoader').log('AppModule dependencies initialized');
    new Logger('RoutesResolver').log('TasksController {/v1/api}:');
    new Logger('TaskCenter').log('took 16 shards (0-15)');
  };

  it('at LOG_LEVEL=log, prints the center’s lines and none of Nest’s module and route lines', () => {
    Logger.overrideLogger(appLogger(loadConfig({ ...base, LOG_FORMAT: 'pretty' })));
    emitStartup();
    const out = written.join('');
    expect(out).toContain('took 16 shards (0-15)');
    expect(out).not.toContain('dependencies initialized');
    expect(out).not.toContain('TasksController');
  });

  it('at LOG_LEVEL=debug, prints those too', () => {
    Logger.overrideLogger(
      appLogger(loadConfig({ ...base, LOG_FORMAT: 'pretty', LOG_LEVEL: 'debug' })),
    );
    emitStartup();
    const out = written.join('');
    expect(out).toContain('AppModule dependencies initialized');
    expect(out).toContain('TasksController {/v1/api}:');
    expect(out).toContain('took 16 shards (0-15)');
  });
});
