import { type Message, type ProducerRecord } from 'kafkajs';
import { CoalescingSender } from './results-publisher';

/** A producer whose requests the test completes by hand, in order. */
class ManualProducer {
  readonly requests: { values: string[]; done: (err?: Error) => void }[] = [];

  send(record: ProducerRecord): Promise<never[]> {
    return new Promise((resolve, reject) => {
      this.requests.push({
        values: record.messages.map((m: Message) => String(m.value)),
        done: (err) => (err ? reject(err) : resolve([])),
      });
    });
  }
}

const tick = () => new Promise((r) => setImmediate(r));
const msg = (value: string): Message => ({ key: 'k', value });

describe('CoalescingSender', () => {
  it('sends a lone message at once, and what arrives meanwhile together in the next request', async () => {
    const producer = new ManualProducer();
    const sender = new CoalescingSender(producer, 'results');
    const settled: string[] = [];
    const send = (v: string) => sender.send(msg(v)).then(() => settled.push(v));
    void send('a');
    await tick();
    expect(producer.requests.map((r) => r.values)).toEqual([['a']]);
    void send('b');
    void send('c');
    await tick();
    expect(producer.requests).toHaveLength(1); // one request at a time
    producer.requests[0]!.done();
    await tick();
    expect(settled).toEqual(['a']);
    expect(producer.requests.map((r) => r.values)).toEqual([['a'], ['b', 'c']]);
    producer.requests[1]!.done();
    await tick();
    expect(settled).toEqual(['a', 'b', 'c']);
  });

  it('rejects every message of a failed request, and keeps sending the ones after it', async () => {
    const producer = new ManualProducer();
    const sender = new CoalescingSender(producer, 'results');
    const outcome: Record<string, string> = {};
    const send = (v: string) =>
      sender.send(msg(v)).then(
        () => (outcome[v] = 'sent'),
        (err: Error) => (outcome[v] = err.message),
      );
    void send('a');
    await tick();
    void send('b');
    void send('c');
    producer.requests[0]!.done(new Error('broker down'));
    await tick();
    expect(outcome).toEqual({ a: 'broker down' });
    producer.requests[1]!.done();
    await tick();
    expect(outcome).toEqual({ a: 'broker down', b: 'sent', c: 'sent' });
  });

  it('splits a long queue into requests of at most maxPerRequest, in order', async () => {
    const producer = new ManualProducer();
    const sender = new CoalescingSender(producer, 'results', 2);
    const all = ['a', 'b', 'c', 'd', 'e'].map((v) => sender.send(msg(v)));
    for (let i = 0; i < 3; i++) {
      await tick();
      producer.requests[i]!.done();
    }
    await Promise.all(all);
    expect(producer.requests.map((r) => r.values)).toEqual([['a'], ['b', 'c'], ['d', 'e']]);
  });
});
