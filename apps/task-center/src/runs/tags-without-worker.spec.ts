import { tagsWithoutWorker } from './tags-without-worker';

describe('tagsWithoutWorker', () => {
  const live =
    (...tags: string[]) =>
    (tag: string) =>
      tags.includes(tag);

  it('names the tags no live worker registered, in their order', () => {
    expect(tagsWithoutWorker(['a', 'b', 'c'], live('b'))).toEqual(['a', 'c']);
  });

  it("counts a live '*' handler as a worker for every tag", () => {
    expect(tagsWithoutWorker(['a', 'b'], live('*'))).toEqual([]);
    expect(tagsWithoutWorker(['a', 'b'], live('a', '*'))).toEqual([]);
  });
});
