import { NameCap, OTHER } from './name-cap';

describe('NameCap', () => {
  it('keeps the first names and folds the rest into "other"', () => {
    const cap = new NameCap(2);
    expect(['a', 'b', 'c', 'a', 'd', 'b'].map((n) => cap.label(n))).toEqual([
      'a',
      'b',
      OTHER,
      'a',
      OTHER,
      'b',
    ]);
  });
});
