/**
 * Reading `explain` answers: MongoDB's winning plan (`stage`, `indexName`, `inputStage(s)`)
 * and FerretDB's PostgreSQL plan (`Node Type`, `Index Name`, `Plans`).
 */

type Node = Record<string, unknown>;

/** Plan nodes depth-first, root first: "FETCH", "IXSCAN due_slot_1", "Bitmap Index Scan t_gin". */
export function planNodes(node: unknown, out: string[] = []): string[] {
  if (!node || typeof node !== 'object') return out;
  const n = node as Node;
  if (typeof n.stage === 'string') {
    out.push(typeof n.indexName === 'string' ? `${n.stage} ${n.indexName}` : n.stage);
    planNodes(n.inputStage, out);
    for (const child of (n.inputStages as unknown[] | undefined) ?? []) planNodes(child, out);
  } else if (typeof n['Node Type'] === 'string') {
    const on = n['Index Name'] ?? n['Relation Name'];
    out.push(typeof on === 'string' ? `${n['Node Type']} ${on}` : n['Node Type']);
    for (const child of (n.Plans as unknown[] | undefined) ?? []) planNodes(child, out);
  }
  return out;
}

/** The plan of an explain answer, leaf first (as it runs); empty when the server gave none. */
export function explainedPlan(explained: Node): string[] {
  const planner = (explained.queryPlanner ?? {}) as Node;
  if (planner.winningPlan) return planNodes(planner.winningPlan).reverse();
  return planNodes(planner.Plan);
}

/** True for a PostgreSQL plan (FerretDB) that reads the table without any index. */
export function isPostgresFullScan(explained: Node): boolean {
  const planner = (explained.queryPlanner ?? {}) as Node;
  if (!planner.Plan) return false;
  const nodes = planNodes(planner.Plan);
  return nodes.some((n) => n.startsWith('Seq Scan')) && !nodes.some((n) => n.includes('Index'));
}
