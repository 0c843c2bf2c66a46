/** Dead letters against the real server: insert, lookup, delete, newest-first pages. */
import { type DeadLetter } from '../../apps/task-center/src/runs/run-records';
import { DeadLettersRepository } from '../../apps/task-center/src/repositories/dead-letters.repository';
import { RepositoriesHarness } from '../support/repositories';

const NOW = 1_900_000_000_000;
const TASK = '65f000000000000000000001';

function dead(i: number, deadAt: number): DeadLetter {
  return {
    messageId: `${TASK}:${NOW + i}:3`,
    taskId: TASK,
    name: 'dead',
    scheduledAt: NOW + i,
    attempt: 3,
    lastError: `error ${i}`,
    deadAt,
    topic: 'dead-letter',
    headers: { 'tc-task-id': TASK, 'tc-error': `error ${i}` },
  };
}

describe('DeadLettersRepository (real database)', () => {
  let harness: RepositoriesHarness;
  let letters: DeadLettersRepository;

  beforeAll(async () => {
    harness = await RepositoriesHarness.start('repo-dead');
    letters = harness.get(DeadLettersRepository);
  });

  afterAll(() => harness?.stop());

  it('stores a dead letter once, finds it by message id, deletes it', async () => {
    const letter = dead(0, NOW);
    await letters.insert(letter);
    await letters.insert({ ...letter, lastError: 'again' });
    expect(await letters.findById(letter.messageId)).toEqual(letter);

    await letters.delete(letter.messageId);
    expect(await letters.findById(letter.messageId)).toBeNull();
    await letters.delete(letter.messageId); // already gone: no error
  });

  it('pages newest first through equal death times without skipping or repeating', async () => {
    // Seven letters, several dying in the same millisecond: the cursor needs `_id` too.
    const all = [
      dead(1, NOW + 1),
      dead(2, NOW + 2),
      dead(3, NOW + 2),
      dead(4, NOW + 2),
      dead(5, NOW + 3),
      dead(6, NOW + 3),
      dead(7, NOW + 4),
    ];
    for (const letter of all) await letters.insert(letter);
    const expected = [...all].sort(
      (a, b) => b.deadAt - a.deadAt || b.messageId.localeCompare(a.messageId),
    );

    const seen: DeadLetter[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await letters.page(2, cursor);
      seen.push(...page.items);
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor && pages < 10);

    expect(pages).toBe(4);
    expect(seen).toEqual(expected);
    expect((await letters.page(10)).nextCursor).toBeNull();
  });
});
