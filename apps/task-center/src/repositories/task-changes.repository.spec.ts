import { mergeChanges } from './task-changes.repository';

describe('mergeChanges (change-log appends written together)', () => {
  it('writes each id once, in entries of at most maxIds, in order of arrival', () => {
    expect(mergeChanges([['a', 'b'], ['c'], ['b', 'd', 'e']], 2)).toEqual([
      ['a', 'b'],
      ['c', 'd'],
      ['e'],
    ]);
  });

  it("writes one 'all' entry when any of them changed every task", () => {
    expect(mergeChanges([['a'], 'all', ['b']], 500)).toEqual(['all']);
  });

  it('writes nothing for nothing', () => {
    expect(mergeChanges([[]], 500)).toEqual([]);
  });
});
