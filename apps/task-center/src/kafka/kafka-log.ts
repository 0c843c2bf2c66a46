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
    const broker = log.broker ? ` (broker ${String(log.broker)})` : '';
    const line = `${namespace}: ${log.message}${broker}`;
    // Numbers vary between repeats ("Restarting the consumer in 1138ms"): not a new condition.
    const key = `${namespace}: ${String(log.message).replace(/\d+/g, 'N')}${broker}`;
    const now = Date.now();
    const seen = lastSeen.get(key);
    if (seen !== undefined && now - seen < REPEAT_WINDOW_MS) return;
    lastSeen.set(key, now);
    if (lastSeen.size > 1000) lastSeen.clear();
    logger.warn(line);
  };
};
