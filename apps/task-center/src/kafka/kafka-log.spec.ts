import { Logger } from '@nestjs/common';
import { logLevel } from 'kafkajs';
import { kafkaLogCreator } from './kafka-log';

describe('kafkaLogCreator', () => {
  let warn: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => warn.mockRestore());

  const entry = (message: string, broker?: string) => ({
    namespace: 'Consumer',
    level: logLevel.WARN,
    label: 'WARN',
    log: { timestamp: '', logger: 'kafkajs', message, ...(broker && { broker }) },
  });

  it('logs a repeat that differs only in its numbers once per window (a consumer restarting every second)', () => {
    const log = kafkaLogCreator(logLevel.WARN);
    for (const ms of [300, 1138, 1210, 1146, 818]) log(entry(`Restarting the consumer in ${ms}ms`));
    expect(warn.mock.calls.map(([line]) => line as string)).toEqual([
      'Consumer: Restarting the consumer in 300ms',
    ]);
  });

  it('keeps lines about different brokers and different texts apart', () => {
    const log = kafkaLogCreator(logLevel.WARN);
    log(entry('Connection error: connect ECONNREFUSED', '127.0.0.1:9092'));
    log(entry('Connection error: connect ECONNREFUSED', '127.0.0.1:9093'));
    log(entry('Crash: KafkaJSNumberOfRetriesExceeded'));
    log(entry('Connection error: connect ECONNREFUSED', '127.0.0.1:9092'));
    expect(warn).toHaveBeenCalledTimes(3);
  });
});
