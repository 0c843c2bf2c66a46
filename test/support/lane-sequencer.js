// Jest's test sequencer with the order of test/lanes.js when TEST_LANE is set (1 or 2, by
// scripts/test-all.sh); Jest's own order (failed first, then longest first) otherwise.
const { join, relative, sep } = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;
const lanes = require('../lanes');

const ROOT = join(__dirname, '..', '..');
/** A suite's position in `list` (paths relative to the repository), -1 when not listed. */
const rank = (list) => (test) => list.indexOf(relative(ROOT, test.path).split(sep).join('/'));

class LaneSequencer extends Sequencer {
  sort(tests) {
    const lane = process.env.TEST_LANE;
    const own = super.sort(tests);
    if (lane === '2') {
      const at = rank(lanes.lane2);
      return [...own].sort((a, b) => order(at(a)) - order(at(b)));
    }
    if (lane === '1') {
      const at = rank(lanes.lane1Last);
      // Unlisted suites keep Jest's order ahead of the listed ones, which follow in list order.
      return [...own].sort((a, b) => at(a) - at(b));
    }
    return own;
  }
}

/** Unlisted suites (-1) after the listed ones, in Jest's order (Array#sort is stable). */
function order(i) {
  return i < 0 ? Number.MAX_SAFE_INTEGER : i;
}

module.exports = LaneSequencer;
