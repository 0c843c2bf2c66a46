/**
 * The stored tasks of the search benchmark (bench/search.ts), as the app stores them
 * (`newTaskToDoc`, then the fields that pause, completion and delete write), and the searches
 * it measures. Pure: the same `i` and `now` always give the same task.
 */
import { Types } from 'mongoose';
import { newTaskToDoc, uniqKey } from '../apps/task-center/src/repositories/task.mapper';
import { type NewTask } from '../apps/task-center/src/tasks/task';
import { shardOf } from '../apps/task-center/src/tasks/task-shard';
import { stripUndefined } from './support';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

export const TEAMS = [
  'billing',
  'search',
  'mail',
  'reports',
  'auth',
  'etl',
  'ml',
  'ops',
  'growth',
  'media',
] as const;
export const SERVICES = 40;
export const JOBS = 50;
/** Topic by share in 1000: emails 10 %, payments 6 %, exports 4 %, webhooks 4 %, audit 0.3 %. */
const TOPICS: [string, number][] = [
  ['emails', 100],
  ['payments', 160],
  ['exports', 200],
  ['webhooks', 240],
  ['audit', 243],
];
/** Created over the year before `now`; next runs 7 to 365 days after it. */
export const CREATED_SPAN_MS = 365 * DAY_MS;
export const FIRST_RUN_MS = 7 * DAY_MS;
export const LAST_RUN_MS = 365 * DAY_MS;

