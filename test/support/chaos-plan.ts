/**
 * The chaos suite's fault schedule, derived from a seed alone (pure: no clock, no I/O), so a
 * failing run is replayed with CHAOS_SEED=<the printed seed>.
 */

export type Fault =
  | { kind: 'kill-replica'; at: number; replica: number; downMs: number }
  | { kind: 'restart-kafka'; at: number; downMs: number }
  | { kind: 'restart-mongo'; at: number; downMs: number }
  | { kind: 'kill-worker'; at: number; worker: number };

/** mulberry32: a small, good-enough PRNG; returns floats in [0, 1). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Faults over a load of `loadS` seconds, `at` in ms from the first slot: a random replica
 * SIGKILLed every 20–40 s (restarted after 1–3 s), the Kafka broker and the MongoDB-wire
 * server restarted once each (down 1–3 s, plus their own stop and start), a worker SIGKILLed
 * once. Nothing in the last `quietS` seconds, so the run ends on a system that had time to
 * recover; a restart is kept 8 s away from the replica kills, so that every outage line a
 * center logs can be put down to one fault.
 */
export function chaosPlan(
  seed: number,
  {
    loadS,
    replicas,
    workers,
    quietS = 20,
  }: { loadS: number; replicas: number; workers: number; quietS?: number },
): Fault[] {
  const next = random(seed);
  const between = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const lastMs = (loadS - quietS) * 1000;
  const faults: Fault[] = [];

  for (let at = between(20_000, 40_000); at <= lastMs; at += between(20_000, 40_000)) {
    faults.push({
      kind: 'kill-replica',
      at,
      replica: between(0, replicas - 1),
      downMs: between(1000, 3000),
    });
  }
  const kills = faults.map((f) => f.at);
  const clear = (at: number) => kills.every((k) => Math.abs(k - at) >= 8000);
  const restartAt = (lo: number, hi: number): number => {
    for (let tries = 0; tries < 50; tries++) {
      const at = between(lo, hi);
      if (clear(at)) return at;
    }
    return between(lo, hi);
  };
  faults.push({
    kind: 'restart-kafka',
    at: restartAt(Math.round(lastMs * 0.15), Math.round(lastMs * 0.45)),
    downMs: between(1000, 3000),
  });
  faults.push({
    kind: 'restart-mongo',
    at: restartAt(Math.round(lastMs * 0.55), Math.round(lastMs * 0.9)),
    downMs: between(1000, 3000),
  });
  faults.push({
    kind: 'kill-worker',
    at: between(Math.round(lastMs * 0.1), lastMs),
    worker: between(0, workers - 1),
  });
  return faults.sort((a, b) => a.at - b.at);
}

export function describeFault(f: Fault): string {
  switch (f.kind) {
    case 'kill-replica':
      return `SIGKILL replica ${f.replica}, restart after ${f.downMs} ms`;
    case 'restart-kafka':
      return `restart Kafka (down ${f.downMs} ms + stop/start)`;
    case 'restart-mongo':
      return `restart the MongoDB-wire server (down ${f.downMs} ms + stop/start)`;
    case 'kill-worker':
      return `SIGKILL worker ${f.worker} mid-handler, start a new one`;
  }
}
