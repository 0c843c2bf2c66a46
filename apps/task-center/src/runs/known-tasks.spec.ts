import { type TasksRepository } from '../repositories/tasks.repository';
import { KnownTasks } from './known-tasks';

/** The one port KnownTasks uses: which ids have a task document (deleted ones included). */
function tasksWith(ids: string[]) {
  const lookups: string[][] = [];
  const repo = {
    knownIds: (asked: string[]) => {
      lookups.push(asked);
      return Promise.resolve(new Set(asked.filter((id) => ids.includes(id))));
    },
  } as unknown as TasksRepository;
  return { repo, lookups };
}

describe('KnownTasks', () => {
  it('returns the ids no task document has', async () => {
    const { repo } = tasksWith(['ours1', 'deleted1']);
    const unknown = await new KnownTasks(repo).unknownAmong([
      'ours1',
      'theirs',
      'deleted1',
      'theirs',
    ]);
    expect([...unknown]).toEqual(['theirs']);
  });

  it('looks a known task up once, an unknown one every time (it may be created later)', async () => {
    const { repo, lookups } = tasksWith(['ours1']);
    const known = new KnownTasks(repo);
    await known.unknownAmong(['ours1', 'theirs']);
    await known.unknownAmong(['ours1', 'theirs']);
    expect(lookups).toEqual([['ours1', 'theirs'], ['theirs']]);
  });
});
