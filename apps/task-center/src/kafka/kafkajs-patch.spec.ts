/**
 * patches/kafkajs+2.2.4.patch (applied by `npm ci`'s postinstall) rewrites three steps of
 * kafkajs's produce path that cost milliseconds per 1,000 fires:
 * - the record encoder: upstream allocates a zero-filled 512-byte Encoder per record and per
 *   header, which made encoding 1,000 fires with our 7 headers cost ~12 ms of the ~27 ms to
 *   their ack. Held to upstream's bytes, rebuilt here from kafkajs's own Encoder and Header
 *   modules (which the patch leaves alone);
 * - the default partitioner's murmur2 (64-bit Long objects for 32-bit arithmetic: 2.6 ms ->
 *   0.13 ms per 1,000 keys), held to upstream's Long-based version and Kafka's test vectors;
 * - the grouping of messages by partition (copied each partition's array per message).
 * It also lets the produce request carry a record batch encoded by the caller: held to
 * kafkajs's own bytes in record-batch.spec.ts.
 */
import { readFileSync } from 'node:fs';

type Headers = Record<string, string | Buffer | (string | Buffer)[]>;
interface RecordInput {
  offsetDelta?: number;
  timestampDelta?: number;
  key?: string | Buffer | null;
  value?: string | Buffer | null;
  headers?: Headers;
}
interface EncoderLike {
  buffer: Buffer;
  writeVarInt(n: number): EncoderLike;
  writeInt8(n: number): EncoderLike;
  writeVarLong(n: number): EncoderLike;
  writeVarIntBytes(v: unknown): EncoderLike;
  writeVarIntArray(a: EncoderLike[]): EncoderLike;
}
interface EncoderClass {
  new (): EncoderLike;
  sizeOfVarInt(n: number): number;
  sizeOfVarLong(n: number): number;
  sizeOfVarIntBytes(v: unknown): number;
}

const RECORD = 'kafkajs/src/protocol/recordBatch/record/v0';
/* eslint-disable @typescript-eslint/no-require-imports -- kafkajs internals have no types */
const record = require(RECORD) as (input: RecordInput) => EncoderLike;
const Encoder = require('kafkajs/src/protocol/encoder') as EncoderClass;
const Header = require('kafkajs/src/protocol/recordBatch/header/v0') as (h: {
  key: string;
  value: string | Buffer;
}) => EncoderLike;
/* eslint-enable @typescript-eslint/no-require-imports */

/** kafkajs 2.2.4's Record v0 encoder as released (src/protocol/recordBatch/record/v0). */
function upstreamRecord({
  offsetDelta = 0,
  timestampDelta = 0,
  key,
  value,
  headers = {},
}: RecordInput): Buffer {
  const headersArray = Object.keys(headers).flatMap((headerKey) => {
    const v = headers[headerKey]!;
    return Array.isArray(v)
      ? v.map((value) => ({ key: headerKey, value }))
      : [{ key: headerKey, value: v }];
  });
  let sizeOfHeaders = Encoder.sizeOfVarInt(headersArray.length);
  for (const header of headersArray) {
    const keySize = Buffer.byteLength(header.key);
    const valueSize = Buffer.byteLength(header.value);
    sizeOfHeaders +=
      Encoder.sizeOfVarInt(keySize) + keySize + Encoder.sizeOfVarInt(valueSize) + valueSize;
  }
  const sizeOfBody =
    1 +
    Encoder.sizeOfVarLong(timestampDelta) +
    Encoder.sizeOfVarInt(offsetDelta) +
    Encoder.sizeOfVarIntBytes(key) +
    Encoder.sizeOfVarIntBytes(value) +
    sizeOfHeaders;
  return new Encoder()
    .writeVarInt(sizeOfBody)
    .writeInt8(0)
    .writeVarLong(timestampDelta)
    .writeVarInt(offsetDelta)
    .writeVarIntBytes(key)
    .writeVarIntBytes(value)
    .writeVarIntArray(headersArray.map(Header)).buffer;
}

/** Deterministic pseudo-random source, so a failure reproduces. */
function random(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s % n;
  };
}

describe('kafkajs record encoder (patched)', () => {
  it('is the patched one (postinstall applied patches/kafkajs+2.2.4.patch)', () => {
    const source = readFileSync(require.resolve(RECORD), 'utf8');
    expect(source).toContain('Encoded into one buffer of the exact size');
  });

  it('writes the bytes of one of our fires exactly as upstream does', () => {
    const fire: RecordInput = {
      offsetDelta: 41,
      timestampDelta: 3,
      key: '6560f0c2a1b2c3d4e5f60001',
      value: '{"order":42,"note":"é 𝄞"}',
      headers: {
        'tc-tag': 'billing.invoice',
        'tc-task-id': '6560f0c2a1b2c3d4e5f60001',
        'tc-message-id': '6560f0c2a1b2c3d4e5f60001:1795249932000:1',
        'tc-scheduled-at': '1795249932000',
        'tc-published-at': '1795249932003',
        'tc-attempt': '1',
        'tc-task-type': '2',
      },
    };
    const bytes = record(fire).buffer;
    expect(bytes.toString('hex')).toBe(upstreamRecord(fire).toString('hex'));
    expect(bytes.includes(Buffer.from('billing.invoice'))).toBe(true);
  });

  it('matches upstream on 2,000 random records (unicode, buffers, nulls, array headers, large deltas)', () => {
    const rnd = random(20_261_121);
    const alphabet = ['a', 'é', '𝄞', 'z', '0', ':', '\u0000', '漢'];
    const text = (max: number) =>
      Array.from({ length: rnd(max) }, () => alphabet[rnd(alphabet.length)]).join('');
    const bytes = (max: number) => (rnd(2) ? text(max) : Buffer.from(text(max)));
    const deltas = [
      0,
      1,
      -1,
      2 ** 30 - 1,
      2 ** 30,
      -(2 ** 30),
      2 ** 31 + 7,
      -(2 ** 40),
      86_400_000,
    ];
    let compared = 0;
    for (let i = 0; i < 2000; i++) {
      const headers: Headers = {};
      for (let h = rnd(10); h > 0; h--)
        headers[`${text(12)}${h}`] = rnd(4) === 0 ? [bytes(40), bytes(40)] : bytes(300);
      const input: RecordInput = {
        offsetDelta: rnd(5) === 0 ? rnd(2 ** 31) : rnd(1000),
        timestampDelta: rnd(3) === 0 ? deltas[rnd(deltas.length)] : rnd(5000),
        key: [null, undefined, bytes(40)][rnd(3)],
        value: [null, bytes(400), bytes(1500)][rnd(3)],
        ...(rnd(10) > 0 && { headers }),
      };
      const ours = record(input).buffer;
      const theirs = upstreamRecord(input);
      if (!ours.equals(theirs))
        expect({ i, input, hex: ours.toString('hex') }).toEqual({
          i,
          input,
          hex: theirs.toString('hex'),
        });
      compared++;
    }
    expect(compared).toBe(2000);
  });
});

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
