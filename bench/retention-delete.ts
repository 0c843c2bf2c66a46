/**
 * What one retention statement costs: `deleteMany({rb})` of one bucket among others in the
 * `fires` collection (the purge's statement shape, docs/retention.md), on the stack's
 * MongoDB-wire server. On FerretDB's PostgreSQL backend, the equality is answered from the
 * `rb` index of stack/ferretdb-pg-indexes.sql (applied here after the inserts).
 *
 *   npm run bench:retention -- [--docs 60000] [--buckets 4]
 *
 * Prints the duration of deleting an empty bucket and a full one (`docs` fires).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { args, describeMachine, requireEnv, ROOT, withDatabase } from './support';

const opts = args({ docs: 60_000, buckets: 4 });
const log = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const uri = withDatabase(requireEnv('MONGODB_URI'), `bench_retention_${Date.now()}`);
  log(`machine: ${await describeMachine(uri)}`);
  const client = await mongoose.mongo.MongoClient.connect(uri);
  try {
    const fires = client.db().collection<{ _id: string; rb: number }>('fires');
    await fires.createIndex({ rb: 1 });
    const minute = 60_000;
    const base = Math.floor((Date.now() - 2 * 86_400_000) / minute) * minute;
    const started = Date.now();
    for (let b = 0; b < opts.buckets; b++) {
      const rb = base + b * minute;
      for (let k = 0; k < opts.docs; k += 1000) {
        const batch = Array.from({ length: Math.min(1000, opts.docs - k) }, (_, i) => ({
          _id: `65f00000000000000000000${b}:${rb + k + i}:1`,
          task_id: `65f00000000000000000000${b}`,
          name: 'bench.retention',
          scheduled_at: rb + ((k + i) % minute),
          published_at: rb + ((k + i) % minute),
          attempt: 1,
          manual: false,
          status: 'dispatched',
          rb,
        }));
        await fires.insertMany(batch, { ordered: false });
      }
      log(
        `bucket ${b + 1}/${opts.buckets}: ${opts.docs} fires inserted (${Math.round((Date.now() - started) / 1000)} s)`,
      );
    }
    if (process.env.STACK_MONGO_BACKEND === 'postgresql') {
      log('applying stack/ferretdb-pg-indexes.sql…');
      execFileSync('bash', [join(ROOT, 'stack/ferretdb-pg-indexes.sh')], { stdio: 'inherit' });
    }
    const time = async (rb: number) => {
      const t = performance.now();
      const { deletedCount } = await fires.deleteMany({ rb });
      return { deletedCount, ms: Math.round(performance.now() - t) };
    };
    const empty = await time(base - 10 * minute);
    const full = await time(base + minute);
    log(`delete of an empty bucket: ${empty.ms} ms (${empty.deletedCount} documents)`);
    log(
      `delete of a full bucket:   ${full.ms} ms (${full.deletedCount} of ${opts.docs * opts.buckets} documents)`,
    );
    await client.db().dropDatabase();
  } finally {
    await client.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:retention: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
