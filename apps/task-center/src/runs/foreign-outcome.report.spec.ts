import { FOREIGN_REPORT_INTERVAL_MS, ForeignOutcomeReport } from './foreign-outcome.report';

describe('ForeignOutcomeReport', () => {
  it('reports the first foreign outcome at once, with its message id', () => {
    const report = new ForeignOutcomeReport();
    const line = report.note(['t1:100:1', 't2:100:1'], 1_000);
    expect(line).toMatch(/^skipped 2 outcome\(s\) .* e\.g\. message t1:100:1:/);
  });

  it('then at most once per minute, counting everything in between', () => {
    const report = new ForeignOutcomeReport();
    report.note(['a'], 0);
    expect(report.note(['b', 'c'], 10_000)).toBeNull();
    expect(report.note(['d'], FOREIGN_REPORT_INTERVAL_MS - 1)).toBeNull();
    const line = report.note(['e'], FOREIGN_REPORT_INTERVAL_MS);
    expect(line).toMatch(/^skipped 4 outcome\(s\) .* e\.g\. message b:/);
    expect(report.note([], FOREIGN_REPORT_INTERVAL_MS + 1)).toBeNull();
  });

  it('reports outcomes left pending by a quiet minute on the next batch, even an empty one', () => {
    const report = new ForeignOutcomeReport();
    report.note(['a'], 0);
    report.note(['b'], 5_000);
    expect(report.note([], 2 * FOREIGN_REPORT_INTERVAL_MS)).toMatch(/^skipped 1 outcome\(s\).* b:/);
  });

  it('says nothing when nothing foreign arrived', () => {
    expect(new ForeignOutcomeReport().note([], 0)).toBeNull();
  });
});