/** A 32-bit hash of (i, salt): the mix is random-looking but reproducible. */
export function hash(i: number, salt: number): number {
  let h = Math.imul(i ^ Math.imul(salt, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function nameOf(i: number): string {
  const team = TEAMS[hash(i, 1) % TEAMS.length]!;
  const service = String(hash(i, 2) % SERVICES).padStart(2, '0');
  const job = String(hash(i, 3) % JOBS).padStart(2, '0');
  return `${team}.svc${service}.job${job}`;
}

export type SeedStatus = 'active' | 'paused' | 'completed' | 'deleted';

/** active 65 %, paused 10 %, completed 17 %, deleted 8 %. */
export function statusOf(i: number): SeedStatus {
  const h = hash(i, 4) % 100;
  return h < 65 ? 'active' : h < 75 ? 'paused' : h < 92 ? 'completed' : 'deleted';
}

/** one-shot 50 %, loop 25 %, crontab 25 %. */
export function typeOf(i: number): 1 | 2 | 3 {
  const h = hash(i, 5) % 4;
  return h < 2 ? 1 : h === 2 ? 2 : 3;
}

export function topicOf(i: number): string | undefined {
  const h = hash(i, 6) % 1000;
  return TOPICS.find(([, upTo]) => h < upTo)?.[0];
}

/** 30 % of the tasks were created with an idempotency key. */
export function keyOf(i: number): string | undefined {
  return hash(i, 7) % 10 < 3 ? `order-${i}` : undefined;
}

/** Creation times rise with `i` over the year before `now` (ids carry the same second). */
export function createdAtOf(i: number, n: number, now: number): number {
  return now - CREATED_SPAN_MS + Math.floor(((i + 0.5) * CREATED_SPAN_MS) / n);
}

/** A whole minute 7..365 days after `now`. */
export function nextRunOf(i: number, now: number): number {
  const offset =
    FIRST_RUN_MS + (hash(i, 8) % ((LAST_RUN_MS - FIRST_RUN_MS) / MINUTE_MS)) * MINUTE_MS;
  return Math.floor((now + offset) / MINUTE_MS) * MINUTE_MS;
}

/** Task `i` of `n`, as stored, with its `_id` (its time is the creation second). */
export function seedTaskDoc(i: number, n: number, now: number, shards: number) {
  const createdAt = createdAtOf(i, n, now);
  const _id = new Types.ObjectId(Types.ObjectId.generate(Math.floor(createdAt / 1000)));
  const id = _id.toHexString();
  const status = statusOf(i);
  const type = typeOf(i);
  const scheduled = status === 'active' || status === 'paused';
  const next = nextRunOf(i, now);
  // A finished task's last run was a day after its creation, before `now`.
  const lastRun = Math.min(createdAt + DAY_MS, now - MINUTE_MS);
  const firstRun = scheduled ? next : lastRun;
  const at = new Date(firstRun);
  const retry = hash(i, 9) % 5 === 0;
  const task: NewTask = {
    name: nameOf(i),
    type,
    data: JSON.stringify({ i, account: hash(i, 10) % 100_000, note: 'x'.repeat(hash(i, 11) % 96) }),
    ack: retry,
    timezone: 'UTC',
    misfire: 'fire_once',
    key: keyOf(i),
    topic: topicOf(i),
    status: status === 'deleted' ? 'active' : status,
    nextRunAt: scheduled ? next : null,
    createdAt,
    ...(type === 1 && { startTime: Math.floor(firstRun / 1000) }),
    ...(type === 2 && {
      loopTime: [60, 300, 3600, 86_400][hash(i, 12) % 4]!,
      startTime: Math.floor(firstRun / 1000),
      ...(status === 'completed' && { loopCount: 1 }),
    }),
    // Fires once a year at `firstRun` (UTC): its next run is exactly `next`.
    ...(type === 3 && {
      crontab: `0 ${at.getUTCMinutes()} ${at.getUTCHours()} ${at.getUTCDate()} ${at.getUTCMonth() + 1} *`,
      ...(status === 'completed' && { endTime: Math.floor(firstRun / 1000) + 60 }),
    }),
    ...(retry && {
      retry: { maxAttempts: 5, backoff: 'exponential' as const, delay: 10, maxDelay: 3600 },
    }),
  };
  const doc = { _id, ...newTaskToDoc(id, shardOf(id, shards), task) };
  const changedAt = Math.min(createdAt + 2 * DAY_MS, now - MINUTE_MS);
  if (status === 'paused') Object.assign(doc, { updated_at: changedAt, version: 2 });
  if (status === 'completed') {
    Object.assign(doc, { run_count: 1, last_run_at: lastRun, updated_at: lastRun });
  }
  // What deleting writes (MongoTasksRepository.deleteLive).
  if (status === 'deleted') {
    Object.assign(doc, {
      status: 'deleted',
      uniq_key: uniqKey(id, undefined),
      next_run_at: null,
      due_at: null,
      due_slot: null,
      manual_runs: [],
      deleted_at: changedAt,
      updated_at: changedAt,
      version: 2,
    });
  }
  return stripUndefined(doc);
}

export interface SearchCase {
  /** Row label, e.g. "status=paused,completed". */
  label: string;
  /** The query string of GET /v1/api/tasks. */
  query: Record<string, string>;
}

/**
 * The searches measured: each filter alone, both sorts, combinations, and count=true.
 * Values are taken from the seed: a name of ~n/20,000 tasks, a team prefix (10 %), a
 * service prefix (0.25 %), a key that exists, a topic of 10 % and one of 0.3 %.
 */
export function searchCases(now: number, n: number): SearchCase[] {
  const s = (ms: number) => String(Math.floor(ms / 1000));
  const keyed = Array.from({ length: 100 }, (_, k) => Math.floor(n / 2) + k).find(
    (i) => keyOf(i) !== undefined && statusOf(i) !== 'deleted',
  )!;
  const name = nameOf(Math.floor(n / 3));
  const team = `${name.split('.')[0]!}.`;
  const service = `${name.split('.').slice(0, 2).join('.')}.`;
  const cases: [string, Record<string, string>][] = [
    ['(none)', {}],
    ['sort=created_at', { sort: 'created_at' }],
    ['sort=next_run_at', { sort: 'next_run_at' }],
    [`name`, { name }],
    ['name, sort=next_run_at', { name, sort: 'next_run_at' }],
    ['name_prefix (team, 10 %)', { name_prefix: team }],
    ['name_prefix (service, 0.25 %)', { name_prefix: service }],
    ['status=active', { status: 'active' }],
    ['status=paused', { status: 'paused' }],
    ['status=completed', { status: 'completed' }],
    ['status=paused,completed', { status: 'paused,completed' }],
    ['type=3', { type: '3' }],
    ['topic (10 %)', { topic: 'emails' }],
    ['topic (0.3 %)', { topic: 'audit' }],
    ['key', { key: keyOf(keyed)! }],
    ['next_run_before (now+8d)', { next_run_before: s(now + 8 * DAY_MS) }],
    ['next_run_after (now+360d)', { next_run_after: s(now + 360 * DAY_MS) }],
    [
      'next_run window (1 day), sort=next_run_at',
      {
        next_run_after: s(now + 100 * DAY_MS),
        next_run_before: s(now + 101 * DAY_MS),
        sort: 'next_run_at',
      },
    ],
    ['status=active&type=1', { status: 'active', type: '1' }],
    ['status=paused&type=2', { status: 'paused', type: '2' }],
    ['name_prefix (team)&status=paused', { name_prefix: team, status: 'paused' }],
    ['topic (10 %)&status=active', { topic: 'emails', status: 'active' }],
    ['count: (none)', { count: 'true' }],
    ['count: status=paused', { status: 'paused', count: 'true' }],
    ['count: name', { name, count: 'true' }],
    ['count: topic (0.3 %)', { topic: 'audit', count: 'true' }],
    ['count: name_prefix (service)', { name_prefix: service, count: 'true' }],
  ];
  return cases.map(([label, query]) => ({ label, query }));
}

/** The value at percentile `p` (0..100) of sorted `values`, nearest rank. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}
