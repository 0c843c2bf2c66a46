import { Kafka, logLevel } from 'kafkajs';
import mongoose, { Schema } from 'mongoose';
import { mongoUriFor, stackEnv, uniqueName, waitFor } from './support/stack';

describe('the local stack', () => {
  it('stores and reads a document through mongoose', async () => {
    const conn = await mongoose
      .createConnection(mongoUriFor(uniqueName('stack').replace(/-/g, '_')))
      .asPromise();
    try {
      const Probe = conn.model('Probe', new Schema({ name: String, at: Number, tags: [String] }));
      const created = await Probe.create({ name: 'probe', at: 42, tags: ['a', 'b'] });
      const found = await Probe.findById(created._id).lean();
      expect(found).toMatchObject({ name: 'probe', at: 42, tags: ['a', 'b'] });
      const updated = await Probe.findOneAndUpdate(
        { _id: created._id },
        { $inc: { at: 1 } },
        { new: true },
      ).lean();
      expect(updated?.at).toBe(43);
    } finally {
      await conn.dropDatabase();
      await conn.close();
    }
  });

  it('produces and consumes a message through kafkajs', async () => {
    const kafka = new Kafka({
      brokers: stackEnv().kafkaBrokers,
      clientId: 'stack-test',
      logLevel: logLevel.NOTHING,
    });
    const topic = uniqueName('stack-probe');
    const admin = kafka.admin();
    const producer = kafka.producer();
    const consumer = kafka.consumer({ groupId: uniqueName('stack-group') });
    await Promise.all([admin.connect(), producer.connect(), consumer.connect()]);
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
      const received: { key?: string; value?: string; header?: string }[] = [];
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          received.push({
            key: message.key?.toString(),
            value: message.value?.toString(),
            header: message.headers?.['probe']?.toString(),
          });
        },
      });
      await producer.send({
        topic,
        messages: [{ key: 'k1', value: '{"hello":"world"}', headers: { probe: 'yes' } }],
      });
      await waitFor('the probe message', () => received.length > 0, { timeoutMs: 30_000 });
      expect(received).toEqual([{ key: 'k1', value: '{"hello":"world"}', header: 'yes' }]);
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }
  });
});
