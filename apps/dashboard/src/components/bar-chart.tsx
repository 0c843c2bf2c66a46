import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { type ChartData, layoutChart } from '../lib/overview-view';

const HEIGHT = 170;

/**
 * A bar chart by hand in SVG (stacked when `data` has several series). The SVG is drawn at the
 * width it is shown at (measured), so its text stays at its size on a phone and on a wide
 * screen. Colours come from the stylesheet's `.bar.<series>` classes, never inline styles (the
 * CSP forbids them). Readers get the summary as the image's name, and each minute's counts as
 * the `<title>` of its column (a tooltip on hover).
 */
export function BarChart(props: { data: ChartData }) {
  const { data } = props;
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(560);
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () => {
      const w = Math.floor(el.clientWidth);
      if (w > 0) setWidth(w);
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const layout = layoutChart(data, { width, height: HEIGHT });
  const { plot } = layout;
  return (
    <div class="chart">
      <div ref={box}>
        <svg
          viewBox={`0 0 ${layout.width} ${layout.height}`}
          width={layout.width}
          height={layout.height}
          role="img"
          aria-label={data.summary}
          focusable="false"
        >
          <title>{data.summary}</title>
          <g class="muted" fill="currentColor" font-size="11">
            {layout.ticks.map((t) => (
              <g key={t.value}>
                <line
                  x1={plot.x}
                  x2={plot.x + plot.width}
                  y1={t.y}
                  y2={t.y}
                  stroke="#dfe3e8"
                  stroke-width="1"
                />
                <text x={plot.x - 5} y={t.y + 4} text-anchor="end">
                  {t.value.toLocaleString('en-US')}
                </text>
              </g>
            ))}
            {layout.labels.map((l) => (
              <text key={l.x} x={l.x} y={layout.height - 5} text-anchor={l.anchor}>
                {l.text}
              </text>
            ))}
          </g>
          {layout.bars.map((bar, i) => (
            <g key={data.bars[i]!.atMs}>
              <title>{data.bars[i]!.title}</title>
              <rect
                x={bar.slot.x}
                y={plot.y}
                width={bar.slot.width}
                height={plot.height}
                fill="transparent"
              />
              {bar.segments.map((s) => (
                <rect
                  key={s.series}
                  class={`bar ${data.series[s.series]!.key}`}
                  x={bar.x}
                  y={s.y}
                  width={bar.width}
                  height={s.height}
                />
              ))}
            </g>
          ))}
        </svg>
      </div>
      <div class="legend">
        {data.series.map((s) => (
          <span key={s.key}>
            <span class={`swatch ${s.key}`} aria-hidden="true" />
            {s.label}
          </span>
        ))}
      </div>
    </div>
  );
}
