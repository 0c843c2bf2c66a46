import { type LogEntry, logLevel } from 'kafkajs';

/** Where the worker writes. `console` and a Nest `Logger` both fit. */
export interface WorkerLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug?(message: string): void;
}

export const consoleLogger: WorkerLogger = {
  log: (m) => console.log(`[task-worker] ${m}`),
  warn: (m) => console.warn(`[task-worker] ${m}`),
  error: (m) => console.error(`[task-worker] ${m}`),
};

/** Routes kafkajs' own warnings and errors to the worker's logger, one line each. */
export function kafkaLogCreator(logger: WorkerLogger) {
  return () =>
    ({ namespace, level, log }: LogEntry): void => {
      const line = `kafkajs${namespace ? ` ${namespace}` : ''}: ${log.message}`;
      if (level === logLevel.ERROR) logger.error(line);
      else if (level === logLevel.WARN) logger.warn(line);
      else logger.debug?.(line);
    };
}
