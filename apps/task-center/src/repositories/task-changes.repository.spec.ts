import { mergeChanges } from './task-changes.repository';

describe('mergeChanges (change-log appends written together)', () => {
  it('packs the changes whole, in order, into entries of at most maxIds ids', () => {
    expect(mergeChanges([['a', 'b'], ['c'], ['d', 'e'], ['f']], 3)).toEqual([
      ['a', 'b', 'c'],
      ['d', 'e', 'f'],
    ]);
    expect(mergeChanges([['a'], ['b', 'c', 'd']], 3)).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it("writes 'all' when one change lists more than maxIds, as a lone append would", () => {
    expect(mergeChanges([['a'], ['b', 'c', 'd']], 2)).toEqual(['all']);
  });

  it("writes one 'all' entry when any of them changed every task", () => {
    expect(mergeChanges([['a'], 'all', ['b']], 500)).toEqual(['all']);
  });

  it('writes nothing for nothing', () => {
    expect(mergeChanges([[], []], 500)).toEqual([]);
  });
});
