import * as browser from './browser';
import * as all from './index';
import * as signature from './signature';

describe('the browser entry of the contracts', () => {
  it('exports everything the main entry does except request signing (node:crypto)', () => {
    const missing = Object.keys(all).filter((name) => !(name in browser));
    expect(missing.sort()).toEqual(Object.keys(signature).sort());
  });
});
