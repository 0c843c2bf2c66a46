import { explainedPlan, isPostgresFullScan } from './query-plan';

/** Shapes as the servers answer `explain` (trimmed to the fields read). */
const mongoIndexed = {
  queryPlanner: {
    winningPlan: { stage: 'FETCH', inputStage: { stage: 'IXSCAN', indexName: 'due_slot_1' } },
  },
};
const ferretSeqScan = {
  queryPlanner: {
    Plan: {
      'Node Type': 'Gather',
      Plans: [{ 'Node Type': 'Seq Scan', 'Relation Name': 'tasks_ad2e48cd' }],
    },
  },
};
const ferretGin = {
  queryPlanner: {
    Plan: {
      'Node Type': 'Bitmap Heap Scan',
      'Relation Name': 'tasks_ad2e48cd',
      Plans: [{ 'Node Type': 'Bitmap Index Scan', 'Index Name': 'tasks_ad2e48cd_id_gin' }],
    },
  },
};

describe('query plans', () => {
  it('reads a MongoDB winning plan leaf first', () => {
    expect(explainedPlan(mongoIndexed)).toEqual(['IXSCAN due_slot_1', 'FETCH']);
    expect(isPostgresFullScan(mongoIndexed)).toBe(false);
  });

  it('reads a FerretDB PostgreSQL plan and tells a full scan from an index scan', () => {
    expect(explainedPlan(ferretSeqScan)).toEqual(['Gather', 'Seq Scan tasks_ad2e48cd']);
    expect(isPostgresFullScan(ferretSeqScan)).toBe(true);
    expect(explainedPlan(ferretGin)).toEqual([
      'Bitmap Heap Scan tasks_ad2e48cd',
      'Bitmap Index Scan tasks_ad2e48cd_id_gin',
    ]);
    expect(isPostgresFullScan(ferretGin)).toBe(false);
  });

  it('has nothing to say about a server that reports no plan (FerretDB on SQLite)', () => {
    expect(explainedPlan({ queryPlanner: {} })).toEqual([]);
    expect(isPostgresFullScan({ ok: 1 })).toBe(false);
  });
});
