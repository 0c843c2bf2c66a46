/** What the metrics hooks saw, for listeners such as the alerts (they never block the caller). */
export type OpsEvent =
  | { kind: 'fires'; fires: { name: string; latenessMs: number }[]; now: number }
  | { kind: 'dead'; names: string[] }
  | { kind: 'timeout'; names: string[] }
  | { kind: 'outcomes'; results: string[]; now: number };

export type OpsListener = (event: OpsEvent) => void;
