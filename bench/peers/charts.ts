/** Plain SVG charts of the peer bench's summaries (no chart library). */
import { CURVE, ms, type Summary } from './report';

const COLORS: Record<string, string> = {
  'task-center': '#2b6cb0',
  agenda: '#c05621',
  bullmq: '#2f855a',
};
const color = (peer: string) => COLORS[peer] ?? '#718096';
const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;');

function svg(width: number, height: number, title: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="18" font-weight="bold">${esc(title)}</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

function legend(peers: string[], x: number, y: number): string[] {
  return peers.map(
    (p, i) =>
      `<rect x="${x + i * 120}" y="${y - 9}" width="10" height="10" fill="${color(p)}"/>` +
      `<text x="${x + i * 120 + 14}" y="${y}">${esc(p)}</text>`,
  );
}

/**
 * Lateness distribution: one panel per workload, one line per system through its median
 * lateness at p50, p75, p90, p95, p99, p99.9 and max; log scale in ms.
 */
export function latenessChart(summaries: Summary[]): string {
  const withCurve = summaries.filter((s) => s.metrics['lateness.p50']);
  const workloads = [...new Set(withCurve.map((s) => s.workload))];
  const peers = [...new Set(withCurve.map((s) => s.peer))];
  const cols = Math.min(2, Math.max(1, workloads.length));
  const [panelW, panelH] = [380, 230];
  const [padL, padT, padB] = [54, 26, 34];
  const width = cols * panelW + 20;
  const height = 50 + Math.ceil(workloads.length / cols) * panelH;
  const maxV = Math.max(10, ...withCurve.map((s) => s.metrics['lateness.max']![0]));
  const decades = Math.ceil(Math.log10(maxV));
  const body = legend(peers, 10, 40);
  workloads.forEach((workload, w) => {
    const ox = 10 + (w % cols) * panelW;
    const oy = 50 + Math.floor(w / cols) * panelH;
    const plotW = panelW - padL - 20;
    const plotH = panelH - padT - padB;
    const x = (i: number) => ox + padL + (i / (CURVE.length - 1)) * plotW;
    const y = (v: number) => oy + padT + plotH - (Math.log10(Math.max(1, v)) / decades) * plotH;
    body.push(`<text x="${ox + padL}" y="${oy + 16}" font-weight="bold">${esc(workload)}</text>`);
    for (let d = 0; d <= decades; d++) {
      const v = 10 ** d;
      body.push(
        `<line x1="${ox + padL}" x2="${ox + padL + plotW}" y1="${y(v)}" y2="${y(v)}" stroke="#e2e8f0"/>` +
          `<text x="${ox + padL - 4}" y="${y(v) + 4}" text-anchor="end" fill="#4a5568">${esc(ms(v))}</text>`,
      );
    }
    CURVE.forEach(([name], i) =>
      body.push(
        `<text x="${x(i)}" y="${oy + padT + plotH + 16}" text-anchor="middle" fill="#4a5568">${name === 'p999' ? 'p99.9' : name}</text>`,
      ),
    );
    for (const s of withCurve.filter((x) => x.workload === workload)) {
      const points = CURVE.map(([name], i) => {
        const v = s.metrics[`lateness.${name}`]?.[0] ?? 0;
        return `${x(i).toFixed(1)},${y(v).toFixed(1)}`;
      });
      body.push(
        `<polyline fill="none" stroke="${color(s.peer)}" stroke-width="2" points="${points.join(' ')}"/>`,
        ...points.map((p) => {
          const [cx, cy] = p.split(',');
          return `<circle cx="${cx}" cy="${cy}" r="2.5" fill="${color(s.peer)}"/>`;
        }),
      );
    }
  });
  return svg(
    width,
    height,
    'Lateness (handler start − scheduled time) by percentile, median of the runs, log scale; lower is better',
    body,
  );
}

/** What a workload's throughput is: fires started per second, or schedules created per second. */
function throughputOf(s: Summary): [number, string] | undefined {
  const fires = s.metrics.firesPerSec?.[0];
  if (fires !== undefined) return [fires, 'fires/s'];
  const creates = s.metrics.createsPerSec?.[0];
  if (s.workload.startsWith('create') && creates !== undefined) return [creates, 'creates/s'];
  return undefined;
}

/**
 * Throughput per workload and system, horizontal bars on a log scale: fires started per second
 * for steady and scale (over the window) and burst (over the drain), creates/s for create.
 */
export function throughputChart(summaries: Summary[]): string {
  const bars = summaries.flatMap((s) => {
    const t = throughputOf(s);
    return t ? [{ s, value: t[0], unit: t[1] }] : [];
  });
  const peers = [...new Set(bars.map((b) => b.s.peer))];
  const rowH = 22;
  const left = 200;
  const width = 780;
  const plotW = width - left - 110;
  const height = bars.length * rowH + 70;
  const maxV = Math.max(10, ...bars.map((b) => b.value));
  const x = (v: number) => Math.max(1, (Math.log10(Math.max(1, v)) / Math.log10(maxV)) * plotW);
  const body = legend(peers, 10, 40);
  bars.forEach(({ s, value, unit }, i) => {
    const y = 52 + i * rowH;
    const w = x(value);
    body.push(
      `<text x="${left - 8}" y="${y + 14}" text-anchor="end">${esc(`${s.workload} · ${s.peer}`)}</text>`,
      `<rect x="${left}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowH - 6}" fill="${color(s.peer)}"/>`,
      `<text x="${(left + w + 6).toFixed(1)}" y="${y + 14}">${esc(`${Math.round(value)} ${unit}`)}</text>`,
    );
  });
  return svg(
    width,
    height,
    'Throughput per workload (fires/s; burst: over its drain; create: creates/s), median, log scale',
    body,
  );
}
