import { nextStatementDelayMs, WINDOW_FROM_MS, WINDOW_TO_MS, windowDelayMs } from './purge-pacing';

const SECOND = Date.UTC(2026, 11, 1, 12, 0, 0);

describe('purge pacing', () => {
  it('starts a statement only inside the window after a whole second', () => {
    for (let ms = 0; ms < 3000; ms += 7) {
      const now = SECOND + ms;
      const start = now + windowDelayMs(now);
      const inSecond = start % 1000;
      expect(inSecond).toBeGreaterThanOrEqual(WINDOW_FROM_MS);
      expect(inSecond).toBeLessThan(WINDOW_TO_MS);
      // The earliest such instant: a millisecond earlier is outside the window (or is now).
      if (start > now) expect((start - 1) % 1000).toBe(WINDOW_FROM_MS - 1);
    }
  });

  it('never starts in the dispatcher quiet window around a slot', () => {
    for (let ms = -60; ms <= 20; ms++) {
      const now = SECOND + ms;
      expect(windowDelayMs(now)).toBeGreaterThan(0);
    }
    expect(windowDelayMs(SECOND + 950)).toBe(150);
    expect(windowDelayMs(SECOND + 100)).toBe(0);
    expect(windowDelayMs(SECOND + 99)).toBe(1);
  });

  it('waits at least as long as the last statement took', () => {
    expect(nextStatementDelayMs(SECOND + 200, 0)).toBe(0);
    expect(nextStatementDelayMs(SECOND + 200, 30)).toBe(30);
    // 450 ms at 200 ends at 650, past the window: the next second's window.
    expect(nextStatementDelayMs(SECOND + 200, 450)).toBe(450 + 450);
  });
});
