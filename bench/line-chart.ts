/** A plain SVG line chart of a few series over time (no chart library), for the benches. */

export interface Series {
  name: string;
  /** [x, y] points, x ascending. */
  points: [number, number][];
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** Shaded x ranges with a label (e.g. an outage). */
  bands?: { from: number; to: number; label: string }[];
  /** A horizontal line with a label (e.g. a bound). */
  limit?: { y: number; label: string };
}

const PALETTE = ['#2b6cb0', '#c05621', '#2f855a', '#805ad5', '#b7791f', '#c53030', '#319795'];
const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** A round step of about a fifth of `span` (1, 2 or 5 times a power of ten). */
function niceStep(span: number): number {
  const raw = span / 5;
  const pow = 10 ** Math.floor(Math.log10(raw || 1));
  const m = raw / pow;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * pow;
}

const label = (v: number) =>
  Math.abs(v) >= 1e6
    ? `${+(v / 1e6).toFixed(1)}M`
    : Math.abs(v) >= 1e4
      ? `${+(v / 1e3).toFixed(0)}k`
      : String(+v.toFixed(2));

export function lineChart(o: LineChartOptions): string {
  const [width, height] = [760, 320];
  const [padL, padR, padT, padB] = [64, 20, 52, 44];
  const plotW = width - padL - padR;
  const plotH = height - padT - padB;
  const all = o.series.flatMap((s) => s.points);
  const xs = all.map(([x]) => x);
  const ys = [...all.map(([, y]) => y), ...(o.limit ? [o.limit.y] : [])];
  const [x0, x1] = [Math.min(...xs, 0), Math.max(...xs, 1)];
  const yStep = niceStep(Math.max(...ys, 1));
  const y1 = Math.ceil(Math.max(...ys, 1) / yStep) * yStep;
  const x = (v: number) => padL + ((v - x0) / (x1 - x0 || 1)) * plotW;
  const y = (v: number) => padT + plotH - (v / y1) * plotH;
  const body: string[] = [];
  for (const b of o.bands ?? [])
    body.push(
      `<rect x="${x(b.from).toFixed(1)}" y="${padT}" width="${(x(b.to) - x(b.from)).toFixed(1)}" height="${plotH}" fill="#fed7d7"/>`,
      `<text x="${(x(b.from) + 4).toFixed(1)}" y="${padT + 14}" fill="#9b2c2c">${esc(b.label)}</text>`,
    );
  for (let v = 0; v <= y1 + yStep / 2; v += yStep)
    body.push(
      `<line x1="${padL}" x2="${padL + plotW}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e2e8f0"/>`,
      `<text x="${padL - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" fill="#4a5568">${label(v)}</text>`,
    );
  const xStep = niceStep(x1 - x0);
  for (let v = Math.ceil(x0 / xStep) * xStep; v <= x1; v += xStep)
    body.push(
      `<text x="${x(v).toFixed(1)}" y="${padT + plotH + 16}" text-anchor="middle" fill="#4a5568">${label(v)}</text>`,
    );
  if (o.limit)
    body.push(
      `<line x1="${padL}" x2="${padL + plotW}" y1="${y(o.limit.y).toFixed(1)}" y2="${y(o.limit.y).toFixed(1)}" stroke="#c53030" stroke-dasharray="4 3"/>`,
      `<text x="${padL + plotW - 4}" y="${(y(o.limit.y) - 4).toFixed(1)}" text-anchor="end" fill="#c53030">${esc(o.limit.label)}</text>`,
    );
  o.series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length]!;
    const points = s.points.map(([px, py]) => `${x(px).toFixed(1)},${y(py).toFixed(1)}`);
    body.push(
      `<polyline fill="none" stroke="${color}" stroke-width="2" points="${points.join(' ')}"/>`,
      `<rect x="${padL + i * 130}" y="${padT - 22}" width="10" height="10" fill="${color}"/>`,
      `<text x="${padL + i * 130 + 14}" y="${padT - 13}">${esc(s.name)}</text>`,
    );
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="18" font-weight="bold">${esc(o.title)}</text>`,
    `<line x1="${padL}" x2="${padL}" y1="${padT}" y2="${padT + plotH}" stroke="#4a5568"/>`,
    `<line x1="${padL}" x2="${padL + plotW}" y1="${padT + plotH}" y2="${padT + plotH}" stroke="#4a5568"/>`,
    ...body,
    `<text x="${padL + plotW / 2}" y="${height - 8}" text-anchor="middle" fill="#4a5568">${esc(o.xLabel)}</text>`,
    `<text x="14" y="${padT + plotH / 2}" text-anchor="middle" fill="#4a5568" transform="rotate(-90 14 ${padT + plotH / 2})">${esc(o.yLabel)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
