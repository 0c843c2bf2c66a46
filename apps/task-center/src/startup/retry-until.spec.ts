import { Logger } from '@nestjs/common';
import { retryUntil } from './retry-until';

describe('retryUntil', () => {
  const logger = new Logger('test');
  beforeEach(() => jest.spyOn(logger, 'warn').mockImplementation(() => undefined));

  it('returns the first success and logs each failure before it', async () => {
    let calls = 0;
    const value = await retryUntil(
      async () => {
        calls++;
        if (calls < 3) throw new Error(`boom ${calls}`);
        return 'ok';
      },
      { what: 'thing', deadlineMs: 5000, logger, initialDelayMs: 1 },
    );
    expect(value).toBe('ok');
    expect(calls).toBe(3);
    expect(logger.warn).toHaveBeenCalledTimes(2);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('thing failed (boom 1); retrying in 1 ms (attempt 1)'),
    );
  });

  it('gives up at the deadline with an error naming what failed and why', async () => {
    await expect(
      retryUntil(() => Promise.reject(new Error('refused')), {
        what: 'kafka: connecting',
        deadlineMs: 30,
        logger,
        initialDelayMs: 5,
      }),
    ).rejects.toThrow(/^kafka: connecting failed after \d+ attempts in 0s: refused$/);
  });
});
