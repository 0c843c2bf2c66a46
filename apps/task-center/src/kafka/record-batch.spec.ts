import { crc32c, encodeRecordBatch, RECORD_BATCH, restamp, type BatchRecord } from './record-batch';

interface EncoderLike {
  buffer: Buffer;
}
/* eslint-disable @typescript-eslint/no-require-imports -- kafkajs internals have no types */
const kafkajsCrc32c = require('kafkajs/src/protocol/recordBatch/crc32C') as (b: Buffer) => number;
const produceV3 = require('kafkajs/src/protocol/requests/produce/v3/request') as (r: {
  acks: number;
  timeout: number;
  compression: number;
  topicData: {
    topic: string;
    partitions: { partition: number; firstSequence: number; messages: object[] }[];
  }[];
}) => { encode(): Promise<EncoderLike> };
/* eslint-enable @typescript-eslint/no-require-imports */

/** Deterministic pseudo-random source, so a failure reproduces. */
function random(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1_103_515_245) + 12_345) >>> 0;
    return s % n;
  };
}

const ALPHABET = ['a', 'Z', '0', ':', '{', 'é', '€', '漢', '😀', ' ', '"'];
const text = (rnd: (n: number) => number, max: number): string =>
  Array.from({ length: rnd(max + 1) }, () => ALPHABET[rnd(ALPHABET.length)]).join('');

function fire(i: number, publishedAt: number, rnd = random(i)): BatchRecord {
  const id = (0x6740_0000 + i).toString(16).padStart(24, '0');
  return {
    key: id,
    value: text(rnd, 200),
    headers: {
      'tc-tag': `tag-${text(rnd, 20)}`,
      'tc-task-id': id,
      'tc-message-id': `${id}:1795260000000:1`,
      'tc-published-at': String(publishedAt),
      'tc-attempt': String(1 + rnd(3)),
      ...(rnd(2) === 0 ? { 'tc-ack': 'true' } : {}),
    },
  };
}

/** kafkajs's own produce request (v3 encoder, used up to v7) for one partition. */
async function kafkajsRequest(partition: number, messages: object[]): Promise<Buffer> {
  const request = produceV3({
    acks: -1,
    timeout: 10_000,
    compression: 0,
    topicData: [{ topic: 'tasks', partitions: [{ partition, firstSequence: 0, messages }] }],
  });
  return (await request.encode()).buffer;
}

describe('CRC-32C', () => {
  it('is the Castagnoli check value, and kafkajs on 500 random buffers and offsets', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    const rnd = random(20_261_121);
    for (let i = 0; i < 500; i++) {
      const buf = Buffer.from(Array.from({ length: rnd(300) }, () => rnd(256)));
      const start = rnd(Math.min(buf.length, 12) + 1);
      expect(crc32c(buf, start)).toBe(kafkajsCrc32c(buf.subarray(start)));
    }
  });
});

describe('encodeRecordBatch', () => {
  const at = 1_795_260_001_234;

  it.each([1, 7, 64, 300])(
    'sends the bytes kafkajs sends for %i fires (produce request, one partition)',
    async (n) => {
      const records = Array.from({ length: n }, (_, i) => fire(i, at));
      const batch = encodeRecordBatch(records, at, 'tc-published-at');
      const ours = await kafkajsRequest(3, [{ [RECORD_BATCH]: batch.buffer }]);
      const theirs = await kafkajsRequest(
        3,
        records.map((r) => ({ ...r, timestamp: String(at) })),
      );
      expect(ours.equals(theirs)).toBe(true);
    },
  );

  it('is refused beside other messages of its partition (kafkajs would encode it as an empty record)', async () => {
    const batch = encodeRecordBatch([fire(1, at)], at, 'tc-published-at');
    await expect(
      kafkajsRequest(0, [
        { ...fire(2, at), timestamp: String(at) },
        { [RECORD_BATCH]: batch.buffer },
      ]),
    ).rejects.toThrow(/must be its only message/);
  });

  it('re-stamps in place: same bytes as a batch encoded at the new time', () => {
    const later = at + 17;
    const batch = encodeRecordBatch(
      Array.from({ length: 50 }, (_, i) => fire(i, at)),
      at,
      'tc-published-at',
    );
    expect(restamp(batch, later)).toBe(true);
    const fresh = encodeRecordBatch(
      Array.from({ length: 50 }, (_, i) => fire(i, later)),
      later,
      'tc-published-at',
    );
    expect(batch.buffer.equals(fresh.buffer)).toBe(true);
    expect(batch.timestamp).toBe(later);
  });

  it('refuses a stamp of another width instead of corrupting the batch', () => {
    const batch = encodeRecordBatch([fire(1, at)], at, 'tc-published-at');
    const before = Buffer.from(batch.buffer);
    expect(restamp(batch, 10_000_000_000_000)).toBe(false);
    expect(batch.buffer.equals(before)).toBe(true);
  });

  it('rejects records whose stamp header is missing or is not the batch time', () => {
    const headers: Record<string, string> = { ...fire(1, at).headers };
    delete headers['tc-published-at'];
    expect(() => encodeRecordBatch([{ ...fire(1, at), headers }], at, 'tc-published-at')).toThrow(
      /missing from 1 record/,
    );
    expect(() =>
      encodeRecordBatch([fire(1, at + 1)], at + 10_000_000_000_000, 'tc-published-at'),
    ).toThrow(/does not hold the batch timestamp/);
    expect(() => encodeRecordBatch([], at)).toThrow(/at least one record/);
  });
});
