/** Fire records against the real server: one record per published attempt, history pages. */
import { type FireRecord } from '../../apps/task-center/src/runs/run-records';
import { FiresRepository } from '../../apps/task-center/src/repositories/fires.repository';
import { RepositoriesHarness } from '../support/repositories';

const NOW = 1_900_000_000_000;
const TASK = '65f000000000000000000001';
const PAGED = '65f000000000000000000002';
const OTHER = '65f000000000000000000003';

function fire(taskId: string, scheduledAt: number, attempt = 1, publishedAt = NOW): FireRecord {
  return {
    messageId: `${taskId}:${scheduledAt}:${attempt}`,
    taskId,
    name: 'fires',
    scheduledAt,
    publishedAt,
    attempt,
    manual: false,
  };
}

describe('FiresRepository (real database)', () => {
  let harness: RepositoriesHarness;
  let fires: FiresRepository;

  beforeAll(async () => {
    harness = await RepositoriesHarness.start('repo-fires');
    fires = harness.get(FiresRepository);
  });

  afterAll(() => harness?.stop());

  it('records each attempt once: a re-publish of the same message id is ignored', async () => {
    const first = fire(TASK, NOW - 1, 1, NOW);
    await fires.record([first, { ...fire(TASK, NOW - 2), manual: true }]);
    await fires.record([{ ...first, publishedAt: NOW + 999 }, fire(TASK, NOW - 3)]);
    await fires.record([]);

    expect(await fires.findById(first.messageId)).toEqual(first);
    expect(await fires.findById(`${TASK}:${NOW - 2}:1`)).toMatchObject({ manual: true });
    expect(await fires.findById(`${TASK}:${NOW - 3}:1`)).toEqual(fire(TASK, NOW - 3));
    expect(await fires.findById(`${TASK}:${NOW}:7`)).toBeNull();
  });

  it('pages the scheduled times of a task, newest first, one per fire', async () => {
    const times = Array.from({ length: 10 }, (_, i) => NOW + 60_000 * (i + 1));
    await fires.record(times.map((at) => fire(PAGED, at)));
    // Redeliveries do not add fires; another task's fires are not ours.
    await fires.record(times.slice(0, 5).map((at) => fire(PAGED, at, 2, at + 5000)));
    await fires.record(times.map((at) => fire(OTHER, at)));
    const newest = [...times].reverse();

    const page1 = await fires.scheduledTimes(PAGED, 4);
    const page2 = await fires.scheduledTimes(PAGED, 4, page1.at(-1));
    const page3 = await fires.scheduledTimes(PAGED, 4, page2.at(-1));

    expect(page1).toEqual(newest.slice(0, 4));
    expect(page2).toEqual(newest.slice(4, 8));
    expect(page3).toEqual(newest.slice(8, 10));
    expect(await fires.scheduledTimes(PAGED, 4, times[0])).toEqual([]);
  });

  it("reads every attempt of a task's fires scheduled in a range, bounds included", async () => {
    const at = (i: number) => NOW + 60_000 * i;
    const found = await fires.between(PAGED, at(2), at(4));
    const ids = found.map((f) => f.messageId).sort();
    expect(ids).toEqual(
      [
        `${PAGED}:${at(2)}:1`,
        `${PAGED}:${at(2)}:2`,
        `${PAGED}:${at(3)}:1`,
        `${PAGED}:${at(3)}:2`,
        `${PAGED}:${at(4)}:1`,
        `${PAGED}:${at(4)}:2`,
      ].sort(),
    );
    expect(found.find((f) => f.attempt === 2 && f.scheduledAt === at(3))).toEqual(
      fire(PAGED, at(3), 2, at(3) + 5000),
    );
    expect(await fires.between(PAGED, at(20), at(30))).toEqual([]);
  });
});
