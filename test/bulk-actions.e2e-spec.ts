import { type INestApplication } from '@nestjs/common';
import request from 'supertest';
import { startApp, stopApp } from './support/app';
import { isolatedConfig, waitFor } from './support/stack';

const ADMIN = 'bulk-admin-0123456789abcdef';
const WRITE = 'bulk-write-0123456789abcdef';
const READ = 'bulk-read-0123456789abcdef';
const UNKNOWN_ID = 'ffffffffffffffffffffffff';

interface Result {
  taskid: string;
  ok: boolean;
  status?: string;
  err?: number;
  msg?: string;
}
interface BulkAnswer {
  action: string;
  results: Result[];
  succeeded: number;
  failed: number;
  more: boolean;
}
interface RedriveResult {
  message_id: string;
  ok: boolean;
  redriven_as?: string;
  attempt?: number;
  err?: number;
  msg?: string;
}
interface RedriveAnswer {
  results: RedriveResult[];
  succeeded: number;
  failed: number;
  more: boolean;
}
interface DeadLetterView {
  message_id: string;
  task_id: string;
  name: string;
  dead_at_ms: number;
}

/** A loop task that first fires tomorrow: created, never fired during the suite. */
const later = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  type: 2,
  loop_time: 3600,
  data: 'x',
  start_time: Math.floor(Date.now() / 1000) + 86_400,
  ...extra,
});

/**
 * POST /v1/api/bulk-task-action and /v1/api/redrive-dead-letters against the real app:
 * results per item, the bound and convergence by filter, the dispatcher honouring a bulk
 * pause, keys freed by a bulk delete, redrive of real dead letters, scopes and validation.
 */
