import { Logger } from '@nestjs/common';
import { ConditionLog } from './condition-log';
import { SingleFlight } from './single-flight';

describe('SingleFlight', () => {
  it('joins a run under way instead of starting a second one', async () => {
    let runs = 0;
    let release!: () => void;
    const flight = new SingleFlight(async () => {
      runs++;
      await new Promise<void>((resolve) => (release = resolve));
    });
    const a = flight.run();
    const b = flight.run();
    expect(a).toBe(b);
    await Promise.resolve();
    release();
    await a;
    expect(runs).toBe(1);
    // Finished: the next call starts a new run.
    const c = flight.run();
    await Promise.resolve();
    release();
    await c;
    expect(runs).toBe(2);
  });

  it('never rejects: a failure is logged once per outage and reported', async () => {
    const logger = new Logger('spec');
    const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const log = jest.spyOn(logger, 'log').mockImplementation(() => undefined);
    const conditions = new ConditionLog(logger, 0);
    const errors: unknown[] = [];
    let fail = true;
    const flight = new SingleFlight(
      () => (fail ? Promise.reject(new Error('down')) : Promise.resolve()),
      { conditions, condition: 'reading', onError: (err) => errors.push(err) },
    );
    await flight.run();
    await flight.run();
    expect(errors).toHaveLength(2);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(conditions.isFailing('reading')).toBe(true);
    fail = false;
    await flight.run();
    expect(conditions.isFailing('reading')).toBe(false);
    expect(log.mock.calls[0]?.[0]).toMatch(/reading: recovered after \d+s \(2 failures\)/);
  });

  it('settled() waits for the run under way and starts none', async () => {
    let runs = 0;
    const flight = new SingleFlight(async () => {
      runs++;
      await new Promise((resolve) => setTimeout(resolve, 5));
    });
    await flight.settled();
    expect(runs).toBe(0);
    void flight.run();
    await flight.settled();
    expect(runs).toBe(1);
  });
});
