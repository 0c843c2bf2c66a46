/**
 * patches/kafkajs+2.2.4.patch also rewrites two steps of kafkajs's produce path that cost
 * milliseconds per 1,000 fires: the default partitioner's murmur2 (64-bit Long objects for
 * 32-bit arithmetic: 2.6 ms -> 0.13 ms per 1,000 keys) and the grouping of messages by
 * partition (copied each partition's array per message). These specs hold them to upstream.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- kafkajs internals have no types */
const murmur2 = require('kafkajs/src/producer/partitioners/default/murmur2') as (
  key: string | Buffer,
) => number;
const groupMessagesPerPartition = require('kafkajs/src/producer/groupMessagesPerPartition') as (
  args: GroupArgs,
) => Record<number, Message[]>;
interface LongLike {
  xor(v: LongLike | number): LongLike;
  multiply(v: LongLike): LongLike;
  toInt(): number;
}
const Long = require('kafkajs/src/utils/long') as { fromValue(v: number | LongLike): LongLike };
/* eslint-enable @typescript-eslint/no-require-imports */

interface Message {
  key: string;
  partition?: number;
}
interface GroupArgs {
  topic: string;
  partitionMetadata: { partitionId: number }[];
  messages: Message[];
  partitioner: (args: { topic: string; message: Message }) => number;
}

/** kafkajs 2.2.4's murmur2 as released (64-bit Long arithmetic, low 32 bits kept). */
function upstreamMurmur2(key: string | Buffer): number {
  const data = Buffer.isBuffer(key) ? key : Buffer.from(String(key));
  const length = data.length;
  const M = Long.fromValue(0x5bd1e995);
  let h = Long.fromValue(Long.fromValue(0x9747b28c).xor(length));
  for (let i = 0; i < Math.floor(length / 4); i++) {
    const i4 = i * 4;
    let k = Long.fromValue(
      (data[i4]! & 0xff) +
        ((data[i4 + 1]! & 0xff) << 8) +
        ((data[i4 + 2]! & 0xff) << 16) +
        ((data[i4 + 3]! & 0xff) << 24),
    );
    k = k.multiply(M);
    k = k.xor(k.toInt() >>> 24);
    k = Long.fromValue(k).multiply(M);
    h = h.multiply(M);
    h = h.xor(k);
  }
  const rest = length & ~3;
  if (length % 4 === 3) h = h.xor((data[rest + 2]! & 0xff) << 16);
  if (length % 4 >= 2) h = h.xor((data[rest + 1]! & 0xff) << 8);
  if (length % 4 >= 1) h = h.xor(data[rest]! & 0xff).multiply(M);
  h = h.xor(h.toInt() >>> 13);
  h = h.multiply(M);
  h = h.xor(h.toInt() >>> 15);
  return h.toInt();
}

/** Deterministic pseudo-random source, so a failure reproduces. */
function random(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s % n;
  };
}

describe('kafkajs murmur2 (patched)', () => {
  it("gives Kafka's own test vectors (Java client's Utils.murmur2)", () => {
    const vectors: Record<string, number> = {
      '21': -973932308,
      foobar: -790332482,
      'a-little-bit-long-string': -985981536,
      'a-little-bit-longer-string': -1486304829,
      lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8: -58897971,
      abc: 479470107,
    };
    const got = Object.fromEntries(Object.keys(vectors).map((k) => [k, murmur2(k)]));
    expect(got).toEqual(vectors);
  });

  it('matches upstream on 20,000 random keys of 0-70 bytes, and on our task ids', () => {
    const rnd = random(20_261_121);
    const mismatches: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const key = Buffer.from(Array.from({ length: rnd(71) }, () => rnd(256)));
      if (murmur2(key) !== upstreamMurmur2(key)) mismatches.push(key.toString('hex'));
    }
    for (let i = 0; i < 1000; i++) {
      const id = `6560f0c2a1b2c3d4e5f6${String(i).padStart(4, '0')}`;
      if (murmur2(id) !== upstreamMurmur2(id)) mismatches.push(id);
    }
    expect(mismatches).toEqual([]);
  });
});

describe('kafkajs groupMessagesPerPartition (patched)', () => {
  it('groups by partition in message order, as upstream', () => {
    const messages = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}` }));
    const groups = groupMessagesPerPartition({
      topic: 't',
      partitionMetadata: [{ partitionId: 0 }, { partitionId: 1 }, { partitionId: 2 }],
      messages,
      partitioner: ({ message }) => Number(message.key.slice(1)) % 3,
    });
    expect(Object.keys(groups).sort()).toEqual(['0', '1', '2']);
    for (const p of [0, 1, 2]) expect(groups[p]).toEqual(messages.filter((_, i) => i % 3 === p));
    expect(groupMessagesPerPartition({ ...groupArgs(), partitionMetadata: [] })).toEqual({});
  });
});

function groupArgs(): GroupArgs {
  return { topic: 't', partitionMetadata: [], messages: [{ key: 'a' }], partitioner: () => 0 };
}
