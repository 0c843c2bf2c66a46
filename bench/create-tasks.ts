/**
 * Task-create throughput: HTTP POST /v1/api/task against a real task center process on the
 * local stack. Prints requests/s and latency percentiles from an HDR histogram.
 *
 *   npm run bench:create -- [--requests 20000] [--concurrency 32] [--quick]
 */
import { Agent, request } from 'node:http';
import * as hdr from 'hdr-histogram-js';
import {
  args,
  describeMachine,
  dropDatabase,
  requireEnv,
  startCenter,
  stopCenter,
  withDatabase,
} from './support';

const opts = args({ requests: 20_000, concurrency: 32, warmup: 1000, quick: false });
if (opts.quick) Object.assign(opts, { requests: 3000, warmup: 300 });

const agent = new Agent({ keepAlive: true, maxSockets: opts.concurrency });

function post(url: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/v1/api/task`,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A realistic mix: one-shots an hour out, 1-minute loops, and crontab tasks. */
function body(i: number): string {
  const start = Math.floor(Date.now() / 1000) + 3600;
  const kinds = [
    { type: 1, start_time: start },
    { type: 2, loop_time: 60, start_time: start },
    { type: 3, crontab: '0 */5 * * * *', timezone: 'Europe/Berlin' },
  ];
  return JSON.stringify({
    name: `bench.create.${i % 50}`,
    data: JSON.stringify({ i, pad: 'x'.repeat(64) }),
    ...kinds[i % 3],
  });
}

async function run(url: string, count: number, offset: number, histogram?: hdr.Histogram) {
  let next = 0;
  let failures = 0;
  const worker = async () => {
    while (next < count) {
      const i = offset + next++;
      const t0 = process.hrtime.bigint();
      const status = await post(url, body(i));
      histogram?.recordValue(Number(process.hrtime.bigint() - t0) / 1000);
      if (status !== 200) failures++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  return { seconds: (performance.now() - started) / 1000, failures };
}

async function main() {
  const mongoUri = withDatabase(requireEnv('MONGODB_URI'), `bench_create_${Date.now()}`);
  const machine = await describeMachine(mongoUri);
  const { child, url } = await startCenter({
    MONGODB_URI: mongoUri,
    KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'),
  });
  try {
    process.stderr.write(`warming up with ${opts.warmup} creates…\n`);
    await run(url, opts.warmup, 0);
    process.stderr.write(
      `measuring ${opts.requests} creates at concurrency ${opts.concurrency}…\n`,
    );
    const histogram = hdr.build({
      lowestDiscernibleValue: 1,
      highestTrackableValue: 60_000_000,
      numberOfSignificantValueDigits: 3,
    });
    const { seconds, failures } = await run(url, opts.requests, opts.warmup, histogram);
    const ms = (p: number) => (histogram.getValueAtPercentile(p) / 1000).toFixed(2);
    console.log(`\ntask create throughput (POST /v1/api/task)`);
    console.log(`machine:      ${machine}`);
    console.log(
      `requests:     ${opts.requests} at concurrency ${opts.concurrency} (client and server share the machine)`,
    );
    console.log(`throughput:   ${(opts.requests / seconds).toFixed(0)} creates/s`);
    console.log(
      `latency ms:   p50 ${ms(50)}  p90 ${ms(90)}  p99 ${ms(99)}  max ${(histogram.maxValue / 1000).toFixed(2)}`,
    );
    console.log(`non-200:      ${failures}`);
    if (failures > 0) process.exitCode = 1;
  } finally {
    await stopCenter(child);
    await dropDatabase(mongoUri);
    agent.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
