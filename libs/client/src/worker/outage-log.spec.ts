import { OutageLog } from './outage-log';

describe('OutageLog', () => {
  const lines: string[] = [];
  const logger = {
    log: (m: string) => lines.push(`log ${m}`),
    warn: (m: string) => lines.push(`warn ${m}`),
    error: (m: string) => lines.push(`error ${m}`),
  };
  beforeEach(() => (lines.length = 0));

  it('an outage is one line at its start and one at its end, however many failures', () => {
    const outage = new OutageLog(logger, 'consumer');
    outage.ok(0); // nothing failing: nothing logged
    for (let i = 0; i < 52; i++) outage.fail(`crashed #${i}; restarting`, 'error', 1000 + i);
    outage.ok(61_400);
    outage.ok(62_000);
    expect(lines).toEqual([
      'error consumer: crashed #0; restarting (logged again when it recovers)',
      'log consumer: recovered after 60s (52 failures)',
    ]);
  });

  it('a second outage is logged again', () => {
    const outage = new OutageLog(logger, 'heartbeat');
    outage.fail('not published (Connection error)', 'warn', 0);
    outage.ok(2000);
    outage.fail('not published (timeout)', 'warn', 5000);
    expect(lines).toEqual([
      'warn heartbeat: not published (Connection error) (logged again when it recovers)',
      'log heartbeat: recovered after 2s (1 failures)',
      'warn heartbeat: not published (timeout) (logged again when it recovers)',
    ]);
  });
});
