/** Aggregation of the peer bench's runs and the Markdown it writes (bench/peers.ts). */
import { type PeerMemory } from './peer';

/** Lateness at these percentiles (max = 100), in ms: the table shows five, the chart all. */
export const CURVE = [
  ['p50', 50],
  ['p75', 75],
  ['p90', 90],
  ['p95', 95],
  ['p99', 99],
  ['p999', 99.9],
  ['max', 100],
] as const;
export type Percentiles = Record<(typeof CURVE)[number][0], number>;

export interface RunResult {
  peer: string;
  workload: string;
  /** Key prefix of the workload's schedules (routes late fires back to it). */
  prefix?: string;
  /** Handler starts that came after the workload stopped counting (not in the figures). */
  afterCutOff?: number;
  /** Set when the peer could not do the workload, or it was not run: the row says why. */
  note?: string;
  expected?: number;
  received?: number;
  lost?: number;
  duplicates?: number;
  unaligned?: number;
  latenessMs?: Percentiles;
  /** Steady and scale: distinct fires started per second of the window. Burst: over the drain. */
  firesPerSec?: number;
  /** Burst: from the due second to the first / last handler start. */
  firstMs?: number;
  drainMs?: number;
  /** Seconds between the end of the creates and the first slot (burst: the due second). */
  leadS?: number;
  createsPerSec?: number;
  /** Scale: idle schedules stored, and the rate they were stored at (once per size). */
  stored?: number;
  insertPerSec?: number;
  memory?: PeerMemory;
}

export interface Summary {
  peer: string;
  workload: string;
  runs: number;
  notes: string[];
  /** metric path -> [median, min, max] over the runs that have it */
  metrics: Record<string, [number, number, number]>;
}

function flatten(r: RunResult): Record<string, number> {
  const out: Record<string, number> = {};
  const put = (k: string, v: number | undefined) => {
    if (v !== undefined && Number.isFinite(v)) out[k] = v;
  };
  put('expected', r.expected);
  put('received', r.received);
  put('lost', r.lost);
  put('duplicates', r.duplicates);
  put('unaligned', r.unaligned);
  for (const [k, v] of Object.entries(r.latenessMs ?? {})) put(`lateness.${k}`, v);
  put('firesPerSec', r.firesPerSec);
  put('firstMs', r.firstMs);
  put('drainMs', r.drainMs);
  put('leadS', r.leadS);
  put('createsPerSec', r.createsPerSec);
  put('afterCutOff', r.afterCutOff);
  put('stored', r.stored);
  put('insertPerSec', r.insertPerSec);
  put('rss.schedulerMiB', r.memory?.schedulerMiB);
  put('rss.backendMiB', r.memory?.backendMiB);
  put('rss.brokerMiB', r.memory?.brokerMiB);
  return out;
}

const WORKLOAD_ORDER = ['setup', 'steady', 'burst', 'scale', 'create', 'bulk'];

