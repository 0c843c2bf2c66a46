import { type INestApplication } from '@nestjs/common';
import request from 'supertest';
import { startApp, stopApp } from './support/app';
import { isolatedConfig, waitFor } from './support/stack';

const DAY = 86_400;
const TOPIC = 'tc-e2e-search';

interface View {
  _id: string;
  name: string;
  type: number;
  status: string;
  topic?: string;
  key?: string;
  next_run_at: number | null;
}

/** Ids in next_run_at order: soonest first (ties by id), then no next run, by id. */
function bySoonest(tasks: View[]): string[] {
  const key = (t: View) => (t.next_run_at === null ? Infinity : t.next_run_at);
  return [...tasks]
    .sort((a, b) => key(a) - key(b) || (a._id < b._id ? -1 : a._id > b._id ? 1 : 0))
    .map((t) => t._id);
}

describe('GET /v1/api/tasks (real MongoDB-wire server)', () => {
  let app: INestApplication;
  const api = () => request(app.getHttpServer());
  const search = (query: Record<string, unknown> | string) =>
    api().get('/v1/api/tasks').query(query);
  const base = Math.floor(Date.now() / 1000) + DAY;
  /** Live tasks in creation order, and the deleted ones. */
  const created: string[] = [];
  let live: View[] = [];
  let deleted: string[] = [];
  const idsOf = (body: { tasks: View[] }) => body.tasks.map((t) => t._id);
  const liveIds = (pick: (t: View) => boolean) =>
    [...live]
      .reverse()
      .filter(pick)
      .map((t) => t._id);

  /** Follows next_cursor to the end; every page but the last is full. */
  async function allPages(query: Record<string, unknown>, limit: number) {
    const ids: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    for (;;) {
      const res = await search({ ...query, limit, ...(cursor && { cursor }) }).expect(200);
      pages++;
      ids.push(...idsOf(res.body));
      if (res.body.next_cursor === null) return { ids, pages };
      expect(res.body.tasks).toHaveLength(limit);
      cursor = res.body.next_cursor;
    }
  }

  beforeAll(async () => {
    app = await startApp(isolatedConfig({ KAFKA_EXTRA_TOPICS: TOPIC }));
    const create = async (body: object) => {
      const res = await api().post('/v1/api/task').send(body).expect(200);
      created.push(res.body.taskid);
      return res.body.taskid as string;
    };
    // Loops: next runs five minutes apart, two per slot (ties broken by id).
    for (let i = 0; i < 10; i++) {
      await create({
        name: `search.loop.${i}`,
        type: 2,
        data: 'x',
        loop_time: 3600,
        start_time: base + Math.floor(i / 2) * 300,
        ...(i % 3 === 0 && { topic: TOPIC }),
      });
    }
    const onces: string[] = [];
    for (let i = 0; i < 5; i++) {
      onces.push(
        await create({
          name: `search.once`,
          type: 1,
          data: 'x',
          start_time: base + 60 + i * 600,
          key: `once-${i}`,
        }),
      );
    }
    for (let i = 0; i < 3; i++) {
      await create({ name: 'report.daily', type: 3, data: 'x', crontab: '0 0 3 * * *' });
    }
    // Due now: the dispatcher fires them and they complete (no next run).
    const now1 = await create({ name: 'search.now', type: 1, data: 'x' });
    const now2 = await create({ name: 'search.now', type: 1, data: 'x' });
    for (const id of [created[1], created[4], created[7]]) {
      await api().post('/v1/api/pause-task').send({ taskid: id }).expect(200);
    }
    deleted = [onces[0]!, onces[3]!];
    await api().post('/v1/api/delete-task').send({ ids: deleted }).expect(200);
    const read = (id: string) => api().get('/v1/api/query-task-by-id').query({ taskid: id });
    for (const id of [now1, now2]) {
      await waitFor(
        `task ${id} completed`,
        async () => {
          return (await read(id)).body.status === 'completed';
        },
        { timeoutMs: 30_000 },
      );
    }
    const views = await Promise.all(
      created
        .filter((id) => !deleted.includes(id))
        .map(async (id) => (await read(id).expect(200)).body as View),
    );
    live = views;
  }, 60_000);
  afterAll(() => stopApp(app));

  describe('sorts and paging', () => {
    it('lists every live task newest first by default, deleted ones never', async () => {
      const res = await search({}).expect(200);
      expect(idsOf(res.body)).toEqual(liveIds(() => true));
      expect(res.body.next_cursor).toBeNull();
      expect(res.body).not.toHaveProperty('total');
      expect(idsOf(res.body)).not.toEqual(expect.arrayContaining([deleted[0]]));
      expect(res.body.tasks[0]).toMatchObject({ name: 'search.now', status: 'completed' });
    });

    it('pages sort=created_at without duplicates or gaps', async () => {
      const { ids, pages } = await allPages({}, 4);
      expect(ids).toEqual(liveIds(() => true));
      expect(pages).toBe(Math.ceil(live.length / 4));
    });

    it('pages sort=next_run_at soonest first, ties by id, tasks without a next run last', async () => {
      const expected = bySoonest(live);
      const { ids } = await allPages({ sort: 'next_run_at' }, 3);
      expect(ids).toEqual(expected);
      const tail = ids.slice(-2).map((id) => live.find((t) => t._id === id)!);
      expect(tail.map((t) => t.next_run_at)).toEqual([null, null]);
      // A page boundary inside the tasks without a next run, and on a tie.
      expect((await allPages({ sort: 'next_run_at' }, 1)).ids).toEqual(expected);
      expect((await allPages({ sort: 'next_run_at' }, 2)).ids).toEqual(expected);
    });

    it('pages a filtered search', async () => {
      const { ids } = await allPages({ name_prefix: 'search.', status: 'active' }, 2);
      expect(ids).toEqual(liveIds((t) => t.name.startsWith('search.') && t.status === 'active'));
    });

    it('takes limit from 1 to 1000', async () => {
      const one = await search({ limit: 1 }).expect(200);
      expect(one.body.tasks).toHaveLength(1);
      expect(one.body.next_cursor).toEqual(expect.stringMatching(/^[A-Za-z0-9_-]+$/));
      expect((await search({ limit: 1000 }).expect(200)).body.tasks).toHaveLength(live.length);
    });
  });

  describe('filters', () => {
    it('name (exact) and name_prefix', async () => {
      expect(idsOf((await search({ name: 'search.once' }).expect(200)).body)).toEqual(
        liveIds((t) => t.name === 'search.once'),
      );
      expect(idsOf((await search({ name: 'search.' }).expect(200)).body)).toEqual([]);
      expect(idsOf((await search({ name_prefix: 'search.loop.' }).expect(200)).body)).toEqual(
        liveIds((t) => t.name.startsWith('search.loop.')),
      );
      // Regex characters in a prefix are literal.
      expect(idsOf((await search({ name_prefix: 'search.loop.1' }).expect(200)).body)).toEqual(
        liveIds((t) => t.name === 'search.loop.1'),
      );
      expect(idsOf((await search({ name_prefix: 'search-' }).expect(200)).body)).toEqual([]);
    });

    it('status: one, comma-separated, repeated', async () => {
      expect(idsOf((await search({ status: 'paused' }).expect(200)).body)).toEqual(
        liveIds((t) => t.status === 'paused'),
      );
      expect(liveIds((t) => t.status === 'paused')).toHaveLength(3);
      const both = liveIds((t) => t.status === 'paused' || t.status === 'completed');
      expect(both).toHaveLength(5);
      expect(idsOf((await search({ status: 'paused,completed' }).expect(200)).body)).toEqual(both);
      expect(idsOf((await search('status=completed&status=paused').expect(200)).body)).toEqual(
        both,
      );
    });

    it('type, topic and key', async () => {
      for (const type of [1, 2, 3]) {
        expect(idsOf((await search({ type }).expect(200)).body)).toEqual(
          liveIds((t) => t.type === type),
        );
      }
      const onTopic = liveIds((t) => t.topic === TOPIC);
      expect(onTopic).toHaveLength(4);
      expect(idsOf((await search({ topic: TOPIC }).expect(200)).body)).toEqual(onTopic);
      expect(idsOf((await search({ key: 'once-1' }).expect(200)).body)).toEqual(
        liveIds((t) => t.key === 'once-1'),
      );
      // once-0 was deleted: its key finds nothing.
      expect(idsOf((await search({ key: 'once-0' }).expect(200)).body)).toEqual([]);
    });

    it('next_run_after (inclusive) and next_run_before (exclusive), in unix seconds', async () => {
      const after = base + 300;
      const before = base + 900;
      const inWindow = (t: View) =>
        t.next_run_at !== null && t.next_run_at >= after && t.next_run_at < before;
      const res = await search({ next_run_after: after, next_run_before: before }).expect(200);
      expect(idsOf(res.body)).toEqual(liveIds(inWindow));
      // Loops at base+300 (two) and base+600 (two, one paused) plus the one-shot at base+660.
      expect(idsOf(res.body)).toHaveLength(5);
      const sorted = await allPages(
        { sort: 'next_run_at', next_run_after: after, next_run_before: before },
        2,
      );
      expect(sorted.ids).toEqual(bySoonest(live.filter(inWindow)));
      const later = await search({ next_run_after: base + 2400 }).expect(200);
      expect(idsOf(later.body)).toEqual(
        liveIds((t) => t.next_run_at !== null && t.next_run_at >= base + 2400),
      );
    });

    it('combines filters', async () => {
      const res = await search({
        name_prefix: 'search.',
        status: 'active,paused',
        type: 2,
        topic: TOPIC,
        sort: 'next_run_at',
      }).expect(200);
      const match = (t: View) => t.name.startsWith('search.') && t.type === 2 && t.topic === TOPIC;
      expect(idsOf(res.body)).toEqual(bySoonest(live.filter(match)));
      expect(idsOf(res.body).length).toBeGreaterThan(1);
    });
  });

  describe('count', () => {
    it('returns total (all matches, not the page) with count=true', async () => {
      const all = await search({ count: 'true', limit: 2 }).expect(200);
      expect(all.body).toMatchObject({ total: live.length, total_capped: false });
      expect(all.body.tasks).toHaveLength(2);
      const paused = await search({ count: true, status: 'paused' }).expect(200);
      expect(paused.body).toMatchObject({ total: 3, total_capped: false });
      const none = await search({ count: 'false' }).expect(200);
      expect(none.body).not.toHaveProperty('total');
    });
  });

  describe('400s name the bad parameter', () => {
    const rejects = async (query: Record<string, unknown> | string, msg: RegExp) => {
      const res = await search(query).expect(400);
      expect(res.body.err).toBe(40001);
      expect(res.body.msg).toMatch(msg);
    };

    it('cursor: malformed, or from another sort', async () => {
      const byCreation = (await search({ limit: 1 }).expect(200)).body.next_cursor;
      const bySlot = (await search({ limit: 1, sort: 'next_run_at' }).expect(200)).body.next_cursor;
      await rejects(
        { cursor: byCreation, sort: 'next_run_at' },
        /cursor belongs to a search with sort=created_at, not sort=next_run_at/,
      );
      await rejects({ cursor: bySlot }, /cursor belongs to a search with sort=next_run_at/);
      await rejects({ cursor: 'not a cursor!' }, /cursor is malformed/);
      await rejects(
        { cursor: Buffer.from('c:12:zz').toString('base64url') },
        /cursor is malformed/,
      );
      await rejects({ cursor: byCreation.slice(0, -3) }, /cursor is malformed/);
      await rejects(
        { cursor: Buffer.from(`c:-:${'a'.repeat(24)}`).toString('base64url') },
        /cursor is malformed/,
      );
    });

    it('limit out of 1..1000 or not an integer', async () => {
      await rejects({ limit: 0 }, /limit must be at least 1/);
      await rejects({ limit: 1001 }, /limit must be at most 1000/);
      await rejects({ limit: 'ten' }, /limit must be an integer/);
      await rejects({ limit: 2.5 }, /limit must be an integer/);
    });

    it('every other parameter', async () => {
      await rejects(
        { name: 'a', name_prefix: 'a' },
        /name and name_prefix cannot be used together/,
      );
      await rejects({ name: 'has space' }, /^name must be/);
      await rejects({ name_prefix: '' }, /name_prefix must be/);
      await rejects(
        { status: 'deleted' },
        /status must be one or more of active, paused, completed/,
      );
      await rejects({ status: 'active,' }, /status must be/);
      await rejects('status=active&status=nope', /status must be/);
      await rejects({ type: 4 }, /type must be 1 \(one-shot\), 2 \(loop\) or 3 \(crontab\)/);
      await rejects({ type: 'loop' }, /type must be/);
      await rejects({ topic: '' }, /topic must be 1-249 characters/);
      await rejects({ key: 'k'.repeat(201) }, /key must be 1-200 characters/);
      await rejects({ next_run_after: -1 }, /next_run_after must be unix seconds/);
      await rejects({ next_run_after: 'soon' }, /next_run_after must be unix seconds/);
      await rejects({ next_run_before: 1e13 }, /next_run_before must be at most/);
      await rejects(
        { next_run_after: base, next_run_before: base },
        /next_run_before must be later than next_run_after/,
      );
      await rejects({ sort: 'name' }, /sort must be one of created_at, next_run_at/);
      await rejects({ count: 'yes' }, /count must be true or false/);
      await rejects({ limit: 1, limit2: 3 }, /property limit2 should not exist/);
      await rejects('name=a&name=b', /name must be given once/);
    });
  });
});
