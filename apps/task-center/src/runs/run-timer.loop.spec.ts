import { Logger } from '@nestjs/common';
import { RECOVERY_QUIET_MS } from '../background/condition-log';
import { type AppConfig } from '../config';
import { type ShardLeases } from '../leases/shard-leases';
import { type RunTimersRepository } from '../repositories/run-timers.repository';
import { type RunTimerActions } from './run-timer.actions';
import { RunTimerLoop } from './run-timer.loop';

describe('RunTimerLoop: a database outage', () => {
  let warn: jest.SpyInstance;
  let log: jest.SpyInstance;
  let now: number;
  let loop: RunTimerLoop;
  let down: boolean;

  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['Date'] });
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    now = 1_800_000_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    down = true;
    const read = () =>
      down ? Promise.reject(new Error('connect ECONNREFUSED')) : Promise.resolve([]);
    const timers = { inSlot: read, dueBy: read } as unknown as RunTimersRepository;
    const leases = { owned: () => [0], holds: () => true } as unknown as ShardLeases;
    const config = {
      dispatch: { enabled: true, readAheadMs: 2000 },
      runs: { enabled: true },
    } as unknown as AppConfig;
    loop = new RunTimerLoop(config, timers, leases, {} as RunTimerActions);
    loop.onApplicationBootstrap();
  });

  afterEach(async () => {
    await loop.beforeApplicationShutdown();
    jest.restoreAllMocks();
    jest.useRealTimers();
  });

  it('is one line when it starts and one when it ends, however many rounds fail or pause between', async () => {
    for (let i = 0; i < 20; i++) {
      await loop.tick();
      now += 200; // the loop's tick; failures pause it for a second
    }
    down = false;
    await loop.tick();
    jest.advanceTimersByTime(RECOVERY_QUIET_MS);

    const lines = [...warn.mock.calls, ...log.mock.calls].map(([line]) => line as string);
    expect(lines).toEqual([
      'run timers: connect ECONNREFUSED',
      expect.stringMatching(/^run timers: recovered after 4s \(\d+ failures\)$/),
    ]);
  });
});
