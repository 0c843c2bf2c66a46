/**
 * How the dispatcher's hot lookups run on the server at hand: the plan the server reports
 * (`explain`) and the median time of each, at the current collection size. MongoDB reports its
 * winning plan (IXSCAN on due_slot_1 / the _id index, keys and documents examined); FerretDB's
 * PostgreSQL backend reports the PostgreSQL plan of the SQL it runs (an index scan only with
 * stack/ferretdb-pg-indexes.sql applied); FerretDB's SQLite backend reports no plan.
 */
import type mongoose from 'mongoose';
import { explainedPlan } from '../apps/task-center/src/database/query-plan';

type Db = mongoose.mongo.Db;
type Doc = Record<string, unknown>;

export interface QueryProbe {
  query: string;
  /** e.g. "IXSCAN due_slot_1 > FETCH (keys 3, docs 3, returned 3)" or "Bitmap Index Scan tasks_…_dueslot_gin". */
  plan: string;
  medianMs: number;
}

const SAMPLES = 15;

function describePlan(explained: Doc): string {
  const nodes = explainedPlan(explained);
  if (nodes.length === 0) return 'no plan reported';
  const stats = explained.executionStats as Doc | undefined;
  if (!stats) return nodes.join(' > ');
  return `${nodes.join(' > ')} (keys ${String(stats.totalKeysExamined)}, docs ${String(stats.totalDocsExamined)}, returned ${String(stats.nReturned)})`;
}

async function medianMs(run: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(SAMPLES / 2)]! * 10) / 10;
}

/** The read-ahead's bucket lookup, a lookup by id and an update by id, on `tasks`. */
export async function probeHotQueries(db: Db): Promise<QueryProbe[]> {
  const tasks = db.collection<Doc>('tasks');
  const sample = await tasks.findOne({ due_slot: { $ne: null } }, { projection: { due_slot: 1 } });
  if (!sample) return [];
  const { _id, due_slot: slot } = sample;
  const explain = async (cmd: Doc) => {
    try {
      return describePlan(await db.command({ explain: cmd, verbosity: 'executionStats' }));
    } catch (err) {
      return `explain failed: ${err instanceof Error ? err.message : String(err)}`;
    }
  };
  return [
    {
      query: 'read-ahead find {due_slot}',
      plan: await explain({ find: 'tasks', filter: { due_slot: slot } }),
      medianMs: await medianMs(() => tasks.find({ due_slot: slot }).toArray()),
    },
    {
      query: 'findOne {_id}',
      plan: await explain({ find: 'tasks', filter: { _id } }),
      medianMs: await medianMs(() => tasks.findOne({ _id })),
    },
    {
      query: 'updateOne {_id, version}',
      plan: await explain({
        update: 'tasks',
        updates: [{ q: { _id, version: 1 }, u: { $set: { probe: 1 } } }],
      }),
      medianMs: await medianMs(() =>
        tasks.updateOne({ _id, version: 1 }, { $set: { probe: Date.now() } }),
      ),
    },
  ];
}
