/**
 * patches/kafkajs+2.2.4.patch (applied by `npm ci`'s postinstall) replaces kafkajs's record
 * encoder: upstream allocates a zero-filled 512-byte Encoder per record and per header, which
 * made encoding 1,000 fires with our 7 headers cost ~12 ms of the ~27 ms to their ack. These
 * specs hold the patched encoder to upstream's bytes, rebuilt here from kafkajs's own Encoder
 * and Header modules (which the patch leaves alone).
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
