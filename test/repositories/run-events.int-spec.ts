/** Run events against the real server: insert-only with deterministic ids, history, day stats. */
import {
  type RunEvent,
  type RunEventKind,
  runEventId,
} from '../../apps/task-center/src/runs/run-records';
import { RunEventsRepository } from '../../apps/task-center/src/repositories/run-events.repository';
import { RepositoriesHarness } from '../support/repositories';

const NOW = Date.UTC(2030, 0, 15, 12);
const TASK = '65f000000000000000000001';

function event(
  kind: RunEventKind,
  scheduledAt: number,
  overrides: Partial<RunEvent> = {},
): RunEvent {
  const messageId = `${TASK}:${scheduledAt}:1`;
  return {
    id: runEventId(messageId, kind),
    kind,
    messageId,
    taskId: TASK,
    name: 'events',
    scheduledAt,
    attempt: 1,
    at: NOW,
    day: '2030-01-15',
    ...overrides,
  };
}

describe('RunEventsRepository (real database)', () => {
  let harness: RepositoriesHarness;
  let events: RunEventsRepository;

  beforeAll(async () => {
    harness = await RepositoriesHarness.start('repo-events');
    events = harness.get(RunEventsRepository);
  });

  afterAll(() => harness?.stop());

  it('inserts each event once (a replayed outcome is ignored) and says which exist', async () => {
    const ok = event('succeeded', NOW, {
      startedAt: NOW + 1,
      durationMs: 12,
      worker: { id: 'w1', group: 'g', host: 'h', pid: 1, sdk: 'node/1' },
    });
    const failed = event('failed', NOW + 1000, { error: 'boom' });
    await events.insert([ok, failed]);
    await events.insert([{ ...failed, error: 'replayed' }, event('timeout', NOW + 2000)]);
    await events.insert([]);

    const found = await events.between(TASK, NOW, NOW + 1000);
    expect(found.sort((a, b) => a.scheduledAt - b.scheduledAt)).toEqual([ok, failed]);
    const ids = [ok.id, failed.id, event('timeout', NOW + 2000).id, 'no-such-event'];
    expect(await events.existing(ids)).toEqual(new Set(ids.slice(0, 3)));
    expect(await events.existing([])).toEqual(new Set());
  });

  it('answers existing() for more ids than one group of lookups', async () => {
    const many = Array.from({ length: 40 }, (_, i) => event('dead', NOW + 100_000 + i));
    await events.insert(many.filter((_, i) => i % 2 === 0));
    const found = await events.existing(many.map((e) => e.id));
    expect(found).toEqual(new Set(many.filter((_, i) => i % 2 === 0).map((e) => e.id)));
  });

  it('counts the events of one day by name and kind', async () => {
    const day = '2030-02-01';
    await events.insert([
      event('succeeded', NOW + 1, { day, name: 'a' }),
      event('succeeded', NOW + 2, { day, name: 'a' }),
      event('failed', NOW + 3, { day, name: 'a' }),
      event('succeeded', NOW + 4, { day, name: 'b' }),
      event('succeeded', NOW + 5, { day: '2030-02-02', name: 'a' }),
    ]);
    const counts = await events.countsOfDay(day);
    expect(counts.sort((x, y) => `${x.name}${x.kind}`.localeCompare(`${y.name}${y.kind}`))).toEqual(
      [
        { name: 'a', kind: 'failed', count: 1 },
        { name: 'a', kind: 'succeeded', count: 2 },
        { name: 'b', kind: 'succeeded', count: 1 },
      ],
    );
    expect(await events.countsOfDay('2030-03-01')).toEqual([]);
  });
});