describe('bulk actions by ids or by filter (real stack)', () => {
  let app: INestApplication;
  const api = () => request(app.getHttpServer());
  const as = (key: string, req: request.Test) => req.set('Authorization', `Bearer ${key}`);
  const post = (path: string, body: object, key = ADMIN) =>
    as(key, api().post(`/v1/api/${path}`).send(body));
  const get = (path: string, query: Record<string, unknown>) =>
    as(ADMIN, api().get(`/v1/api/${path}`).query(query));
  const bulk = async (body: object, key = ADMIN) =>
    (await post('bulk-task-action', body, key).expect(200)).body as BulkAnswer;
  const redrive = async (body: object, key = ADMIN) =>
    (await post('redrive-dead-letters', body, key).expect(200)).body as RedriveAnswer;
  const create = async (body: object) =>
    (await post('task', body).expect(200)).body.taskid as string;
  const statusOf = async (id: string) =>
    (await get('query-task-by-id', { taskid: id }).expect(200)).body.status as string;

  beforeAll(async () => {
    app = await startApp(
      isolatedConfig({
        API_KEYS: `admin:${ADMIN},write:${WRITE},read:${READ}`,
        RUNS_ACK_GRACE_S: '1',
      }),
    );
  }, 60_000);
  afterAll(() => stopApp(app));

  describe('by ids', () => {
    it('answers one result per id in the request order; an unknown id fails alone', async () => {
      const [a, b] = [await create(later('bulk.ids')), await create(later('bulk.ids'))];
      const paused = await bulk({ action: 'pause', ids: [b, UNKNOWN_ID, a] });
      expect(paused).toEqual({
        action: 'pause',
        results: [
          { taskid: b, ok: true, status: 'paused' },
          {
            taskid: UNKNOWN_ID,
            ok: false,
            err: 40401,
            msg: `task ${UNKNOWN_ID} does not exist`,
          },
          { taskid: a, ok: true, status: 'paused' },
        ],
        succeeded: 2,
        failed: 1,
        more: false,
      });
      expect([await statusOf(a), await statusOf(b)]).toEqual(['paused', 'paused']);

      // Idempotent like resume-task: an active task stays active and counts as done.
      const c = await create(later('bulk.ids'));
      const resumed = await bulk({ action: 'resume', ids: [a, c, a] });
      expect(resumed.results).toEqual([
        { taskid: a, ok: true, status: 'active' },
        { taskid: c, ok: true, status: 'active' },
        { taskid: a, ok: true, status: 'active' },
      ]);
      expect(await statusOf(a)).toBe('active');
      expect(await statusOf(b)).toBe('paused');
    });

    it('a task in the wrong status gets the single endpoint’s 40902; deleted ones 40401', async () => {
      // A one-shot due now: the dispatcher fires it and it completes.
      const done = await create({ name: 'bulk.state', type: 1, data: 'x' });
      await waitFor(`${done} completed`, async () => (await statusOf(done)) === 'completed', {
        timeoutMs: 30_000,
      });
      const gone = await create(later('bulk.state'));
      await bulk({ action: 'delete', ids: [gone] });
      const res = await bulk({ action: 'pause', ids: [done, gone] });
      expect(res.results).toEqual([
        {
          taskid: done,
          ok: false,
          err: 40902,
          msg: `task ${done} is completed; only active tasks can be paused`,
        },
        { taskid: gone, ok: false, err: 40401, msg: `task ${gone} does not exist` },
      ]);
      expect(res).toMatchObject({ succeeded: 0, failed: 2, more: false });
      expect(await statusOf(done)).toBe('completed');
    });

    it('delete frees the idempotency keys at once', async () => {
      const first = await create(later('bulk.key', { key: 'bulk-key-1' }));
      const res = await bulk({ action: 'delete', ids: [first, UNKNOWN_ID] });
      expect(res.results.map((r) => r.ok)).toEqual([true, false]);
      expect(res.results[0]).toEqual({ taskid: first, ok: true, status: 'deleted' });
      await get('query-task-by-id', { taskid: first }).expect(404);
      const again = await post('task', later('bulk.key', { key: 'bulk-key-1' })).expect(200);
      expect(again.body.created).toBe(true);
      expect(again.body.taskid).not.toBe(first);
    });
  });

  describe('by filter', () => {
    it('acts on at most limit tasks, newest first, and converges when repeated', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push(await create(later(`bulk.filter.${i}`)));
      const other = await create(later('bulk.other'));
      const newestFirst = [...ids].reverse();
      const filter = { name_prefix: 'bulk.filter.' };

      const rounds: BulkAnswer[] = [];
      for (;;) {
        const res = await bulk({ action: 'pause', filter, limit: 2 });
        rounds.push(res);
        if (!res.more) break;
        expect(rounds.length).toBeLessThan(5);
      }
      expect(rounds.map((r) => [r.results.length, r.more])).toEqual([
        [2, true],
        [2, true],
        [1, false],
      ]);
      const acted = rounds.flatMap((r) => r.results);
      expect(acted.map((r) => r.taskid)).toEqual(newestFirst);
      expect(acted.every((r) => r.ok && r.status === 'paused')).toBe(true);
      // Converged: nothing left to pause; the task outside the filter untouched.
      expect(await bulk({ action: 'pause', filter })).toEqual({
        action: 'pause',
        results: [],
        succeeded: 0,
        failed: 0,
        more: false,
      });
      expect(await statusOf(other)).toBe('active');

      // Resume selects only the paused ones; status and type narrow further.
      await bulk({ action: 'pause', ids: [other] });
      const resumed = await bulk({ action: 'resume', filter: { name_prefix: 'bulk.', type: 2 } });
      expect(resumed.results.map((r) => r.taskid)).toEqual(expect.arrayContaining([...ids, other]));
      expect(resumed.results.every((r) => r.status === 'active')).toBe(true);
      await bulk({ action: 'pause', ids: [ids[0]!] });
      const onceOnly = await bulk({ action: 'resume', filter: { name: 'bulk.filter.0', type: 1 } });
      expect(onceOnly.results).toEqual([]);
      const loopOnly = await bulk({ action: 'resume', filter: { name: 'bulk.filter.0', type: 2 } });
      expect(loopOnly.results).toEqual([{ taskid: ids[0], ok: true, status: 'active' }]);
    });

    it('deletes by name with the statuses asked for, and frees the keys', async () => {
      const a = await create(later('bulk.del', { key: 'bulk-del-a' }));
      const b = await create(later('bulk.del', { key: 'bulk-del-b' }));
      await bulk({ action: 'pause', ids: [b] });
      const paused = await bulk({
        action: 'delete',
        filter: { name: 'bulk.del', status: ['paused'] },
      });
      expect(paused.results).toEqual([{ taskid: b, ok: true, status: 'deleted' }]);
      expect(await statusOf(a)).toBe('active');
      const rest = await bulk({ action: 'delete', filter: { name: 'bulk.del' } });
      expect(rest.results).toEqual([{ taskid: a, ok: true, status: 'deleted' }]);
      const again = await post('task', later('bulk.del', { key: 'bulk-del-b' })).expect(200);
      expect(again.body.created).toBe(true);
    });

    it('the dispatcher stops firing tasks paused in bulk', async () => {
      const fires = async (taskId: string) =>
        ((await get('runs', { task_id: taskId, limit: 500 }).expect(200)).body.fires as unknown[])
          .length;
      const every = { type: 2, loop_time: 1, data: 'x' };
      const paused = [
        await create({ name: 'bulk.tick', ...every }),
        await create({ name: 'bulk.tick', ...every }),
      ];
      for (const id of paused) {
        await waitFor(`${id} to fire`, async () => (await fires(id)) >= 1, { timeoutMs: 20_000 });
      }
      const res = await bulk({ action: 'pause', filter: { name: 'bulk.tick' } });
      expect(res.results.map((r) => r.taskid).sort()).toEqual([...paused].sort());
      // A task nobody pauses fires every second meanwhile: its fires are the clock. Counted
      // from its first recorded fire, so that the records of fires published before the pause
      // answered have landed.
      const canary = await create({ name: 'bulk.canary', ...every });
      const canaryFired = (n: number) => async () => (await fires(canary)) >= n;
      await waitFor('the canary to fire', canaryFired(1), { timeoutMs: 20_000 });
      const before = await Promise.all(paused.map(fires));
      await waitFor('the canary to fire 3 more times', canaryFired(4), {
        timeoutMs: 30_000,
        intervalMs: 200,
      });
      expect(await Promise.all(paused.map(fires))).toEqual(before);
      await bulk({ action: 'delete', ids: [...paused, canary] });
    }, 60_000);
  });

  describe('redrive-dead-letters', () => {
    /** One-shot ack tasks nobody answers, one attempt: dead about two seconds after firing. */
    const deadTask = (name: string) =>
      create({ name, type: 1, data: 'x', ack: true, max_runtime: 1, retry: { max_attempts: 1 } });
    const deadLetters = async () =>
      (await get('dead-letters', { limit: 500 }).expect(200)).body as DeadLetterView[];
    const letterOf = (letters: DeadLetterView[], taskId: string) =>
      letters.find((d) => d.task_id === taskId);

    let byId: string;
    let byFilter: string[];
    let ofDeleted: string;
    let letters: DeadLetterView[];
    let until: number;

    beforeAll(async () => {
      byId = await deadTask('bulk.dead.id');
      byFilter = [
        await deadTask('bulk.dead.f'),
        await deadTask('bulk.dead.f'),
        await deadTask('bulk.dead.f'),
      ];
      ofDeleted = await deadTask('bulk.dead.f');
      const all = [byId, ...byFilter, ofDeleted];
      letters = await waitFor(
        'every dead letter',
        async () => {
          const found = await deadLetters();
          return all.every((id) => letterOf(found, id)) && found;
        },
        { timeoutMs: 30_000, intervalMs: 250 },
      );
      await bulk({ action: 'delete', ids: [ofDeleted] });
      // Redriven fires die again (one attempt, nobody answers): keep them out of the window.
      until = Math.floor(Math.max(...letters.map((d) => d.dead_at_ms)) / 1000) + 1;
    }, 60_000);

    it('by ids: a result per id in order; unknown, already redriven and deleted ones fail alone', async () => {
      const id = letterOf(letters, byId)!.message_id;
      const deleted = letterOf(letters, ofDeleted)!.message_id;
      const unknown = `${UNKNOWN_ID}:1:1`;
      const res = await redrive({ message_ids: [id, unknown, deleted] });
      expect(res.results).toEqual([
        { message_id: id, ok: true, redriven_as: id.replace(/:1$/, ':2'), attempt: 2 },
        {
          message_id: unknown,
          ok: false,
          err: 40404,
          msg: `no dead letter ${unknown} (never dead, or redriven already)`,
        },
        { message_id: deleted, ok: false, err: 40401, msg: `task ${ofDeleted} was deleted` },
      ]);
      expect(res).toMatchObject({ succeeded: 1, failed: 2, more: false });
      expect((await deadLetters()).some((d) => d.message_id === id)).toBe(false);
      const twice = await redrive({ message_ids: [id] });
      expect(twice.results[0]).toMatchObject({ ok: false, err: 40404 });
      // The redriven attempt really goes out.
      await waitFor('attempt 2 published', async () => {
        const fire = (await get('task-runs', { taskid: byId }).expect(200)).body[0];
        return fire?.attempts?.length === 2;
      });
    });

    it('by filter: oldest first, at most limit, skipping deleted tasks, until none is left', async () => {
      const filter = { name: 'bulk.dead.f', until };
      const first = await redrive({ filter, limit: 2 });
      expect(first).toMatchObject({ succeeded: 2, failed: 0, more: true });
      const second = await redrive({ filter, limit: 2 });
      expect(second).toMatchObject({ succeeded: 1, failed: 0, more: false });
      const redriven = [...first.results, ...second.results];
      const oldestFirst = letters
        .filter((d) => byFilter.includes(d.task_id))
        .sort((x, y) => x.dead_at_ms - y.dead_at_ms || (x.message_id < y.message_id ? -1 : 1))
        .map((d) => d.message_id);
      expect(redriven.map((r) => r.message_id)).toEqual(oldestFirst);
      expect(redriven.every((r) => r.attempt === 2)).toBe(true);
      // Only the dead letter of the deleted task is left, and a filter does not select it.
      expect(await redrive({ filter })).toEqual({
        results: [],
        succeeded: 0,
        failed: 0,
        more: false,
      });
      const left = (await deadLetters()).filter(
        (d) => d.name === 'bulk.dead.f' && d.dead_at_ms < until * 1000,
      );
      expect(left.map((d) => d.task_id)).toEqual([ofDeleted]);
    });
  });

  describe('scopes', () => {
    it('read keys get 403 on both routes, whatever the body', async () => {
      for (const path of ['bulk-task-action', 'redrive-dead-letters']) {
        const res = await post(path, { nonsense: true }, READ).expect(403);
        expect(res.body).toEqual({
          err: 40301,
          msg: `API key scope read does not allow POST /v1/api/${path}: it needs write`,
        });
      }
    });

    it('write keys act by ids, not by filter (403 naming admin); admin keys do both', async () => {
      const id = await create(later('bulk.scope'));
      expect((await bulk({ action: 'pause', ids: [id] }, WRITE)).succeeded).toBe(1);
      const refused = await post(
        'bulk-task-action',
        { action: 'resume', filter: { name: 'bulk.scope' } },
        WRITE,
      ).expect(403);
      expect(refused.body).toEqual({
        err: 40301,
        msg: 'API key scope write does not allow POST /v1/api/bulk-task-action with a filter: it needs admin',
      });
      expect(await statusOf(id)).toBe('paused');
      const redriveRefused = await post(
        'redrive-dead-letters',
        { filter: { name: 'bulk.scope' } },
        WRITE,
      ).expect(403);
      expect(redriveRefused.body).toMatchObject({ err: 40301 });
      expect((await redrive({ message_ids: [`${UNKNOWN_ID}:1:1`] }, WRITE)).failed).toBe(1);
      const admin = await bulk({ action: 'resume', filter: { name: 'bulk.scope' } });
      expect(admin.results).toEqual([{ taskid: id, ok: true, status: 'active' }]);
    });
  });

  describe('validation: 400 {err: 40001} naming the field', () => {
    const ids = (n: number) =>
      Array.from({ length: n }, (_, i) => i.toString(16).padStart(24, '0'));
    it.each(
      [
        [{ action: 'pause', ids: ids(1001) }, 'ids must hold at most 1000 task ids'],
        [{ action: 'pause', ids: [] }, 'ids must hold at least 1 task id'],
        [
          { action: 'pause', ids: ['nope'] },
          'each value in ids must be a task id (24 hex characters)',
        ],
        [{ action: 'pause' }, 'give exactly one of ids and filter'],
        [
          { action: 'pause', ids: ids(1), filter: { name: 'x' } },
          'give exactly one of ids and filter, not both',
        ],
        [
          { action: 'pause', filter: {} },
          'filter must give at least one of name, name_prefix, status, type',
        ],
        [
          { action: 'pause', filter: { status: ['deleted'] } },
          'filter.status must hold only active, paused, completed',
        ],
        [
          { action: 'pause', filter: { status: ['paused'] } },
          'filter.status paused selects no task that pause changes: pause acts on active tasks',
        ],
        [
          { action: 'pause', filter: { name: 'a', name_prefix: 'a' } },
          'filter.name and filter.name_prefix cannot be used together',
        ],
        [{ action: 'pause', filter: { name: 'a' }, limit: 1001 }, 'limit must be at most 1000'],
        [{ action: 'pause', ids: ids(1), limit: 5 }, 'limit goes with filter'],
        [{ action: 'run', ids: ids(1) }, 'action must be one of pause, resume, delete'],
        [{ action: 'pause', filter: { name: 'a', foo: 1 } }, 'property foo should not exist'],
      ].map(([body, msg]) => [msg, body] as const),
    )('bulk-task-action: %s', async (msg, body) => {
      const res = await post('bulk-task-action', body as object).expect(400);
      expect(res.body.err).toBe(40001);
      expect(res.body.msg).toContain(msg);
    });

    it.each(
      [
        [
          { message_ids: ['x'] },
          'each value in message_ids must be <task id>:<scheduled epoch ms>:<attempt>',
        ],
        [
          { message_ids: Array.from({ length: 1001 }, () => `${UNKNOWN_ID}:1:1`) },
          'message_ids must hold at most 1000',
        ],
        [{}, 'give exactly one of message_ids and filter'],
        [{ filter: {} }, 'filter must give at least one of name, since, until'],
        [{ filter: { since: 10, until: 10 } }, 'filter.until must be later than filter.since'],
        [{ message_ids: [`${UNKNOWN_ID}:1:1`], filter: { since: 0 } }, 'not both'],
      ].map(([body, msg]) => [msg, body] as const),
    )('redrive-dead-letters: %s', async (msg, body) => {
      const res = await post('redrive-dead-letters', body as object).expect(400);
      expect(res.body.err).toBe(40001);
      expect(res.body.msg).toContain(msg);
    });
  });
});
