import { Logger } from '@nestjs/common';
import { type logCreator, logLevel } from 'kafkajs';

const REPEAT_WINDOW_MS = 30_000;

/**
 * Routes kafkajs logs (warnings and errors only) into the Nest logger and collapses
 * repeats: while a broker is down kafkajs reports the same connection error on every
 * retry, and one line per condition is what an operator wants to read.
 */
export const kafkaLogCreator: logCreator = () => {
  const logger = new Logger('Kafka');
  const lastSeen = new Map<string, number>();
  return ({ namespace, level, log }) => {
    if (level > logLevel.WARN) return;
    const line = `${namespace}: ${log.message}${log.broker ? ` (broker ${String(log.broker)})` : ''}`;
    const now = Date.now();
    const seen = lastSeen.get(line);
    if (seen !== undefined && now - seen < REPEAT_WINDOW_MS) return;
    lastSeen.set(line, now);
    if (lastSeen.size > 1000) lastSeen.clear();
    logger.warn(line);
  };
};
