import { nextOffset, OrderedOffsets } from './ordered-offsets';

describe('OrderedOffsets', () => {
  it('advances one by one when messages finish in order', () => {
    const offsets = new OrderedOffsets();
    ['5', '6', '7'].forEach((o) => offsets.track(o));
    expect(offsets.finish('5')).toBe('5');
    expect(offsets.finish('6')).toBe('6');
    expect(offsets.finish('7')).toBe('7');
    expect(offsets.size).toBe(0);
  });

  it('never passes an unfinished offset, then jumps to the highest contiguous one', () => {
    const offsets = new OrderedOffsets();
    ['10', '11', '12', '13'].forEach((o) => offsets.track(o));
    expect(offsets.finish('12')).toBeUndefined();
    expect(offsets.finish('13')).toBeUndefined();
    expect(offsets.finish('11')).toBeUndefined();
    expect(offsets.size).toBe(4);
    expect(offsets.finish('10')).toBe('13');
    expect(offsets.size).toBe(0);
  });

  it('follows fetch order across gaps (compacted or control offsets)', () => {
    const offsets = new OrderedOffsets();
    ['3', '8', '20'].forEach((o) => offsets.track(o));
    expect(offsets.finish('8')).toBeUndefined();
    expect(offsets.finish('3')).toBe('8');
    expect(offsets.finish('20')).toBe('20');
  });

  it('rejects an offset it never saw', () => {
    expect(() => new OrderedOffsets().finish('1')).toThrow('offset 1 is not tracked');
  });

  it('commits the next offset, beyond 2^53 too', () => {
    expect(nextOffset('41')).toBe('42');
    expect(nextOffset('9007199254740993')).toBe('9007199254740994');
  });
});