export function summarize(results: RunResult[]): Summary[] {
  const groups = new Map<string, RunResult[]>();
  for (const r of results) {
    const k = `${r.peer}\u0000${r.workload}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const summaries = [...groups.values()].map((runs) => {
    const flat = runs.map(flatten);
    const names = [...new Set(flat.flatMap((f) => Object.keys(f)))];
    const metrics: Summary['metrics'] = {};
    for (const name of names) {
      const values = flat
        .map((f) => f[name])
        .filter((v): v is number => v !== undefined)
        .sort((a, b) => a - b);
      metrics[name] = [values[Math.floor(values.length / 2)]!, values[0]!, values.at(-1)!];
    }
    return {
      peer: runs[0]!.peer,
      workload: runs[0]!.workload,
      runs: runs.length,
      notes: [...new Set(runs.map((r) => r.note).filter((n): n is string => !!n))],
      metrics,
    };
  });
  const order = (s: Summary) => WORKLOAD_ORDER.findIndex((w) => s.workload.startsWith(w));
  // Workloads in bench order, sizes ascending ("scale 10k" before "scale 1M"), systems as run.
  const size = (s: Summary) => s.metrics.stored?.[0] ?? 0;
  return summaries.sort(
    (a, b) =>
      order(a) - order(b) ||
      size(a) - size(b) ||
      a.workload.localeCompare(b.workload, 'en', { numeric: true }),
  );
}

export function ms(v: number): string {
  return v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`;
}

/** "median" or "median (min–max)" when the runs differ. */
function cell(s: Summary, name: string, format: (v: number) => string = String): string {
  const m = s.metrics[name];
  if (!m) return '-';
  const [median, min, max] = m;
  return min === max ? format(median) : `${format(median)} (${format(min)}–${format(max)})`;
}

export function markdownTable(summaries: Summary[]): string {
  const header = [
    'workload',
    'system',
    'fires received / expected',
    'lost',
    'dup',
    'late starts after cut-off',
    'lateness p50',
    'p90',
    'p99',
    'p99.9',
    'max',
    'fires/s',
    'burst last start',
    'creates/s',
    'RSS scheduler',
    'RSS backend',
  ];
  const rows = summaries.map((s) => {
    const measured = Object.keys(s.metrics).some((k) => k !== 'stored' && k !== 'insertPerSec');
    if (!measured)
      return [s.workload, s.peer, s.notes.join('; ') || '-', ...header.slice(3).map(() => '')];
    const mib = (v: number) => `${v} MiB`;
    const backend =
      cell(s, 'rss.backendMiB', mib) +
      (s.metrics['rss.brokerMiB'] ? ` + Kafka ${cell(s, 'rss.brokerMiB', mib)}` : '');
    return [
      s.workload + (s.notes.length ? ` (${s.notes.join('; ')})` : ''),
      s.peer,
      s.metrics.expected ? `${cell(s, 'received')} / ${cell(s, 'expected')}` : '-',
      cell(s, 'lost'),
      cell(s, 'duplicates'),
      cell(s, 'afterCutOff'),
      cell(s, 'lateness.p50', ms),
      cell(s, 'lateness.p90', ms),
      cell(s, 'lateness.p99', ms),
      cell(s, 'lateness.p999', ms),
      cell(s, 'lateness.max', ms),
      cell(s, 'firesPerSec'),
      cell(s, 'drainMs', ms),
      cell(s, 'createsPerSec'),
      cell(s, 'rss.schedulerMiB', mib),
      s.metrics['rss.backendMiB'] ? backend : '-',
    ];
  });
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/**
 * One line per comparison of ours against each peer, computed from the medians: p99 lateness
 * and lost fires per steady/scale/burst workload, burst drain time, creates/s, and how scale
 * changes each system. Says who is ahead either way.
 */
export function headlineRatios(summaries: Summary[], ours = 'task-center'): string[] {
  const lines: string[] = [];
  const median = (s: Summary | undefined, k: string) => s?.metrics[k]?.[0];
  const byWorkload = new Map<string, Summary[]>();
  for (const s of summaries) byWorkload.set(s.workload, [...(byWorkload.get(s.workload) ?? []), s]);
  const compare = (
    workload: string,
    what: string,
    key: string,
    lowerIsBetter: boolean,
    format: (v: number) => string,
  ) => {
    const group = byWorkload.get(workload) ?? [];
    const us = group.find((s) => s.peer === ours);
    const a = median(us, key);
    for (const other of group.filter((s) => s.peer !== ours)) {
      const b = median(other, key);
      if (a === undefined || b === undefined) {
        const [who, why] = a === undefined ? [ours, us?.notes[0]] : [other.peer, other.notes[0]];
        if (why)
          lines.push(`- ${workload}, ${what}: no comparison with ${other.peer} (${who}: ${why})`);
        continue;
      }
      const [best, worst] = lowerIsBetter
        ? [Math.min(a, b), Math.max(a, b)]
        : [Math.max(a, b), Math.min(a, b)];
      const factor =
        worst === 0 || best === 0
          ? ''
          : ` (×${(lowerIsBetter ? worst / Math.max(best, 1) : best / worst).toFixed(1)})`;
      const verdict =
        a === b
          ? 'even'
          : a < b === lowerIsBetter
            ? `ours ahead${factor}`
            : `${other.peer} ahead${factor}`;
      lines.push(
        `- ${workload}, ${what}: ours ${format(a)} vs ${other.peer} ${format(b)}: ${verdict}`,
      );
    }
  };
  for (const workload of byWorkload.keys()) {
    if (/^(steady|scale|burst)/.test(workload)) {
      compare(workload, 'p99 lateness', 'lateness.p99', true, ms);
      compare(workload, 'fires lost', 'lost', true, String);
    }
    if (workload.startsWith('burst'))
      compare(workload, 'last start after the due second', 'drainMs', true, ms);
    if (workload.startsWith('scale')) compare(workload, 'fires/s', 'firesPerSec', false, String);
    if (workload.startsWith('create') || workload.startsWith('bulk'))
      compare(workload, 'creates/s', 'createsPerSec', false, String);
  }
  // How each system changes from the smallest to the largest stored size.
  const scale = summaries.filter((s) => s.workload.startsWith('scale') && s.metrics.stored);
  for (const peer of new Set(scale.map((s) => s.peer))) {
    const sizes = scale.filter((s) => s.peer === peer && s.metrics['lateness.p99']);
    const [small, large] = [sizes[0], sizes.at(-1)];
    if (!small || !large || small === large) continue;
    const ratio = (k: string) => {
      const [x, y] = [median(small, k), median(large, k)];
      return x && y ? `×${(y / x).toFixed(2)}` : '-';
    };
    lines.push(
      `- ${peer}, ${large.workload} vs ${small.workload}: p99 ${ratio('lateness.p99')}, fires/s ${ratio('firesPerSec')}, RSS backend ${ratio('rss.backendMiB')}`,
    );
  }
  return lines;
}
