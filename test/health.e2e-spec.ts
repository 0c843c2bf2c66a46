import { type INestApplication } from '@nestjs/common';
import request from 'supertest';
import { type AppConfig } from '../apps/task-center/src/config';
import { KafkaAdminService } from '../apps/task-center/src/kafka/kafka-admin.service';
import { startApp, stopApp } from './support/app';
import { isolatedConfig } from './support/stack';

describe('task center boot (real MongoDB + Kafka)', () => {
  let app: INestApplication;
  let config: AppConfig;

  beforeAll(async () => {
    config = isolatedConfig({ KAFKA_TOPIC_PARTITIONS: '3' });
    app = await startApp(config);
  });
  afterAll(() => stopApp(app));

  it('GET /health reports MongoDB and Kafka separately, both up', async () => {
    const res = await request(app.getHttpServer()).get('/health').expect(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      details: { mongodb: { status: 'up' }, kafka: { status: 'up', brokers: 1 } },
    });
  });

  it('creates its three topics at startup with the configured partition count', async () => {
    const admin = app.get(KafkaAdminService);
    const { tasks, results, deadLetter } = config.kafka.topics;
    for (const topic of [tasks, results, deadLetter]) {
      expect(await admin.partitionsOf(topic)).toBe(3);
    }
  });

  it('serves the OpenAPI document', async () => {
    const res = await request(app.getHttpServer()).get('/docs-json').expect(200);
    expect(res.body.info.title).toBe('Task Center');
    expect(Object.keys(res.body.paths)).toContain('/health');
  });
});
