import { Kafka, logLevel } from 'kafkajs';
import { type AppConfig } from '../config';
import { FirePublisher } from './fire-publisher';
import { type KafkaAdminService } from './kafka-admin.service';

describe('FirePublisher', () => {
  it('creates its producer without a kafkajs warning a user cannot act on (the partitioner notice)', () => {
    const warnings: string[] = [];
    // No broker is contacted: creating a producer only builds it.
    const kafka = new Kafka({
      brokers: ['127.0.0.1:1'],
      logLevel: logLevel.WARN,
      logCreator: () => (entry) => {
        if (entry.level <= logLevel.WARN) warnings.push(entry.log.message);
      },
    });
    const before = process.env.KAFKAJS_NO_PARTITIONER_WARNING;
    delete process.env.KAFKAJS_NO_PARTITIONER_WARNING;
    try {
      new FirePublisher(kafka, {} as AppConfig, {} as KafkaAdminService);
    } finally {
      if (before !== undefined) process.env.KAFKAJS_NO_PARTITIONER_WARNING = before;
    }
    expect(warnings).toEqual([]);
  });
});
